import OmnibusClient

extension Dictionary where Key == String, Value == CommandClient {
    /// Asks every service at once: each one's answer, or why there is none, by service name
    /// (what /healthz and /metrics gather).
    func askEach<Answer: Sendable>(_ ask: @escaping @Sendable (CommandClient) async throws -> Answer) async -> [String: Result<Answer, any Error>] {
        await withTaskGroup(of: (String, Result<Answer, any Error>).self) { group in
            for (name, client) in self {
                group.addTask {
                    do { return (name, .success(try await ask(client))) } catch { return (name, .failure(error)) }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
    }
}

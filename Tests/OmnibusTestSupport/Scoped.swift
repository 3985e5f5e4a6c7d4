/// Runs `body` with `resource`, then `stop`s it whether `body` returned or threw (the
/// body's error wins): a test's service, process or folder never outlives the test.
public func scoped<Resource, Result>(
    _ resource: Resource, stop: (Resource) async throws -> Void, _ body: (Resource) async throws -> Result
) async throws -> Result {
    let result: Result
    do {
        result = try await body(resource)
    } catch {
        try? await stop(resource)
        throw error
    }
    try await stop(resource)
    return result
}

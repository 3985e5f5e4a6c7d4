import UnixSignals

/// Runs `work` until it ends or SIGINT or SIGTERM arrives; a signal cancels it, so a
/// stream it reads ends and its sockets close (swift-service-lifecycle's signal sequence,
/// not a handler that sets a flag).
func untilInterrupted(_ work: @escaping @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { return }
        }
        group.addTask { try await work() }
        defer { group.cancelAll() }
        try await group.next()
    }
}

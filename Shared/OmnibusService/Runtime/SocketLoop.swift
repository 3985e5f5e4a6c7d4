import OmnibusBus
import ServiceLifecycle

/// Runs a blocking loop (a socket loop, a batch writer) on its own thread until the task is cancelled or the
/// service group shuts down gracefully; either raises the loop's stop signal.
package func runOnDedicatedThread(name: String, _ body: @escaping @Sendable (StopSignal) throws -> Void) async throws {
    let stop = StopSignal()
    try await withGracefulShutdownHandler {
        try await DedicatedThread.run(name: name, stop: stop) { try body(stop) }
    } onGracefulShutdown: {
        stop.stop()
    }
}

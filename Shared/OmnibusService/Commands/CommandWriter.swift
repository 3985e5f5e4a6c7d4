import Foundation
import OmnibusBus

/// The command server's writer: applies screened commands, a batch per transaction, on a
/// thread of its own, while the server's thread goes on receiving, decoding, screening and
/// replying. Batches still apply one after another, so a retried request id finds the
/// reply its first copy stored, and two edits of one cart never interleave.
///
/// `@unchecked Sendable`: its mutable state — the commands and answers it holds (socket
/// frames, decoded handlers) — is touched only under `condition`'s lock, and each command
/// and answer is used by one thread at a time.
final class CommandWriter: @unchecked Sendable {
    typealias Command = (message: RoutedMessage, entry: CommandRegistry.Entry, command: CommandRegistry.DecodedCommand)
    typealias Answered = (message: RoutedMessage, answer: CommandServer.Answer)

    /// Signalled whenever answers are ready to take: the server's thread polls it beside its socket.
    let answersReady: WakeSignal
    private let maxBatch: Int
    private let apply: @Sendable ([Command]) -> [Answered]
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queued: [Command] = []
    private var answered: [Answered] = []
    private var applying = false
    private var stopping = false
    private var exited = false

    /// `apply` runs on the writer's thread, one batch of at most `maxBatch` at a time.
    init(maxBatch: Int, apply: @escaping @Sendable ([Command]) -> [Answered]) throws {
        answersReady = try WakeSignal()
        self.maxBatch = maxBatch
        self.apply = apply
    }

    /// Starts the writer's thread; ``stopAndWait()`` ends it.
    func start(name: String) {
        DedicatedThread.start(name: name) { self.run() }
    }

    /// Queues `commands` behind those already waiting.
    func submit(_ commands: [Command]) {
        guard !commands.isEmpty else { return }
        condition.withLock {
            queued += commands
            condition.broadcast()
        }
    }

    /// How many commands wait for the writer (not counting the batch it is applying): the
    /// server stops reading its socket while a full batch waits, so a flood waits in
    /// libzmq's bounded queues, not here.
    var queuedCount: Int { condition.withLock { queued.count } }

    /// Whether a batch is being applied or its answers wait to be taken.
    var isBusy: Bool { condition.withLock { applying || !answered.isEmpty } }

    /// The answers of the batches applied since the last call, in the order applied.
    func takeAnswers() -> [Answered] {
        condition.withLock {
            defer { answered.removeAll(keepingCapacity: true) }
            return answered
        }
    }

    /// Lets the writer finish what was submitted, then waits for its thread to end; the
    /// last answers are then for ``takeAnswers()``.
    func stopAndWait() {
        condition.withLock {
            stopping = true
            condition.broadcast()
            while !exited { condition.wait() }
        }
    }

    private func run() {
        while let batch = next() {
            let answers = apply(batch)
            condition.withLock {
                answered += answers
                applying = false
            }
            answersReady.wake()
        }
    }

    /// The next batch, waiting for one; nil once stopping and nothing is left.
    private func next() -> [Command]? {
        condition.withLock {
            while queued.isEmpty && !stopping { condition.wait() }
            guard !queued.isEmpty else {
                exited = true
                condition.broadcast()
                return nil
            }
            let count = min(queued.count, maxBatch)
            let batch = Array(queued.prefix(count))
            queued.removeFirst(count)
            applying = true
            return batch
        }
    }
}

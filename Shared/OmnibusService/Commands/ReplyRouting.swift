import Foundation
import Logging
import OmnibusBus
import OmnibusContracts

/// The command server thread's side of replies: sends each answer to its caller, keeps the
/// callers of pending commands waiting under their keys, and hands them the deferred replies
/// as they complete. Only that thread uses it (it alone may use the socket).
struct ReplyRouting {
    private var waiting = WaitingCallers()
    /// Deferred replies that found no caller while the writer was mid-batch, for one more try.
    private var unmatched: [(key: String, reply: Data)] = []
    private let maxWaitingCallers: Int
    private let logger: Logger

    init(maxWaitingCallers: Int, logger: Logger) {
        self.maxWaitingCallers = maxWaitingCallers
        self.logger = logger
    }

    /// Sends replies that never reached the writer (refusals).
    func send(_ refusals: [CommandWriter.Answered], on socket: ZMQSocket) throws {
        for (message, answer) in refusals {
            guard case .reply(let data) = answer else {
                assertionFailure("a refusal is a reply")
                continue
            }
            try message.reply([data], on: socket)
        }
    }

    /// Sends the writer's `answers` and the deferred replies `completions`.
    ///
    /// A deferred reply can complete between the writer's commit of its pending command and
    /// the hand-over of that command's answer, before its caller is waiting here. So the
    /// server takes the completions first, then asks whether the writer `wasBusy`, then takes
    /// its answers: a completion that finds no caller while the writer was busy is tried
    /// again after the writer's next answers (the batch it belongs to), then dropped — its
    /// caller retries with the same id and gets the stored reply.
    mutating func deliver(
        _ answers: [CommandWriter.Answered], completions: [(key: String, reply: Data)], writerWasBusy: Bool, on socket: ZMQSocket
    ) throws {
        for (message, answer) in answers {
            switch answer {
            case .reply(let data):
                try message.reply([data], on: socket)
            case .encode(let requestId, let encode):
                let data: Data
                do {
                    data = try encode()
                } catch {
                    logger.error("reply not encodable", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
                    data = CommandServer.reply(requestId: requestId, OmnibusError(.internal, "the reply could not be encoded; the command was applied"))
                }
                try message.reply([data], on: socket)
            case .pending(let key, let requestId):
                guard waiting.add(message, requestId: requestId, under: key, limit: maxWaitingCallers) else {
                    logger.warning("too many callers waiting for deferred replies", metadata: ["key": "\(key)"])
                    try message.reply([CommandServer.reply(requestId: requestId, OmnibusError(
                        .unavailable, "the service is busy; the command goes on, retry with the same id for its reply"))], on: socket)
                    continue
                }
            }
        }
        if !answers.isEmpty {
            let retried = unmatched
            unmatched = []
            for (key, data) in retried {
                for message in waiting.take(key) { try message.reply([data], on: socket) }
            }
        }
        for (key, data) in completions {
            let callers = waiting.take(key)
            if callers.isEmpty && writerWasBusy { unmatched.append((key, data)) }
            for message in callers { try message.reply([data], on: socket) }
        }
    }

    /// Forgets callers that have waited longer than `age` (they gave up and resent long ago).
    mutating func forgetWaits(olderThan age: Duration) {
        waiting.forget(olderThan: age)
    }
}

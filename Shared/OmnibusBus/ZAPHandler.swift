import CZeroMQ
import Dispatch
import Foundation
import Synchronization

/// One client handshake as libzmq hands it to the ZAP handler (ZeroMQ RFC 27).
public struct ZAPRequest: Sendable, Equatable {
    /// The server socket's ``ZMQSocket/bind(_:zapDomain:)`` domain, such as `orders.commands`.
    public var domain: String
    /// The client's address as libzmq reports it (an IP address for tcp).
    public var address: String
    /// `CURVE`, `PLAIN` or `NULL`.
    public var mechanism: String
    /// The client's CURVE public key in Z85; nil for other mechanisms.
    public var publicKey: String?
}

/// What the handler answers: admitted as a user id (the principal's name, which every
/// message from that connection then carries), or refused with a reason.
public enum ZAPVerdict: Sendable, Equatable {
    case admit(userId: String)
    case refuse(reason: String)
}

/// Authenticates every CURVE handshake of one context: libzmq asks it at
/// `inproc://zeromq.zap.01`, and it answers from `decide`.
///
/// libzmq 4.3 without the draft API admits every client of a CURVE server when no handler
/// is bound, so ``start(context:decide:)`` returns only once the handler is bound: start it
/// before binding the first server socket.
public final class ZAPHandler: Sendable {
    /// Where libzmq looks for the handler of a context.
    public static let endpoint = "inproc://zeromq.zap.01"
    private let stop = StopSignal()

    private init() {}

    /// Binds the handler on a thread of its own and returns when it is bound (or throws why
    /// it could not be, e.g. another handler already serves this context).
    public static func start(
        context: ZMQContext, decide: @escaping @Sendable (ZAPRequest) -> ZAPVerdict
    ) throws -> ZAPHandler {
        let handler = ZAPHandler()
        let bound = DispatchSemaphore(value: 0)
        let failure = BindFailure()
        DedicatedThread.start(name: "zap-handler") { [stop = handler.stop] in
            let socket: ZMQSocket
            do {
                socket = try ZMQSocket(context: context, type: .reply, lingerMilliseconds: 0)
                try socket.bind(endpoint)
            } catch {
                failure.set(error)
                bound.signal()
                return
            }
            bound.signal()
            serve(socket, until: stop, decide: decide)
        }
        bound.wait()
        if let error = failure.error { throw error }
        return handler
    }

    /// Refuses every handshake from now on. The handler stays bound: were it gone, libzmq
    /// would admit every client of a CURVE server, and take a client's own handshake
    /// metadata (a `User-Id` it made up) as the principal.
    public func shutdown() { stop.stop() }

    deinit { stop.stop() }

    /// Answers until the context is terminated, refusing everyone once `refuseAll` is raised.
    private static func serve(_ socket: ZMQSocket, until refuseAll: StopSignal, decide: @escaping (ZAPRequest) -> ZAPVerdict) {
        let refusing: (ZAPRequest) -> ZAPVerdict = { _ in .refuse(reason: "the service is shutting down") }
        while true {
            do {
                guard try socket.waitForInput(timeoutMilliseconds: 100), let frames = try socket.receive() else { continue }
                try socket.send(answer(frames, decide: refuseAll.isStopped ? refusing : decide))
            } catch let error as ZMQError where error.isContextTerminated {
                return
            } catch {
                continue  // a malformed request from libzmq itself cannot happen; keep serving
            }
        }
    }

    /// The reply frames for one request: version, request id, status code and text, user id, metadata.
    static func answer(_ frames: [Data], decide: (ZAPRequest) -> ZAPVerdict) -> [Data] {
        guard frames.count >= 6, String(decoding: frames[0], as: UTF8.self) == "1.0" else {
            return [text("1.0"), frames.count > 1 ? frames[1] : Data(), text("500"), text("malformed ZAP request"), Data(), Data()]
        }
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        let request = ZAPRequest(
            domain: String(decoding: frames[2], as: UTF8.self), address: String(decoding: frames[3], as: UTF8.self),
            mechanism: mechanism,
            publicKey: mechanism == "CURVE" && frames.count >= 7 && frames[6].count == 32 ? z85(frames[6]) : nil)
        switch decide(request) {
        case .admit(let userId): return [text("1.0"), frames[1], text("200"), text("OK"), text(userId), Data()]
        case .refuse(let reason): return [text("1.0"), frames[1], text("400"), text(reason), Data(), Data()]
        }
    }

    private static func text(_ value: String) -> Data { Data(value.utf8) }

    private static func z85(_ key: Data) -> String {
        var text = [CChar](repeating: 0, count: 41)
        _ = key.withUnsafeBytes { zmq_z85_encode(&text, $0.bindMemory(to: UInt8.self).baseAddress, 32) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The bind error of the handler's thread, read by the starting thread after the semaphore.
private final class BindFailure: Sendable {
    private let stored = Mutex<(any Error)?>(nil)
    func set(_ error: any Error) { stored.withLock { $0 = error } }
    var error: (any Error)? { stored.withLock { $0 } }
}

import CZeroMQ

/// The libzmq socket patterns Omnibus uses.
public enum SocketType: Sendable, CustomStringConvertible {
    case publisher, subscriber, router, dealer, request, reply, pair, xpublisher, xsubscriber

    var rawValue: Int32 {
        switch self {
        case .publisher: ZMQ_PUB
        case .subscriber: ZMQ_SUB
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .request: ZMQ_REQ
        case .reply: ZMQ_REP
        case .pair: ZMQ_PAIR
        case .xpublisher: ZMQ_XPUB
        case .xsubscriber: ZMQ_XSUB
        }
    }

    public var description: String {
        switch self {
        case .publisher: "PUB"
        case .subscriber: "SUB"
        case .router: "ROUTER"
        case .dealer: "DEALER"
        case .request: "REQ"
        case .reply: "REP"
        case .pair: "PAIR"
        case .xpublisher: "XPUB"
        case .xsubscriber: "XSUB"
        }
    }
}

import CZeroMQ

/// The ZeroMQ socket types this project uses.
public enum SocketType: Sendable, CaseIterable {
    case router, dealer, req, rep, pub, sub, xpub, xsub, pair

    var rawValue: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .pair: ZMQ_PAIR
        }
    }
}

/// A socket option with its value.
public enum SocketOption: Sendable {
    /// How long unsent messages linger after close; `nil` waits forever (never use that in this project).
    case linger(Duration?)
    case sendHighWaterMark(Int32)
    case receiveHighWaterMark(Int32)
    /// ROUTER: fail with `EHOSTUNREACH` instead of silently dropping unroutable messages.
    case routerMandatory(Bool)
    /// Queue messages only to completed connections.
    case immediate(Bool)
    case reconnectInterval(Duration)
    case reconnectIntervalMax(Duration)
    case routingID([UInt8])
    /// SUB: subscribe to a prefix.
    case subscribe([UInt8])
    /// SUB: drop a prefix subscription.
    case unsubscribe([UInt8])
    /// Receive timeout for blocking receives; `nil` blocks forever.
    case receiveTimeout(Duration?)
    /// Send timeout for blocking sends; `nil` blocks forever.
    case sendTimeout(Duration?)
}

extension Duration {
    /// Whole milliseconds, rounded up, clamped to `Int32`.
    var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(0, millis))
    }
}

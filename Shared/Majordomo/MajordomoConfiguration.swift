import Foundation

/// Timing shared by Majordomo brokers, workers and clients. The defaults suit a LAN.
public struct MajordomoConfiguration: Sendable {
    /// How often peers send HEARTBEAT (default 1 s).
    public var heartbeatInterval: Duration
    /// How many heartbeat intervals may pass in silence before a peer is considered dead (default 3).
    public var heartbeatLiveness: Int
    /// First reconnect delay after the broker went silent (default 250 ms); doubles on each failure.
    public var reconnectInitial: Duration
    /// Cap of the reconnect delay (default 10 s).
    public var reconnectMax: Duration
    /// LINGER of every socket: how long close waits for unsent messages (default 500 ms).
    public var linger: Duration

    /// Creates a configuration; every argument has the documented default.
    public init(
        heartbeatInterval: Duration = .seconds(1),
        heartbeatLiveness: Int = 3,
        reconnectInitial: Duration = .milliseconds(250),
        reconnectMax: Duration = .seconds(10),
        linger: Duration = .milliseconds(500)
    ) {
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatLiveness = max(1, heartbeatLiveness)
        self.reconnectInitial = reconnectInitial
        self.reconnectMax = reconnectMax
        self.linger = linger
    }

    /// How long a peer may stay silent before it is considered dead: interval × liveness.
    public var expiry: Duration { heartbeatInterval * heartbeatLiveness }
}

/// Why the broker answers a request itself with an error.
public enum BrokerFailureKind: String, Sendable {
    /// No live worker took the request before it expired (problem code `service_unavailable`).
    case serviceUnavailable = "service_unavailable"
    /// The worker handling the request stopped heartbeating (problem code `worker_lost`).
    case workerLost = "worker_lost"
}

/// Everything the broker knows when it must build an error reply for a client.
public struct BrokerFailure: Sendable {
    /// Why the request failed.
    public var kind: BrokerFailureKind
    /// The requested service.
    public var service: String
    /// The request's body frames (in Concierge: operation, payload, metadata).
    public var requestBody: [[UInt8]]
    /// A human-readable explanation.
    public var detail: String
}

/// Broker settings: where to bind, timing, request expiry and how to phrase broker-made error replies.
public struct MajordomoBrokerConfiguration: Sendable {
    /// Endpoints to bind, for example `tcp://*:5555` or `tcp://127.0.0.1:*`.
    public var endpoints: [String]
    /// Heartbeat and linger timing.
    public var timing: MajordomoConfiguration
    /// How long a request may wait for a service that has no live worker (default 3 s).
    public var requestExpiry: Duration
    /// Longest a request may wait in a queue even when the service has (busy) workers (default 30 s).
    public var maxQueueWait: Duration
    /// Builds the body frames of a broker-made error reply. The default is `defaultErrorReply`; Concierge's broker
    /// passes one that emits a Wire `ReplyEnvelope` with an RFC 9457 problem.
    public var errorReply: @Sendable (BrokerFailure) -> [[UInt8]]

    /// Creates a broker configuration.
    public init(
        endpoints: [String],
        timing: MajordomoConfiguration = MajordomoConfiguration(),
        requestExpiry: Duration = .seconds(3),
        maxQueueWait: Duration = .seconds(30),
        errorReply: @escaping @Sendable (BrokerFailure) -> [[UInt8]] = MajordomoBrokerConfiguration.defaultErrorReply
    ) {
        self.endpoints = endpoints
        self.timing = timing
        self.requestExpiry = requestExpiry
        self.maxQueueWait = maxQueueWait
        self.errorReply = errorReply
    }

    /// A minimal error reply without the Wire module: `["503", {"code": ..., "detail": ...}]`.
    public static let defaultErrorReply: @Sendable (BrokerFailure) -> [[UInt8]] = { failure in
        let detail = failure.detail.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
        let body = "{\"code\":\"\(failure.kind.rawValue)\",\"detail\":\"\(detail)\",\"status\":503}"
        return [Array("503".utf8), Array(body.utf8)]
    }
}

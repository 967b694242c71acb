import Logging
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The client's state: one DEALER connection and the table of outstanding requests. Runs on the client's socket
/// thread.
///
/// `@unchecked Sendable`: after creation it is only used from closures the socket thread runs, so its tables are
/// confined to that thread. Continuations are resumed from that thread.
final class ClientCore: @unchecked Sendable {
    typealias Continuation = CheckedContinuation<[[UInt8]], any Error>

    private struct Pending {
        var service: String
        var correlationID: String
        var continuation: Continuation
        var timer: IOLoop.TimerID?
    }

    private let endpoint: String
    private let timing: MajordomoConfiguration
    private let logger: Logger
    private let correlate: @Sendable ([[UInt8]]) -> String?
    private var loop: IOLoop?
    private var socket: ZMQSocket?
    private var pending: [UInt64: Pending] = [:]
    private var byCorrelation: [String: UInt64] = [:]
    /// Outstanding tokens per service, oldest first, for replies that carry no correlation id.
    private var order: [String: [UInt64]] = [:]
    /// Tokens cancelled before their request reached this thread.
    private var cancelledEarly: Set<UInt64> = []
    private var stopped = false

    init(
        endpoint: String, timing: MajordomoConfiguration, logger: Logger,
        correlate: @escaping @Sendable ([[UInt8]]) -> String?
    ) {
        self.endpoint = endpoint
        self.timing = timing
        self.logger = logger
        self.correlate = correlate
    }

    func start(loop: IOLoop) throws {
        self.loop = loop
        let socket = try loop.makeSocket(.dealer, linger: timing.linger)
        try socket.set(.reconnectInterval(timing.reconnectInitial))
        try socket.set(.reconnectIntervalMax(timing.reconnectMax))
        try socket.set(.sendHighWaterMark(100_000))
        try socket.set(.receiveHighWaterMark(100_000))
        try socket.connect(endpoint)
        self.socket = socket
        loop.watch(socket) { [unowned self] frames in self.handle(frames) }
        loop.onShutdown { [unowned self] in self.failAll(MajordomoError.stopped) }
    }

    // MARK: Requests

    func send(
        token: UInt64, service: String, body: [[UInt8]], correlationID: String, timeout: Duration,
        continuation: Continuation
    ) {
        if cancelledEarly.remove(token) != nil {
            continuation.resume(throwing: CancellationError())
            return
        }
        guard !stopped, let socket, let loop else {
            continuation.resume(throwing: MajordomoError.stopped)
            return
        }
        guard byCorrelation[correlationID] == nil else {
            continuation.resume(throwing: MajordomoError.duplicateCorrelationID(correlationID))
            return
        }
        do {
            guard try socket.send(MDP.clientRequest(service: service, body: body)) else {
                continuation.resume(throwing: MajordomoError.socket(ZMQError(code: EAGAIN, operation: "zmq_send")))
                return
            }
        } catch let error as ZMQError {
            continuation.resume(throwing: MajordomoError.socket(error))
            return
        } catch {
            continuation.resume(throwing: error)
            return
        }
        let timer = loop.schedule(after: timeout) { [unowned self] in
            self.finish(token, .failure(MajordomoError.timeout))
        }
        pending[token] = Pending(
            service: service, correlationID: correlationID, continuation: continuation, timer: timer)
        byCorrelation[correlationID] = token
        order[service, default: []].append(token)
    }

    func cancel(_ token: UInt64) {
        if pending[token] != nil {
            finish(token, .failure(CancellationError()))
        } else {
            cancelledEarly.insert(token)
        }
    }

    private func finish(_ token: UInt64, _ result: Result<[[UInt8]], any Error>) {
        guard let entry = pending.removeValue(forKey: token) else { return }
        if let timer = entry.timer { loop?.cancel(timer) }
        byCorrelation[entry.correlationID] = nil
        order[entry.service]?.removeAll { $0 == token }
        if order[entry.service]?.isEmpty == true { order[entry.service] = nil }
        entry.continuation.resume(with: result)
    }

    // MARK: Replies

    private func handle(_ frames: [[UInt8]]) {
        guard frames.count >= 3, frames[0].isEmpty, frames[1] == MDP.clientHeader,
            let service = String(validating: frames[2], as: UTF8.self)
        else {
            logger.warning("client dropping malformed reply", metadata: ["frames": "\(frames.count)"])
            return
        }
        let body = Array(frames[3...])
        let token: UInt64?
        if let id = correlate(body) {
            token = byCorrelation[id]
        } else {
            token = order[service]?.first
        }
        guard let token else {
            logger.debug(
                "dropping reply with no outstanding request (late or unknown)", metadata: ["service": "\(service)"])
            return
        }
        finish(token, .success(body))
    }

    func failAll(_ error: any Error) {
        stopped = true
        for token in Array(pending.keys) { finish(token, .failure(error)) }
    }
}

import Foundation
import Logging
import ServiceLifecycle
import ZeroMQ

/// A Majordomo (MDP/0.1) client with many requests in flight over one DEALER connection.
///
/// Replies are matched to requests with `correlate(replyBodyFrames)`; when it returns `nil` (for example for
/// `mmi.service` replies) the oldest outstanding request for that service gets the reply. It does not retry: retries
/// with a new request id and the same idempotency key belong one layer up.
///
/// Run it as a `Service` so that it closes cleanly on shutdown; the connection is also opened lazily by the first
/// request, so it can be used before `run()` has started.
public final class MajordomoClient: Service, Sendable {
    private let brokerEndpoint: String
    private let configuration: MajordomoConfiguration
    private let logger: Logger
    private let thread: SocketThread?
    private let core: ClientCore
    private let state = LockedState()

    /// Creates a client for the broker at `brokerEndpoint`. `correlate` extracts the correlation id of a reply from
    /// its body frames.
    public init(
        brokerEndpoint: String,
        configuration: MajordomoConfiguration,
        logger: Logger,
        correlate: @escaping @Sendable ([[UInt8]]) -> String?
    ) {
        self.brokerEndpoint = brokerEndpoint
        self.configuration = configuration
        self.logger = logger
        self.thread = try? SocketThread(name: "mdp-client", logger: logger)
        self.core = ClientCore(endpoint: brokerEndpoint, timing: configuration, logger: logger, correlate: correlate)
    }

    /// Sends `body` to `service` and waits for the reply's body frames.
    ///
    /// - Throws: `MajordomoError.timeout` when no reply arrives within `timeout` (a late reply is dropped),
    ///   `CancellationError` when the calling task is cancelled, `MajordomoError.duplicateCorrelationID` when a
    ///   request with the same id is in flight, `MajordomoError.stopped` after shutdown.
    public func request(service: String, body: [[UInt8]], correlationID: String, timeout: Duration) async throws
        -> [[UInt8]]
    {
        guard !service.isEmpty else { throw MajordomoError.invalidServiceName(service) }
        let thread = try await started()
        try Task.checkCancellation()
        let token = state.nextToken()
        let core = self.core
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let accepted = thread.execute { _ in
                    core.send(
                        token: token, service: service, body: body, correlationID: correlationID, timeout: timeout,
                        continuation: continuation)
                }
                if !accepted { continuation.resume(throwing: MajordomoError.stopped) }
            }
        } onCancel: {
            thread.execute { _ in core.cancel(token) }
        }
    }

    /// Asks the broker (`mmi.service`, RFC 8) whether a live worker serves `service`.
    public func serviceAvailable(_ service: String, timeout: Duration) async throws -> Bool {
        let reply = try await request(
            service: "mmi.service", body: [Array(service.utf8)], correlationID: "mmi-\(UUID().uuidString)",
            timeout: timeout)
        return reply.first == Array("200".utf8)
    }

    /// Keeps the connection open until graceful shutdown or cancellation, then fails outstanding requests with
    /// `MajordomoError.stopped` and closes the socket.
    public func run() async throws {
        _ = try await started()
        await waitForStop()
        await shutdown()
    }

    /// Closes the connection now; outstanding requests fail with `MajordomoError.stopped`.
    public func shutdown() async {
        state.markStopped()
        guard let thread else { return }
        let core = self.core
        thread.execute { _ in core.failAll(MajordomoError.stopped) }
        await thread.shutdown()
    }

    private func started() async throws -> SocketThread {
        guard let thread else { throw MajordomoError.stopped }
        switch state.beginStart() {
        case .stopped: throw MajordomoError.stopped
        case .first:
            thread.start()
            let core = self.core
            do {
                try await thread.run { loop in try core.start(loop: loop) }
                state.finishStart(nil)
            } catch let error as ZMQError {
                state.finishStart(.socket(error))
                throw MajordomoError.socket(error)
            }
        case .already:
            break
        }
        if let error = await state.waitStarted() { throw error }
        return thread
    }
}

/// Lazy-start bookkeeping and the request token counter.
///
/// `@unchecked Sendable`: every field is only accessed while holding `lock`.
private final class LockedState: @unchecked Sendable {
    enum StartState { case first, already, stopped }
    private let lock = NSLock()
    private var token: UInt64 = 0
    private var starting = false
    private var stopped = false
    private let startedLatch = Latch<Box>()

    struct Box: Sendable { var error: MajordomoError? }

    func nextToken() -> UInt64 {
        lock.withLock {
            token += 1
            return token
        }
    }

    func beginStart() -> StartState {
        lock.withLock {
            if stopped { return .stopped }
            if starting { return .already }
            starting = true
            return .first
        }
    }

    func finishStart(_ error: MajordomoError?) { startedLatch.fulfill(Box(error: error)) }

    func waitStarted() async -> MajordomoError? { await startedLatch.wait().error }

    func markStopped() {
        lock.withLock { stopped = true }
        startedLatch.fulfill(Box(error: .stopped))
    }
}

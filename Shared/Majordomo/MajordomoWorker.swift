import Logging
import ServiceLifecycle
import ZeroMQ

/// A Majordomo (MDP/0.1) worker for one service, run as a swift-service-lifecycle `Service`.
///
/// It opens `concurrency` DEALER connections to the broker, each an independent MDP worker, all owned by one socket
/// thread; so the broker can hand it that many requests at once. Each request's `handler` runs in its own task and the
/// reply goes back on the connection the request came from. Connections heartbeat the broker, reconnect with
/// exponential back-off when the broker goes silent, and register again after DISCONNECT or a broker restart.
///
/// On graceful shutdown (or cancellation) it stops taking new work, finishes in-flight requests, sends DISCONNECT on
/// every connection and closes the sockets with LINGER.
public final class MajordomoWorker: Service, Sendable {
    private let brokerEndpoint: String
    private let service: String
    private let concurrency: Int
    private let configuration: MajordomoConfiguration
    private let logger: Logger
    private let handler: @Sendable ([[UInt8]]) async -> [[UInt8]]

    /// Creates a worker for `service`. `handler` maps request body frames to reply body frames.
    public init(
        brokerEndpoint: String,
        service: String,
        concurrency: Int,
        configuration: MajordomoConfiguration,
        logger: Logger,
        handler: @escaping @Sendable ([[UInt8]]) async -> [[UInt8]]
    ) {
        self.brokerEndpoint = brokerEndpoint
        self.service = service
        self.concurrency = max(1, concurrency)
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
    }

    /// Serves requests until graceful shutdown or cancellation, then drains and disconnects.
    public func run() async throws {
        guard !service.isEmpty, !service.hasPrefix(MDP.mmiPrefix) else {
            throw MajordomoError.invalidServiceName(service)
        }
        var logger = self.logger
        logger[metadataKey: "service"] = "\(service)"
        let thread = try SocketThread(name: "mdp-worker-\(service)", logger: logger)
        thread.start()
        let core = WorkerCore(
            endpoint: brokerEndpoint, service: service, concurrency: concurrency, timing: configuration,
            logger: logger, handler: handler, thread: thread)
        do {
            try await thread.run { loop in try core.start(loop: loop) }
        } catch {
            await thread.shutdown()
            throw error
        }
        logger.info("worker started", metadata: ["broker": "\(brokerEndpoint)", "concurrency": "\(concurrency)"])
        await waitForStop { thread.execute { _ in core.beginStop() } }
        _ = await core.stopped.wait()
        await thread.shutdown()
        logger.info("worker stopped")
    }
}

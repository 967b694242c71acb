import Logging
import ServiceLifecycle
import ZeroMQ

/// A Majordomo (MDP/0.1, ZeroMQ RFC 7) broker, run as a swift-service-lifecycle `Service`.
///
/// It binds a ROUTER socket to every configured endpoint, queues requests per service, hands them to waiting workers
/// least-recently-used first, heartbeats workers, expires silent workers (answering the client of a busy one with a
/// `worker_lost` error), expires requests for services without workers (`service_unavailable`), disconnects workers
/// that break the protocol, and answers `mmi.service` from live workers (RFC 8).
///
/// `run()` returns after graceful shutdown or task cancellation; the socket thread is joined before it returns.
public final class MajordomoBroker: Service, Sendable {
    private let configuration: MajordomoBrokerConfiguration
    private let logger: Logger
    private let endpointsLatch = Latch<Result<[String], MajordomoError>>()

    /// Creates a broker. Nothing is bound until `run()`.
    public init(configuration: MajordomoBrokerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The endpoints actually bound (wildcard ports resolved). Waits until `run()` has bound them; throws if binding
    /// failed.
    public func boundEndpoints() async throws -> [String] {
        try await endpointsLatch.wait().get()
    }

    /// Runs the broker until graceful shutdown or cancellation.
    public func run() async throws {
        let thread: SocketThread
        do {
            thread = try SocketThread(name: "mdp-broker", logger: logger)
        } catch let error as ZMQError {
            endpointsLatch.fulfill(.failure(.socket(error)))
            throw error
        }
        thread.start()
        let core = BrokerCore(configuration: configuration, logger: logger)
        do {
            let bound = try await thread.run { loop in try core.start(loop: loop) }
            endpointsLatch.fulfill(.success(bound))
        } catch {
            logger.error("broker failed to bind", metadata: ["error": "\(error)"])
            endpointsLatch.fulfill(.failure((error as? ZMQError).map(MajordomoError.socket) ?? .stopped))
            await thread.shutdown()
            throw error
        }
        await waitForStop()
        logger.info("broker stopping")
        await thread.shutdown()
        logger.info("broker stopped")
    }
}

/// Suspends until graceful shutdown is triggered (inside a `ServiceGroup`) or the task is cancelled.
func waitForStop(onStop: @escaping @Sendable () -> Void = {}) async {
    let stop = Latch<Bool>()
    await withTaskCancellationHandler {
        await withGracefulShutdownHandler {
            _ = await stop.wait()
        } onGracefulShutdown: {
            onStop()
            stop.fulfill(true)
        }
    } onCancel: {
        onStop()
        stop.fulfill(true)
    }
}

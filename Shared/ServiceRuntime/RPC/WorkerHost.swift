import Logging
import Majordomo
import Wire

/// Serves a service's operations over MDP: `concurrency` worker connections to the broker, each request decoded
/// from the Concierge envelope and answered by the `OperationRouter`.
public enum WorkerHost {
    /// The MDP worker (a lifecycle `Service`) for `service`, answering with `router`.
    public static func worker(
        service: String, router: OperationRouter, services: ServiceClient?, configuration: RuntimeConfiguration,
        logger: Logger
    ) -> MajordomoWorker {
        MajordomoWorker(
            brokerEndpoint: configuration.brokerEndpoint, service: service,
            concurrency: configuration.workerConcurrency, configuration: configuration.majordomo, logger: logger
        ) { frames in
            await handle(frames, router: router, services: services, logger: logger)
        }
    }

    /// Answers one request's body frames with reply body frames.
    public static func handle(
        _ frames: [[UInt8]], router: OperationRouter, services: ServiceClient?, logger: Logger
    ) async -> [[UInt8]] {
        let request: RequestEnvelope
        do {
            request = try RequestEnvelope(frames: frames)
        } catch {
            let requestID = frames.count == 3 ? ReplyEnvelope.requestID(inMetadata: frames[2]) : nil
            logger.warning("malformed request", metadata: ["error": "\(error)"])
            return ReplyEnvelope(problem: .badRequest("\(error)", code: "malformed_request"), requestID: requestID)
                .frames()
        }
        return await router.handle(request, services: services, logger: logger).frames()
    }
}

import Foundation
import Logging
import Wire

extension OperationContext {
    /// A context for work a service does by itself (a periodic job): the service is the principal, and events are
    /// appended to the log of `source` in the job's transaction (consumers find them by reading the log; no hint
    /// is sent, so they arrive within a consumer's poll interval). `services` is the process's broker client for a
    /// job that asks other services (`ServiceDefinition.brokerJobs`).
    public static func background(
        operation: String, source: String, logger: Logger, services: ServiceClient? = nil
    ) -> OperationContext {
        OperationContext(
            operation: operation,
            metadata: RequestMetadata(
                requestID: "\(operation)/\(UUID().uuidString)", principal: Principal(role: .service)),
            logger: logger, services: services,
            events: EventRecorder(store: EventStore(source: source), traceparent: nil))
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import Wire

/// What a handler knows about the request it serves.
public struct OperationContext: Sendable {
    public var operation: String
    public var metadata: RequestMetadata
    public var logger: Logger
    /// Calls to other services, carrying this request's caller and deadline along.
    public var services: ServiceClient?
    /// Appends domain events in the command's transaction; nil for reads and services that publish nothing.
    public var events: EventRecorder?

    public init(
        operation: String, metadata: RequestMetadata, logger: Logger, services: ServiceClient?,
        events: EventRecorder? = nil
    ) {
        self.operation = operation
        self.metadata = metadata
        self.logger = logger
        self.services = services
        self.events = events
    }

    /// Appends `event` to the log in the open transaction on `connection`; published after the commit.
    public func record(_ event: NewEvent, on connection: PostgresConnection) async throws {
        guard let events else { throw Problem.internal("\(operation) records events but the service has no publisher") }
        try await events.record(event, on: connection, logger: logger)
    }

    /// The caller; requests without one come from another service inside the suite.
    public var principal: Principal { metadata.principal ?? Principal(role: .service) }

    /// Refuses callers who are not staff or a service (customers may not use this operation).
    public func requireStaff() throws {
        if principal.role == .customer {
            throw Problem.forbidden("customer keys may not use \(operation)")
        }
    }

    /// Refuses a `customer` caller acting on any customer but themselves.
    public func authorize(customerID: UUID) throws {
        guard principal.role == .customer else { return }
        guard principal.customerID == customerID else {
            throw Problem.forbidden("a customer key may only access its own customer's data")
        }
    }

    /// The metadata to send with a call this handler makes to another service: same caller and deadline, a fresh
    /// request id and, for state changes, an idempotency key derived from this request's key so retries stay safe.
    public func downstreamMetadata(idempotencySuffix: String? = nil) -> RequestMetadata {
        RequestMetadata(
            requestID: UUID().uuidString,
            idempotencyKey: idempotencySuffix.flatMap { suffix in metadata.idempotencyKey.map { "\($0)/\(suffix)" } },
            principal: metadata.principal,
            deadlineMillis: metadata.deadlineMillis,
            traceparent: metadata.traceparent)
    }
}

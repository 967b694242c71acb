import Contracts
import Foundation
import ServiceRuntime
import Wire

/// Opens the ticket a return belongs to when it has none.
public protocol ReturnTicketOpener: Sendable {
    /// The id of a new ticket for `request` (idempotent under `idempotencyKey`); nil when there is no helpdesk to
    /// ask (a single service under test, like `CustomerDirectory`).
    func open(_ request: CreateTicket, idempotencyKey: String, context: OperationContext) async throws -> UUID?
}

/// ``ReturnTicketOpener`` over the broker: `tickets.create` as a service, with the given key, so a retry of the
/// return's creation finds the same ticket.
public struct BrokerTicketOpener: ReturnTicketOpener {
    public init() {}

    public func open(_ request: CreateTicket, idempotencyKey: String, context: OperationContext) async throws -> UUID? {
        guard let services = context.services else { return nil }
        var metadata = context.downstreamMetadata()
        metadata.principal = nil
        metadata.idempotencyKey = idempotencyKey
        let ticket: Ticket = try await services.call(
            Operation.Tickets.service, Operation.Tickets.create, request, metadata: metadata)
        return ticket.id
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// Opens a new ticket the one way every entry point does (`tickets.create`, the email and contact channels):
/// categorised (its words first, then the order it is about, then the trained classifier), stored with the customer's segments and the linked
/// order, `ticket.created` recorded, routed, its SLA started and the `created` triggers run.
enum TicketOpening {
    /// Opens `input` for a customer described by `facts`; `stored` runs right after the row exists (the channels
    /// record where the contact came from). Returns the ticket as it is at the end, with the conversation the caller
    /// may see (internal notes only when `includeInternal`).
    static func open(
        _ input: CreateTicket, facts: TicketFacts, includeInternal: Bool, context: OperationContext,
        on connection: PostgresConnection, stored: ((Ticket) async throws -> Void)? = nil
    ) async throws -> Ticket {
        let logger = context.logger
        let repository = PostgresTicketRepository()
        var (category, reason) =
            input.category.map { ($0, "set on creation") }
            ?? TicketCategorizer.categorize(subject: input.subject, message: input.message, order: facts.order)
        if input.category == nil, category == "other",
            let (learnt, why) = try await CategoryModelStore().classify(
                input.subject + " " + input.message, on: connection, logger: logger)
        {
            (category, reason) = (learnt, why)
        }
        let created = try await repository.create(
            input, category: category, categoryReason: reason, orderID: facts.order?.id,
            customerSegments: facts.segments, on: connection, logger: logger)
        try await stored?(created)
        try await context.record(try TicketEvents.event(EventType.ticketCreated, created), on: connection)
        var ticket = try await TicketAssigner().route(
            created, record: { try await context.record($0, on: connection) }, on: connection, logger: logger)
        try await SLATracker().refresh(ticketID: ticket.id, on: connection, logger: logger)
        let triggered = try await TriggerRunner.run(
            .created, ticketID: ticket.id, message: input.message,
            facts: facts.customer == nil ? nil : facts, context: context, on: connection)
        // Untouched since the insert (no group, agent or trigger): the insert's answer is the ticket as it is.
        if !triggered, ticket.version == created.version {
            ticket.messages = created.messages
            return ticket
        }
        if triggered {
            ticket = try await repository.lock(id: ticket.id, on: connection, logger: logger) ?? ticket
        }
        ticket.messages = try await repository.messages(
            of: ticket.id, includeInternal: includeInternal, on: connection, logger: logger)
        return ticket
    }
}

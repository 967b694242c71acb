import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `tickets.add_message`: replies and internal notes, with what a reply does to the ticket's status.
///
/// - A public customer message reopens a pending, on-hold or solved ticket (`ticket.reopened` when it was solved)
///   and publishes `ticket.customer_replied`.
/// - On a closed ticket it opens a follow-up ticket (`follow_up_of` set, same customer, subject, category and
///   order) which takes the message; the answer is that message, on the follow-up.
/// - A public agent reply publishes `ticket.agent_replied` and stamps the first reply time. Internal notes (agents
///   only) change nothing else.
/// - A merged ticket takes no messages (409 `ticket_final`): write to the ticket it was merged into.
enum Conversation {
    static func register(_ router: inout OperationRouter, _ database: Database) {
        let repository = PostgresTicketRepository()
        router.command(Operation.Tickets.addMessage, AddTicketMessage.self) { input, context, connection in
            guard let ticket = try await repository.lock(id: input.ticketID, on: connection, logger: context.logger)
            else { throw Problem.notFound("no ticket with id \(input.ticketID)") }
            try context.authorize(customerID: ticket.customerID)
            if context.principal.role == .customer, input.authorType != .customer {
                throw Problem.forbidden("a customer key may only add customer messages")
            }
            return try await add(input, to: ticket, context: context, on: connection)
        }
    }

    static func add(
        _ input: AddTicketMessage, to ticket: Ticket, context: OperationContext, on connection: PostgresConnection
    ) async throws -> TicketMessage {
        let repository = PostgresTicketRepository()
        let logger = context.logger
        let authorID = input.authorType == .agent ? context.principal.keyID : nil
        switch ticket.status {
        case .merged:
            throw Problem.conflict(
                "ticket \(ticket.number) was merged into \(ticket.mergedInto?.uuidString ?? "another ticket");"
                    + " write there", code: "ticket_final")
        case .closed where input.authorType == .customer:
            return try await followUp(of: ticket, input, context: context, on: connection)
        case .closed:
            throw Problem.conflict(
                "ticket \(ticket.number) is closed and takes no agent messages", code: "ticket_final")
        case .new, .open, .pending, .onHold, .solved:
            break
        }
        var message = try await repository.addMessage(
            input, authorID: authorID, ticket: ticket, on: connection, logger: logger)
        guard message.isPublic else { return message }
        message = try await ChannelStore.stampOutgoing(message, ticket: ticket, on: connection, logger: logger)
        try await reactToPublic(message, input: input, ticket: ticket, context: context, on: connection)
        try await SLATracker().refresh(ticketID: ticket.id, on: connection, logger: logger)
        if input.authorType == .customer {
            try await TriggerRunner.run(
                .customerReplied, ticketID: ticket.id, message: input.body, context: context, on: connection)
        }
        return message
    }

    /// A public message's effects: reopening, `ticket.customer_replied`, `ticket.agent_replied`.
    private static func reactToPublic(
        _ message: TicketMessage, input: AddTicketMessage, ticket: Ticket, context: OperationContext,
        on connection: PostgresConnection
    ) async throws {
        let repository = PostgresTicketRepository()
        let logger = context.logger
        switch input.authorType {
        case .customer:
            let status = TicketLifecycle.afterCustomerReply(ticket.status)
            var current = ticket
            if status != ticket.status {
                var reopened = ticket
                reopened.status = status
                if TicketLifecycle.isReopen(from: ticket.status, to: status) {
                    reopened.reopenCount += 1
                    reopened.solvedAt = nil
                }
                current = try await repository.save(reopened, on: connection, logger: logger)
                try await repository.note(
                    "Status: \(ticket.status.rawValue) → \(status.rawValue) (customer replied)", ticket: current,
                    on: connection, logger: logger)
                for event in try TicketEvents.events(before: ticket, after: current, changes: ["status"]) {
                    try await context.record(event, on: connection)
                }
            }
            try await context.record(
                try TicketEvents.event(EventType.ticketCustomerReplied, current, messageID: message.id), on: connection)
        case .agent:
            try await context.record(
                try TicketEvents.event(EventType.ticketAgentReplied, ticket, messageID: message.id), on: connection)
        case .system:
            break
        }
    }

    /// A customer wrote to a closed ticket: a new ticket that follows it up takes the message.
    private static func followUp(
        of closed: Ticket, _ input: AddTicketMessage, context: OperationContext, on connection: PostgresConnection
    ) async throws -> TicketMessage {
        let repository = PostgresTicketRepository()
        let logger = context.logger
        let create = CreateTicket(
            customerID: closed.customerID, subject: closed.subject, message: input.body,
            channel: input.channel ?? closed.channel, priority: closed.priority, tags: closed.tags,
            orderReference: closed.orderReference, attachments: input.attachments)
        var ticket = try await repository.create(
            create, category: closed.category, categoryReason: "follow-up of ticket \(closed.number)",
            orderID: closed.orderID,
            customerSegments: try await repository.customerSegments(of: closed.id, on: connection, logger: logger),
            on: connection, logger: logger)
        let message = ticket.messages?.first
        ticket = try await repository.link(ticket.id, followUpOf: closed.id, on: connection, logger: logger)
        try await repository.note(
            "Follow-up of closed ticket \(closed.number)", ticket: ticket, on: connection, logger: logger)
        // Like any new ticket: `ticket.created` stands for its first message; then it is routed.
        try await context.record(try TicketEvents.event(EventType.ticketCreated, ticket), on: connection)
        ticket = try await TicketAssigner().route(
            ticket, record: { try await context.record($0, on: connection) }, on: connection, logger: logger)
        guard let message else { throw Problem.internal("follow-up ticket has no first message") }
        try await SLATracker().refresh(ticketID: ticket.id, on: connection, logger: logger)
        logger.info(
            "follow-up opened", metadata: ["ticket_id": "\(ticket.id)", "follow_up_of": "\(closed.id)"])
        return message
    }
}

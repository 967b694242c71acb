import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `tickets.merge` and `tickets.split`.
///
/// Merge: the source keeps its whole conversation, becomes `merged` with `merged_into` the target, and takes no
/// more changes or messages; the target takes the source's tags and, when it has none, its order; both get a system
/// note; `ticket.merged` is published for the source. Both tickets must belong to the same customer (merge the
/// customers first otherwise) and neither may be closed or merged. Merging an already merged source into the same
/// target answers the target unchanged.
///
/// Split: a message of a ticket is copied (with its attachments) as the first message of a new ticket of the same
/// customer, with `split_from` set; both get a system note. The original message stays where it was.
enum MergeAndSplit {
    static func register(_ router: inout OperationRouter, _ database: Database) {
        router.command(Operation.Tickets.merge, MergeTickets.self, status: 200) { input, context, connection in
            try context.requireStaff()
            return try await merge(input, context: context, on: connection)
        }
        router.command(Operation.Tickets.split, SplitTicket.self) { input, context, connection in
            try context.requireStaff()
            return try await split(input, context: context, on: connection)
        }
    }

    static func merge(_ input: MergeTickets, context: OperationContext, on connection: PostgresConnection)
        async throws -> Ticket
    {
        let repository = PostgresTicketRepository()
        let logger = context.logger
        // Lock in id order so that two merges of the same pair in opposite directions cannot deadlock.
        var locked: [UUID: Ticket] = [:]
        for id in [input.sourceTicketID, input.targetTicketID].sorted(by: { $0.uuidString < $1.uuidString }) {
            guard let ticket = try await repository.lock(id: id, on: connection, logger: logger) else {
                throw Problem.notFound("no ticket with id \(id)")
            }
            locked[id] = ticket
        }
        guard let source = locked[input.sourceTicketID], let target = locked[input.targetTicketID] else {
            throw Problem.internal("merge lost a locked ticket")
        }
        if source.status == .merged, source.mergedInto == target.id { return target }
        for ticket in [source, target] where TicketLifecycle.isFinal(ticket.status) {
            throw Problem.conflict(
                "ticket \(ticket.number) is \(ticket.status.rawValue) and cannot be merged", code: "invalid_transition")
        }
        guard source.customerID == target.customerID else {
            throw Problem.conflict(
                "tickets \(source.number) and \(target.number) belong to different customers; merge the customers first",
                code: "different_customers")
        }
        var merged = source
        merged.status = .merged
        merged.mergedInto = target.id
        let savedSource = try await repository.save(merged, on: connection, logger: logger)
        var survivor = target
        survivor.tags = PostgresTicketRepository.uniqueTags(target.tags + source.tags)
        if survivor.orderReference == nil {
            survivor.orderReference = source.orderReference
            survivor.orderID = source.orderID
        }
        let savedTarget = try await repository.save(survivor, on: connection, logger: logger)
        try await repository.note(
            "Merged into ticket \(target.number)", ticket: savedSource, on: connection, logger: logger)
        try await repository.note(
            "Ticket \(source.number) was merged into this ticket; its conversation stays on ticket \(source.number)",
            ticket: savedTarget, on: connection, logger: logger)
        try await context.record(
            try TicketEvents.event(EventType.ticketMerged, savedSource, previousStatus: source.status), on: connection)
        let changes = PostgresTicketRepository.uniqueTags(target.tags) != savedTarget.tags ? ["tags"] : []
        if !changes.isEmpty {
            try await context.record(
                try TicketEvents.event(EventType.ticketUpdated, savedTarget, changes: changes), on: connection)
        }
        logger.info("tickets merged", metadata: ["source": "\(source.id)", "target": "\(target.id)"])
        try await SLATracker().refresh(ticketID: source.id, on: connection, logger: logger)
        if let agent = source.assigneeID, agent != savedTarget.assigneeID {
            try await TicketAssigner().backfill(
                agentID: agent, record: { try await context.record($0, on: connection) }, on: connection,
                logger: logger)
        }
        var answer = savedTarget
        answer.messages = try await repository.messages(
            of: target.id, includeInternal: true, on: connection, logger: logger)
        return answer
    }

    static func split(_ input: SplitTicket, context: OperationContext, on connection: PostgresConnection)
        async throws -> SplitResult
    {
        let repository = PostgresTicketRepository()
        let logger = context.logger
        guard let original = try await repository.lock(id: input.ticketID, on: connection, logger: logger) else {
            throw Problem.notFound("no ticket with id \(input.ticketID)")
        }
        if original.status == .merged {
            throw Problem.conflict("ticket \(original.number) was merged and cannot be split", code: "ticket_final")
        }
        guard
            let message = try await repository.message(
                id: input.messageID, ticketID: original.id, on: connection, logger: logger)
        else {
            throw Problem.validation([.init(field: "message_id", message: "is not a message of this ticket")])
        }
        guard message.authorType != .system else {
            throw Problem.validation([.init(field: "message_id", message: "a system event cannot be split off")])
        }
        let subject = input.subject?.trimmingCharacters(in: .whitespacesAndNewlines) ?? original.subject
        let create = CreateTicket(
            customerID: original.customerID, subject: subject, message: message.body, channel: message.channel,
            priority: original.priority)
        let (category, reason) = TicketCategorizer.categorize(subject: subject, message: message.body)
        let created = try await repository.create(
            create, category: category, categoryReason: reason, orderID: nil,
            customerSegments: try await repository.customerSegments(of: original.id, on: connection, logger: logger),
            on: connection, logger: logger)
        // The copy keeps the original's author, visibility and attachments.
        try await connection.query(
            """
            UPDATE tickets.messages AS m
            SET author_type = o.author_type, author_id = o.author_id, public = o.public,
                attachments = o.attachments, copied_from = o.id
            FROM tickets.messages o
            WHERE o.id = \(message.id) AND m.ticket_id = \(created.id)
            """, logger: logger)
        let ticket = try await repository.link(created.id, splitFrom: original.id, on: connection, logger: logger)
        try await repository.note(
            "Split from ticket \(original.number)", ticket: ticket, on: connection, logger: logger)
        try await repository.note(
            "A message was split off into ticket \(ticket.number)", ticket: original, on: connection, logger: logger)
        try await context.record(try TicketEvents.event(EventType.ticketCreated, ticket), on: connection)
        let routed = try await TicketAssigner().route(
            ticket, record: { try await context.record($0, on: connection) }, on: connection, logger: logger)
        try await SLATracker().refresh(ticketID: routed.id, on: connection, logger: logger)
        var answer = routed
        answer.messages = try await repository.messages(
            of: ticket.id, includeInternal: true, on: connection, logger: logger)
        guard let current = try await repository.lock(id: original.id, on: connection, logger: logger) else {
            throw Problem.internal("split lost the original ticket")
        }
        return SplitResult(ticket: answer, original: current)
    }
}

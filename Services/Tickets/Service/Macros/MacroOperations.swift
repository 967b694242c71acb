import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `tickets.define_macro` (admin, agent), `tickets.list_macros` and `tickets.apply_macro` (staff).
enum MacroOperations {
    static func register(_ router: inout OperationRouter, _ database: Database) {
        let store = MacroStore()
        router.command(Operation.Tickets.defineMacro, DefineMacro.self, status: 200) { input, context, connection in
            guard [.admin, .agent, .service].contains(context.principal.role) else {
                throw Problem.forbidden("only admin and agent keys may define macros")
            }
            return try await store.define(input, on: connection, logger: context.logger)
        }
        router.query(Operation.Tickets.listMacros, ListMacros.self) { _, context in
            try context.requireStaff()
            return try await database.withConnection { try await store.list(on: $0, logger: context.logger) }
        }
        router.command(
            Operation.Tickets.applyMacro, ApplyMacro.self,
            prepare: { input, context in
                try context.requireStaff()
                let ticket = try await database.withConnection {
                    try await PostgresTicketRepository().find(
                        id: input.ticketID, includeInternal: false, on: $0, logger: context.logger)
                }
                guard let ticket else { return TicketFacts.none }
                return await TicketFacts.of(ticket, context: context)
            }
        ) { input, facts, context, connection in
            try context.requireStaff()
            return try await apply(input, facts: facts, context: context, on: connection)
        }
    }

    /// Renders the macro for the ticket, adds the message (with the reply's usual effects) and applies the actions.
    ///
    /// `facts` (the ticket's customer and order) are best asked for before the transaction; without them (a rule
    /// applying a macro where nobody prepared them) they are asked for here, inside the transaction.
    static func apply(
        _ input: ApplyMacro, facts: TicketFacts? = nil, context: OperationContext, on connection: PostgresConnection
    ) async throws -> MacroApplied {
        let logger = context.logger
        let repository = PostgresTicketRepository()
        guard let ticket = try await repository.lock(id: input.ticketID, on: connection, logger: logger) else {
            throw Problem.notFound("no ticket with id \(input.ticketID)")
        }
        guard let macro = try await MacroStore().find(id: input.macroID, on: connection, logger: logger) else {
            throw Problem.validation([.init(field: "macro_id", message: "no macro with id \(input.macroID)")])
        }
        if TicketLifecycle.isFinal(ticket.status) {
            throw Problem.conflict(
                "ticket \(ticket.number) is \(ticket.status.rawValue) and takes no macro", code: "ticket_final")
        }
        let known: TicketFacts
        if let facts {
            known = facts
        } else {
            known = await TicketFacts.of(ticket, context: context)
        }
        let renderer = MacroRenderer(
            ticket: ticket, customer: known.customer, order: known.order,
            agentName: try await agentName(input.agentID ?? ticket.assigneeID, on: connection, logger: logger))
        let missing = renderer.missingOrderValues(in: macro.body)
        if !missing.isEmpty {
            throw Problem.conflict(
                "macro \(macro.name) uses \(missing.map { "{{\($0)}}" }.joined(separator: ", ")), which ticket"
                    + " \(ticket.number) has no value for (no order with tracking is known)", code: "order_unknown")
        }
        let message = try await Conversation.add(
            AddTicketMessage(
                ticketID: ticket.id, body: renderer.render(macro.body), authorType: .agent, isPublic: macro.isPublic),
            to: ticket, context: context, on: connection)
        let actions = macro.actions
        let update = UpdateTicket(
            ticketID: ticket.id, status: actions.status, priority: actions.priority, category: actions.category,
            group: actions.group.map { .set($0) } ?? .keep, addTags: actions.addTags)
        let updated =
            update.changedFields.isEmpty
            ? nil : try await TicketUpdater().update(update, context: context, on: connection)
        let current = try await repository.lock(id: ticket.id, on: connection, logger: logger) ?? updated ?? ticket
        logger.info("macro applied", metadata: ["ticket_id": "\(ticket.id)", "macro": "\(macro.name)"])
        return MacroApplied(message: message, ticket: current)
    }

    private static func agentName(_ id: UUID?, on connection: PostgresConnection, logger: Logger) async throws
        -> String?
    {
        guard let id else { return nil }
        let rows = try await connection.query("SELECT name FROM tickets.agents WHERE id = \(id)", logger: logger)
        for try await name in rows.decode(String.self) { return name }
        return nil
    }
}

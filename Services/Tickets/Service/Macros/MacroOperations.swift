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
        router.command(Operation.Tickets.applyMacro, ApplyMacro.self) { input, context, connection in
            try context.requireStaff()
            return try await apply(input, context: context, on: connection)
        }
    }

    /// Renders the macro for the ticket, adds the message (with the reply's usual effects) and applies the actions.
    static func apply(_ input: ApplyMacro, context: OperationContext, on connection: PostgresConnection) async throws
        -> MacroApplied
    {
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
        let renderer = MacroRenderer(
            ticket: ticket, customer: try await customer(of: ticket, context: context),
            order: try await order(of: ticket, context: context),
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

    /// The ticket's customer from the customers service (nil without a broker, as in one service's unit tests).
    private static func customer(of ticket: Ticket, context: OperationContext) async throws -> Customer? {
        guard let services = context.services else { return nil }
        return try? await services.call(
            Operation.Customers.service, Operation.Customers.get, ByID(id: ticket.customerID),
            metadata: context.downstreamMetadata())
    }

    /// The order the ticket is about: the mirrored one when linked, else the one its reference and the customer's
    /// email name.
    private static func order(of ticket: Ticket, context: OperationContext) async throws -> Order? {
        guard let services = context.services else { return nil }
        if let orderID = ticket.orderID {
            return try? await services.call(
                Operation.Customers.service, Operation.Customers.getOrder, ByID(id: orderID),
                metadata: context.downstreamMetadata())
        }
        guard let reference = ticket.orderReference,
            let customer = try await customer(of: ticket, context: context), let email = customer.email
        else { return nil }
        return try? await services.call(
            Operation.Customers.service, Operation.Customers.findOrder, FindOrder(number: reference, email: email),
            metadata: context.downstreamMetadata())
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

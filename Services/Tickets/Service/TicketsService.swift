import Contracts
import Foundation
import ServiceRuntime
import Wire

/// The tickets service: customer queries from every channel and their conversations.
public enum TicketsService {
    public static let schema = "tickets"

    /// The service's definition for `ServiceMain`.
    public static func definition() throws -> ServiceDefinition {
        ServiceDefinition(
            name: Operation.Tickets.service, schema: schema, migrations: try migrations(), defaultMetricsPort: 9101,
            register: register, consumers: { _ in ["tickets.privacy": TicketPrivacy.handlers()] })
    }

    /// The bundled migrations of the `tickets` schema.
    public static func migrations() throws -> [Migration] {
        try Migration.bundled(in: Bundle.module, service: schema)
    }

    /// Registers the operations on `router`.
    @Sendable public static func register(_ router: inout OperationRouter, _ database: Database) {
        let repository = PostgresTicketRepository()
        TicketPrivacy.register(&router, database)

        router.command(
            Operation.Tickets.create, CreateTicket.self,
            check: { input, context in
                try context.authorize(customerID: input.customerID)
                try await CustomerDirectory.requireCustomer(input.customerID, context: context)
            }
        ) { input, context, connection in
            try context.authorize(customerID: input.customerID)
            let ticket = try await repository.create(input, on: connection, logger: context.logger)
            try await context.record(
                NewEvent(
                    type: EventType.ticketCreated, aggregateType: "ticket", aggregateID: ticket.id.uuidString,
                    payload: TicketEvent(ticket)),
                on: connection)
            return ticket
        }

        router.query(Operation.Tickets.get, ByID.self) { input, context in
            let ticket = try await database.withConnection {
                try await repository.find(
                    id: input.id, includeInternal: context.principal.role != .customer, on: $0, logger: context.logger)
            }
            guard let ticket else { throw Problem.notFound("no ticket with id \(input.id)") }
            try context.authorize(customerID: ticket.customerID)
            return ticket
        }

        router.query(Operation.Tickets.listByCustomer, ListTicketsByCustomer.self) { input, context in
            try context.authorize(customerID: input.customerID)
            return try await database.withConnection {
                try await repository.list(
                    customerID: input.customerID, limit: input.limit ?? 20,
                    after: input.cursor.flatMap(KeysetCursor.init(encoded:)), on: $0, logger: context.logger)
            }
        }

        router.command(Operation.Tickets.solve, SolveTicket.self, status: 200) { input, context, connection in
            try context.requireStaff()
            guard var ticket = try await repository.lock(id: input.ticketID, on: connection, logger: context.logger)
            else {
                throw Problem.notFound("no ticket with id \(input.ticketID)")
            }
            switch ticket.status {
            case .solved:
                return ticket  // already solved: nothing changes, nothing is published again
            case .closed, .merged:
                throw Problem.conflict(
                    "ticket \(ticket.number) is \(ticket.status.rawValue) and cannot be solved",
                    code: "invalid_transition")
            case .new, .open, .pending, .onHold:
                ticket = try await repository.setStatus(.solved, of: ticket, on: connection, logger: context.logger)
                try await context.record(
                    NewEvent(
                        type: EventType.ticketSolved, aggregateType: "ticket", aggregateID: ticket.id.uuidString,
                        payload: TicketEvent(ticket)),
                    on: connection)
                return ticket
            }
        }

        router.command(Operation.Tickets.addMessage, AddTicketMessage.self) { input, context, connection in
            guard let ticket = try await repository.lock(id: input.ticketID, on: connection, logger: context.logger)
            else {
                throw Problem.notFound("no ticket with id \(input.ticketID)")
            }
            try context.authorize(customerID: ticket.customerID)
            if context.principal.role == .customer, input.authorType != .customer {
                throw Problem.forbidden("a customer key may only add customer messages")
            }
            if ticket.status == .closed || ticket.status == .merged {
                throw Problem.conflict(
                    "ticket \(ticket.number) is \(ticket.status.rawValue) and takes no messages", code: "ticket_closed")
            }
            return try await repository.addMessage(input, ticket: ticket, on: connection, logger: context.logger)
        }
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `tickets.create`, `tickets.get`, `tickets.list_by_customer`, `tickets.update` and `tickets.solve`.
enum TicketOperations {
    static func register(_ router: inout OperationRouter, _ database: Database) {
        let repository = PostgresTicketRepository()
        let updater = TicketUpdater()

        router.command(
            Operation.Tickets.create, CreateTicket.self,
            check: { input, context in
                try context.authorize(customerID: input.customerID)
                try await CustomerDirectory.requireCustomer(input.customerID, context: context)
            }
        ) { input, context, connection in
            try context.authorize(customerID: input.customerID)
            let (category, reason) =
                input.category.map { ($0, "set on creation") }
                ?? TicketCategorizer.categorize(subject: input.subject, message: input.message)
            let created = try await repository.create(
                input, category: category, categoryReason: reason, orderID: nil, on: connection,
                logger: context.logger)
            try await context.record(try TicketEvents.event(EventType.ticketCreated, created), on: connection)
            var ticket = try await TicketAssigner().route(
                created, record: { try await context.record($0, on: connection) }, on: connection,
                logger: context.logger)
            try await SLATracker().refresh(ticketID: ticket.id, on: connection, logger: context.logger)
            try await TriggerRunner.run(
                .created, ticketID: ticket.id, message: input.message, context: context, on: connection)
            ticket = try await repository.lock(id: ticket.id, on: connection, logger: context.logger) ?? ticket
            ticket.messages = try await repository.messages(
                of: ticket.id, includeInternal: context.principal.role != .customer, on: connection,
                logger: context.logger)
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

        router.command(Operation.Tickets.update, UpdateTicket.self, status: 200) { input, context, connection in
            try context.requireStaff()
            return try await updater.update(input, context: context, on: connection)
        }

        router.command(Operation.Tickets.solve, SolveTicket.self, status: 200) { input, context, connection in
            try context.requireStaff()
            guard let ticket = try await repository.lock(id: input.ticketID, on: connection, logger: context.logger)
            else { throw Problem.notFound("no ticket with id \(input.ticketID)") }
            // Solving a solved ticket changes nothing and publishes nothing again.
            if ticket.status == .solved { return ticket }
            return try await updater.update(
                UpdateTicket(ticketID: input.ticketID, status: .solved), context: context, on: connection)
        }
    }
}

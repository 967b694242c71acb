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
            prepare: { input, context in
                try context.authorize(customerID: input.customerID)
                return try await TicketFacts.fetch(
                    customerID: input.customerID, orderReference: input.orderReference, context: context)
            }
        ) { input, facts, context, connection in
            try context.authorize(customerID: input.customerID)
            return try await TicketOpening.open(
                input, facts: facts, includeInternal: context.principal.role != .customer, context: context,
                on: connection)
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

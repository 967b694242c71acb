import Contracts
import Foundation
import ServiceRuntime
import Wire

/// The reads: get, list, review_queue, eligibility, reasons, get_label.
enum QueryOperations {
    static func register(_ router: inout OperationRouter, _ database: Database, dependencies: ReturnsDependencies) {
        let repository = PostgresReturnRepository()

        router.query(Operation.Returns.get, ByID.self) { input, context in
            let request = try await database.withConnection {
                try await repository.find(id: input.id, on: $0, logger: context.logger)
            }
            guard let request else { throw Problem.notFound("no return with id \(input.id)") }
            try context.authorize(customerID: request.customerID)
            return request
        }

        router.query(Operation.Returns.list, ListReturns.self) { input, context in
            var input = input
            if context.principal.role == .customer {
                // A customer key lists its own returns, whatever it asked for.
                if let asked = input.customerID { try context.authorize(customerID: asked) }
                input.customerID = context.principal.customerID
            }
            let query = input
            return try await database.withConnection {
                try await repository.list(query, queue: false, on: $0, logger: context.logger)
            }
        }

        router.query(Operation.Returns.reviewQueue, ListReturns.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection {
                try await repository.list(input, queue: true, on: $0, logger: context.logger)
            }
        }

        router.query(Operation.Returns.reasons, NoInput.self) { _, _ in
            ReturnReasonList(reasons: ReturnReasons.all)
        }

        router.query(Operation.Returns.eligibility, CheckReturnEligibility.self) { input, context in
            let order: Order
            do {
                if let id = input.orderID {
                    order = try await dependencies.orders.order(id: id, context: context)
                } else {
                    order = try await dependencies.orders.order(
                        number: input.orderNumber ?? "", email: input.email ?? "", context: context)
                }
            } catch let problem as Problem where problem.status == 404 {
                throw Problem.notFound(
                    input.orderID != nil
                        ? "no order with id \(input.orderID?.uuidString ?? "")"
                        : "no order with this number and email")
            }
            if context.principal.role == .customer, input.orderID != nil,
                order.customerID != context.principal.customerID
            {
                throw Problem.notFound("no order with id \(order.id)")
            }
            let (resolver, tags) = try await PolicyOperations.resolver(
                for: order, database: database, dependencies: dependencies, context: context)
            let returned = try await database.withConnection {
                try await repository.returnedUnits(orderID: order.id, on: $0, logger: context.logger)
            }
            return Eligibility(
                order: order, resolver: resolver, customerTags: tags, alreadyReturned: returned, now: dependencies.now()
            ).answer
        }

        router.query(Operation.Returns.getLabel, ByID.self) { input, context in
            try await database.withConnection { connection in
                guard let request = try await repository.find(id: input.id, on: connection, logger: context.logger)
                else {
                    throw Problem.notFound("no return with id \(input.id)")
                }
                try context.authorize(customerID: request.customerID)
                let rows = try await connection.query(
                    """
                    SELECT carrier, tracking_number, content_type, document, created_at FROM returns.labels
                    WHERE return_id = \(input.id)
                    """, logger: context.logger)
                for try await row in rows.decode((String, String, String, String, Date).self) {
                    return ReturnLabel(
                        returnID: input.id, carrier: row.0, trackingNumber: row.1, contentType: row.2, document: row.3,
                        createdAt: row.4)
                }
                throw Problem.notFound("return \(input.id) has no label yet")
            }
        }
    }
}

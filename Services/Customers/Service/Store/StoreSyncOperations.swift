import Contracts
import Foundation
import ServiceRuntime
import Wire

/// The store-sync and order operations of the customers service: `customers.receive_delivery`,
/// `customers.list_deliveries`, `customers.retry_delivery`, `customers.get_order`, `customers.find_order`,
/// `customers.list_orders`.
public enum StoreSyncOperations {
    /// Registers the operations on `router`.
    public static func register(_ router: inout OperationRouter, _ database: Database) {
        let inbox = DeliveryInbox()
        router.command(Operation.Customers.receiveDelivery, ReceiveStoreDelivery.self, status: 200) {
            input, context, connection in
            try inbox.authorize(input, context: context)
            return try await inbox.receive(input, context: context, on: connection)
        }

        let log = DeliveryLog()
        router.query(Operation.Customers.listDeliveries, ListStoreDeliveries.self) { input, context in
            try requireAdmin(context, to: "list store deliveries")
            return try await database.withConnection { try await log.page(input, on: $0, logger: context.logger) }
        }

        router.command(Operation.Customers.retryDelivery, RetryStoreDelivery.self, status: 200) {
            input, context, connection in
            try requireAdmin(context, to: "retry store deliveries")
            return try await log.retry(input, context: context, on: connection)
        }

        let orders = OrderReader()
        router.query(Operation.Customers.getOrder, ByID.self) { input, context in
            let order = try await database.withConnection {
                try await orders.find(id: input.id, on: $0, logger: context.logger)
            }
            guard let order else { throw Problem.notFound("no order with id \(input.id)") }
            try authorize(order, context: context)
            return order
        }

        router.query(Operation.Customers.findOrder, FindOrder.self) { input, context in
            let order = try await database.withConnection {
                try await orders.find(number: input.number, email: input.email, on: $0, logger: context.logger)
            }
            guard let order else { throw Problem.notFound("no order with that number and email") }
            try authorize(order, context: context)
            return order
        }

        router.query(Operation.Customers.listOrders, ListOrders.self) { input, context in
            try context.authorize(customerID: input.customerID)
            return try await database.withConnection {
                try await orders.page(
                    customerID: input.customerID, limit: input.limit ?? 50,
                    after: input.cursor.flatMap(KeysetCursor.init(encoded:)), on: $0, logger: context.logger)
            }
        }
    }

    /// Deliveries are operators' business: admins (and other services).
    private static func requireAdmin(_ context: OperationContext, to action: String) throws {
        guard [.admin, .service].contains(context.principal.role) else {
            throw Problem.forbidden("only admins may \(action)")
        }
    }

    /// A customer key sees only its own customer's orders (a guest order belongs to no customer key).
    private static func authorize(_ order: Order, context: OperationContext) throws {
        guard context.principal.role == .customer else { return }
        guard let owner = order.customerID else {
            throw Problem.forbidden("a customer key may only access its own customer's data")
        }
        try context.authorize(customerID: owner)
    }
}

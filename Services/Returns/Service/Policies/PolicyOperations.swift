import Contracts
import Foundation
import ServiceRuntime
import Wire

/// `returns.put_policy`, `returns.list_policies` and `returns.return_window`.
enum PolicyOperations {
    static func register(_ router: inout OperationRouter, _ database: Database, dependencies: ReturnsDependencies) {
        let store = PolicyStore()

        router.command(Operation.Returns.putPolicy, PutReturnPolicy.self, status: 200) { input, context, connection in
            try context.requireStaff()
            return try await store.put(input.policy, on: connection, logger: context.logger)
        }

        router.query(Operation.Returns.listPolicies, ListReturnPolicies.self) { input, context in
            try context.requireStaff()
            let policies = try await database.withConnection {
                try await store.list(storeID: input.storeID, on: $0, logger: context.logger)
            }
            return ReturnPolicyList(policies: policies)
        }

        router.query(Operation.Returns.returnWindow, GetReturnWindow.self) { input, context in
            let order = try await dependencies.orders.order(id: input.orderID, context: context)
            if context.principal.role == .customer, order.customerID != context.principal.customerID {
                throw Problem.notFound("no order with id \(input.orderID)")
            }
            let (resolver, tags) = try await resolver(
                for: order, database: database, dependencies: dependencies,
                context: context)
            return ReturnWindows.window(of: order, resolver: resolver, customerTags: tags)
        }
    }

    /// The policies that may apply to `order` and its customer's tags (asked for only when a policy needs them).
    static func resolver(
        for order: Order, database: Database, dependencies: ReturnsDependencies, context: OperationContext
    ) async throws -> (PolicyResolver, [String]) {
        let policies = try await database.withConnection {
            try await PolicyStore().list(storeID: order.storeID, on: $0, logger: context.logger)
        }
        let resolver = PolicyResolver(policies: policies)
        var tags: [String] = []
        if resolver.needsCustomerTags, let customerID = order.customerID {
            tags = try await dependencies.orders.customerTags(of: customerID, context: context)
        }
        return (resolver, tags)
    }
}

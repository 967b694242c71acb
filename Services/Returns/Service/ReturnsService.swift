import Contracts
import Foundation
import ServiceRuntime
import Wire

/// The returns service: return requests (RMAs) from request to refund (docs/returns.md).
public enum ReturnsService {
    public static let schema = "returns"

    /// The service's definition for `ServiceMain`: operations and the consumers `returns.privacy`,
    /// `returns.refunds` (reconciles refunds with `order.refunded`) and `returns.sales` (sold lines for the rates).
    public static func definition() throws -> ServiceDefinition {
        ServiceDefinition(
            name: Operation.Returns.service, schema: schema, migrations: try migrations(), defaultMetricsPort: 9103,
            register: register,
            consumers: { _ in
                [
                    "returns.privacy": ReturnPrivacy.handlers(), "returns.refunds": RefundReconciler.handlers(),
                    "returns.sales": SalesLedger.handlers(),
                ]
            })
    }

    /// The bundled migrations of the `returns` schema.
    public static func migrations() throws -> [Migration] {
        try Migration.bundled(in: Bundle.module, service: schema)
    }

    /// The consumers' handlers by name (for tests that run them by hand).
    public static func consumerHandlers() -> [String: EventHandlers] {
        [
            "returns.privacy": ReturnPrivacy.handlers(), "returns.refunds": RefundReconciler.handlers(),
            "returns.sales": SalesLedger.handlers(),
        ]
    }

    /// Registers the operations on `router`.
    @Sendable public static func register(_ router: inout OperationRouter, _ database: Database) {
        register(&router, database, dependencies: .live)
    }

    /// Registers the operations on `router` with `dependencies` (tests give their own).
    public static func register(
        _ router: inout OperationRouter, _ database: Database, dependencies: ReturnsDependencies
    ) {
        ReturnPrivacy.register(&router, database)
        PolicyOperations.register(&router, database, dependencies: dependencies)
        CreateOperation.register(&router, database, dependencies: dependencies)
        TransitionOperations.register(&router, database, dependencies: dependencies)
        ResolveOperation.register(&router, database, dependencies: dependencies)
        QueryOperations.register(&router, database, dependencies: dependencies)
        ReturnAnalyticsQuery.register(&router, database)
    }
}

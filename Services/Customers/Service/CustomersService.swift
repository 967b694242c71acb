import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The customers service: the one record of every customer, which the other services ask for.
public enum CustomersService {
    public static let schema = "customers"

    /// The service's definition for `ServiceMain`.
    public static func definition(environment: EnvironmentReader = EnvironmentReader()) throws -> ServiceDefinition {
        let rfmInterval = Duration.seconds(
            try environment.int("CONCIERGE_CUSTOMERS_RFM_INTERVAL_S", default: 300, range: 5...86400))
        return ServiceDefinition(
            name: Operation.Customers.service, schema: schema, migrations: try migrations(), defaultMetricsPort: 9102,
            register: register,
            consumers: { _ in
                [
                    "customers.timeline": TimelineProjection().handlers(),
                    "customers.store_sync": StoreSync().handlers(),
                    "customers.privacy": CustomerPrivacy.handlers(),
                ]
            },
            jobs: { _ in [RFMScoring().job(interval: rfmInterval)] })
    }

    /// Recomputes every customer's RFM quintiles now (one round of the `customers.rfm` job, for tests and tools);
    /// returns how many scores changed.
    @discardableResult
    public static func scoreCustomers(on connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await RFMScoring().run(on: connection, logger: logger)
    }

    /// The bundled migrations of the `customers` schema.
    public static func migrations() throws -> [Migration] {
        try Migration.bundled(in: Bundle.module, service: schema)
    }

    /// Registers the operations on `router`.
    @Sendable public static func register(_ router: inout OperationRouter, _ database: Database) {
        CustomerPrivacy.register(&router, database)
        StoreSyncOperations.register(&router, database)
        ProfileOperations.register(&router, database)
        SegmentOperations.register(&router, database)
        ConsentOperations.register(&router, database)

        let timeline = TimelineProjection()
        router.query(Operation.Customers.timeline, ListTimeline.self) { input, context in
            try context.authorize(customerID: input.customerID)
            return try await database.withConnection {
                try await timeline.page(
                    customerID: input.customerID, limit: input.limit ?? 50,
                    after: input.cursor.flatMap(KeysetCursor.init(encoded:)), on: $0, logger: context.logger)
            }
        }
    }
}

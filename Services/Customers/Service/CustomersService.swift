import Contracts
import Foundation
import ServiceRuntime
import Wire

/// The customers service: the one record of every customer, which the other services ask for.
public enum CustomersService {
    public static let schema = "customers"

    /// The service's definition for `ServiceMain`.
    public static func definition() throws -> ServiceDefinition {
        ServiceDefinition(
            name: Operation.Customers.service, schema: schema, migrations: try migrations(), defaultMetricsPort: 9102,
            register: register,
            consumers: { _ in
                [
                    "customers.timeline": TimelineProjection().handlers(),
                    "customers.store_sync": StoreSync().handlers(),
                    "customers.privacy": CustomerPrivacy.handlers(),
                ]
            })
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

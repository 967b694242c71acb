import Contracts
import Foundation
import ServiceRuntime
import Wire

/// The returns service: return requests (RMAs) from request to refund.
public enum ReturnsService {
    public static let schema = "returns"

    /// The service's definition for `ServiceMain`.
    public static func definition() throws -> ServiceDefinition {
        ServiceDefinition(
            name: Operation.Returns.service, schema: schema, migrations: try migrations(),
            defaultMetricsPort: 9103,
            register: register, consumers: { _ in ["returns.privacy": ReturnPrivacy.handlers()] })
    }

    /// The bundled migrations of the `returns` schema.
    public static func migrations() throws -> [Migration] {
        try Migration.bundled(in: Bundle.module, service: schema)
    }

    /// Registers the operations on `router`.
    @Sendable public static func register(_ router: inout OperationRouter, _ database: Database) {
        register(&router, database, dependencies: .live)
    }

    /// Registers the operations on `router` with `dependencies` (tests give their own).
    public static func register(
        _ router: inout OperationRouter, _ database: Database, dependencies: ReturnsDependencies
    ) {
        let repository = PostgresReturnRepository()
        ReturnPrivacy.register(&router, database)
        PolicyOperations.register(&router, database, dependencies: dependencies)

        router.command(
            Operation.Returns.create, CreateReturn.self,
            check: { input, context in
                try context.authorize(customerID: input.customerID)
                try await CustomerDirectory.requireCustomer(input.customerID, context: context)
            }
        ) { input, context, connection in
            try context.authorize(customerID: input.customerID)
            let request = try await repository.create(input, on: connection, logger: context.logger)
            try await context.record(
                NewEvent(
                    type: EventType.returnRequested, aggregateType: "return",
                    aggregateID: request.id.uuidString,
                    payload: ReturnRequested(request)),
                on: connection)
            return request
        }

        router.query(Operation.Returns.get, ByID.self) { input, context in
            let request = try await database.withConnection {
                try await repository.find(id: input.id, on: $0, logger: context.logger)
            }
            guard let request else { throw Problem.notFound("no return with id \(input.id)") }
            try context.authorize(customerID: request.customerID)
            return request
        }
    }
}

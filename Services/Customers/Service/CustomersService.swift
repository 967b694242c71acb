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
            register: register, consumers: { _ in ["customers.timeline": TimelineProjection().handlers()] })
    }

    /// The bundled migrations of the `customers` schema.
    public static func migrations() throws -> [Migration] {
        try Migration.bundled(in: Bundle.module, service: schema)
    }

    /// Registers the operations on `router`.
    @Sendable public static func register(_ router: inout OperationRouter, _ database: Database) {
        let repository = PostgresCustomerRepository()

        router.command(Operation.Customers.create, CreateCustomer.self) { input, context, connection in
            try context.requireStaff()
            let customer = try await repository.create(input, on: connection, logger: context.logger)
            try await context.record(
                NewEvent(
                    type: EventType.customerCreated, aggregateType: "customer", aggregateID: customer.id.uuidString,
                    payload: CustomerCreated(customerID: customer.id, email: customer.email, name: customer.name)),
                on: connection)
            return customer
        }

        let timeline = TimelineProjection()
        router.query(Operation.Customers.timeline, ListTimeline.self) { input, context in
            try context.authorize(customerID: input.customerID)
            return try await database.withConnection {
                try await timeline.page(
                    customerID: input.customerID, limit: input.limit ?? 50,
                    after: input.cursor.flatMap(KeysetCursor.init(encoded:)), on: $0, logger: context.logger)
            }
        }

        router.query(Operation.Customers.get, ByID.self) { input, context in
            try context.authorize(customerID: input.id)
            let customer = try await database.withConnection {
                try await repository.find(id: input.id, on: $0, logger: context.logger)
            }
            guard let customer else { throw Problem.notFound("no customer with id \(input.id)") }
            return customer
        }

        router.query(Operation.Customers.findByEmail, FindCustomerByEmail.self) { input, context in
            try context.requireStaff()
            let customer = try await database.withConnection {
                try await repository.find(email: input.email, on: $0, logger: context.logger)
            }
            guard let customer else { throw Problem.notFound("no customer with that email") }
            return customer
        }
    }
}

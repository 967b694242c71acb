import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The loyalty service: points accounts per customer.
public enum LoyaltyService {
    public static let schema = "loyalty"

    /// The service's definition for `ServiceMain`.
    public static func definition() throws -> ServiceDefinition {
        ServiceDefinition(
            name: Operation.Loyalty.service, schema: schema, migrations: try migrations(), defaultMetricsPort: 9104,
            register: register,
            consumers: { _ in
                ["loyalty.accounts": accountHandlers(), "loyalty.privacy": LoyaltyPrivacy.handlers()]
            })
    }

    /// The bundled migrations of the `loyalty` schema.
    public static func migrations() throws -> [Migration] {
        try Migration.bundled(in: Bundle.module, service: schema)
    }

    /// `customer.created` opens the customer's account (opening twice changes nothing).
    public static func accountHandlers() -> EventHandlers {
        var handlers = EventHandlers()
        let repository = PostgresAccountRepository()
        handlers.on(EventType.customerCreated) { event, connection, logger in
            let payload = try event.decode(CustomerCreated.self)
            _ = try await repository.open(customerID: payload.customerID, on: connection, logger: logger)
        }
        return handlers
    }

    /// Registers the operations on `router`.
    @Sendable public static func register(_ router: inout OperationRouter, _ database: Database) {
        let repository = PostgresAccountRepository()
        LoyaltyPrivacy.register(&router, database)

        // Accounts are opened by `customer.created`; a read that arrives before that event is applied opens the
        // account itself (opening is idempotent), after asking the customers service outside any transaction.
        router.query(Operation.Loyalty.getAccount, GetLoyaltyAccount.self) { input, context in
            try context.authorize(customerID: input.customerID)
            if let account = try await database.withConnection({
                try await repository.find(customerID: input.customerID, on: $0, logger: context.logger)
            }) {
                return account
            }
            do {
                try await CustomerDirectory.requireCustomer(input.customerID, context: context)
            } catch let problem as Problem where problem.status == 422 {
                throw Problem.notFound("no customer with id \(input.customerID)")
            }
            return try await database.transaction {
                try await repository.open(customerID: input.customerID, on: $0, logger: context.logger)
            }
        }
    }
}

/// Reads and opens accounts in the `loyalty` schema.
public struct PostgresAccountRepository: Sendable {
    public init() {}

    public func find(customerID: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> LoyaltyAccount?
    {
        let rows = try await connection.query(
            """
            SELECT customer_id, available, pending, lifetime, created_at FROM loyalty.accounts
            WHERE customer_id = \(customerID)
            """, logger: logger)
        for try await row in rows.decode((UUID, Int64, Int64, Int64, Date).self) {
            return LoyaltyAccount(
                customerID: row.0, available: row.1, pending: row.2, lifetime: row.3, createdAt: row.4)
        }
        return nil
    }

    /// Opens the account with zero balances (a no-op when it exists) and returns it.
    public func open(customerID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> LoyaltyAccount
    {
        try await connection.query(
            "INSERT INTO loyalty.accounts (customer_id) VALUES (\(customerID)) ON CONFLICT DO NOTHING", logger: logger)
        guard let account = try await find(customerID: customerID, on: connection, logger: logger) else {
            throw Problem.internal("account vanished after opening")
        }
        return account
    }
}

import ArgumentParser
import CustomersService
import Foundation
import GatewayApp
import Logging
import LoyaltyService
import PostgresNIO
import ReturnsService
import ServiceRuntime
import TicketsService
import Wire

/// Options shared by commands that talk to the database directly.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL (default: CONCIERGE_DATABASE_URL, then the embedded cluster of `concierge up`).")
    var databaseURL: String?

    var resolved: String {
        databaseURL ?? ProcessInfo.processInfo.environment["CONCIERGE_DATABASE_URL"]
            ?? "postgres://concierge@127.0.0.1:54329/concierge"
    }

    /// Runs `body` with a running PostgreSQL client.
    func withDatabase<T: Sendable>(_ body: @Sendable (Database) async throws -> T) async throws -> T {
        let logger = LoggingBootstrap.logger(label: "concierge.cli", level: .warning)
        return try await Database.withTemporaryPool(url: resolved, logger: logger, body)
    }
}

/// `concierge migrate`: applies every schema's migrations (the services also do this when they start).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply every schema's migrations.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let schemas: [(String, [Migration])] = [
            (CustomersService.schema, try CustomersService.migrations()),
            (TicketsService.schema, try TicketsService.migrations()),
            (ReturnsService.schema, try ReturnsService.migrations()),
            (LoyaltyService.schema, try LoyaltyService.migrations()),
            (GatewaySchema.name, try GatewaySchema.migrations()),
        ]
        try await database.withDatabase { db in
            let events = try await EventStore.migrator.migrate(client: db.client, logger: db.logger)
            print(
                "events: \(events.isEmpty ? "up to date" : "applied \(events.map(String.init).joined(separator: ", "))")"
            )
            for (schema, migrations) in schemas {
                let applied = try await Migrator(schema: schema, migrations: migrations).migrate(
                    client: db.client, logger: db.logger)
                print(
                    "\(schema): \(applied.isEmpty ? "up to date" : "applied \(applied.map(String.init).joined(separator: ", "))")"
                )
            }
        }
    }
}

/// `concierge keys create`: makes an API key and prints its secret (shown this once).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key and print its secret.")

        @Option(help: "admin, agent, integration or customer.")
        var role: String

        @Option(help: "A name people will recognise.")
        var name: String = "cli"

        @Option(help: "For customer keys: the customer the key belongs to.")
        var customerID: String?

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard let role = Principal.Role(rawValue: role), role != .service else {
                throw ValidationError("--role must be admin, agent, integration or customer")
            }
            if role == .customer, customerID.flatMap(UUID.init(uuidString:)) == nil {
                throw ValidationError("customer keys need --customer-id with the customer's UUID")
            }
        }

        func run() async throws {
            let role = Principal.Role(rawValue: role) ?? .agent
            let customer = customerID.flatMap(UUID.init(uuidString:))
            let name = self.name
            let created = try await database.withDatabase { db in
                try await Migrator(schema: GatewaySchema.name, migrations: try GatewaySchema.migrations())
                    .migrate(client: db.client, logger: db.logger)
                return try await APIKeyStore(database: db).create(name: name, role: role, customerID: customer)
            }
            print(created.secret ?? "")
        }
    }
}

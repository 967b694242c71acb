import Foundation
import Hummingbird
import Logging
import Majordomo
import PostgresNIO
import ServiceLifecycle

/// What makes one domain service: its name on the broker, its schema, its migrations and its operations.
public struct ServiceDefinition: Sendable {
    public var name: String
    public var schema: String
    public var migrations: [Migration]
    public var defaultMetricsPort: Int
    /// Registers the service's operations, given its database.
    public var register: @Sendable (inout OperationRouter, Database) -> Void

    public init(
        name: String, schema: String, migrations: [Migration], defaultMetricsPort: Int,
        register: @escaping @Sendable (inout OperationRouter, Database) -> Void
    ) {
        self.name = name
        self.schema = schema
        self.migrations = migrations
        self.defaultMetricsPort = defaultMetricsPort
        self.register = register
    }

    /// The operation router of this service over `database`.
    public func router(database: Database) -> OperationRouter {
        var router = OperationRouter(database: database, schema: schema)
        register(&router, database)
        return router
    }
}

/// The `main` of every domain service: configuration, logging, metrics, the PostgreSQL pool, migrations, the MDP
/// worker and a client for calling other services, all in one `ServiceGroup` that stops gracefully on SIGTERM/SIGINT.
public enum ServiceMain {
    public static func run(_ definition: ServiceDefinition) async throws {
        let configuration: RuntimeConfiguration
        do {
            configuration = try RuntimeConfiguration(defaultMetricsPort: definition.defaultMetricsPort)
        } catch {
            FileHandle.standardError.write(Data("\(definition.name): \(error)\n".utf8))
            exit(2)
        }
        let logger = LoggingBootstrap.logger(label: "concierge.\(definition.name)", level: configuration.logLevel)
        MetricsBootstrap.bootstrap()

        let databaseURL = try DatabaseURL(configuration.databaseURL)
        let postgres = PostgresClient(
            configuration: databaseURL.clientConfiguration(poolSize: configuration.databasePoolSize),
            backgroundLogger: logger)
        let database = Database(client: postgres, logger: logger)
        let majordomoClient = MajordomoClient(
            brokerEndpoint: configuration.brokerEndpoint, configuration: configuration.majordomo, logger: logger,
            correlate: ServiceClient.correlate)
        let services = ServiceClient(
            client: majordomoClient, attemptTimeout: configuration.requestTimeout,
            deadline: configuration.requestDeadline, logger: logger)
        let worker = WorkerHost.worker(
            service: definition.name, router: definition.router(database: database), services: services,
            configuration: configuration, logger: logger)
        let migrator = Migrator(schema: definition.schema, migrations: definition.migrations)

        var services_: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: postgres),
            .init(service: majordomoClient),
            .init(service: MigrateThenServe(migrator: migrator, postgres: postgres, worker: worker, logger: logger)),
        ]
        if configuration.metricsPort > 0 {
            services_.append(.init(service: MetricsServer.application(port: configuration.metricsPort, logger: logger)))
        }
        let group = ServiceGroup(
            configuration: .init(services: services_, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info(
            "starting", metadata: ["service": "\(definition.name)", "broker": "\(configuration.brokerEndpoint)"])
        do {
            try await group.run()
        } catch {
            logger.critical("stopped by an error", metadata: ["error": "\(String(reflecting: error))"])
            exit(1)
        }
    }
}

/// Applies the schema's migrations (retrying while the database is not reachable yet), then serves requests.
struct MigrateThenServe: Service {
    let migrator: Migrator
    let postgres: PostgresClient
    let worker: MajordomoWorker
    let logger: Logger

    func run() async throws {
        try await Self.migrate(migrator, postgres: postgres, logger: logger)
        try await worker.run()
    }

    /// Retries for up to a minute so that a service started before its database (as in compose) waits for it.
    static func migrate(_ migrator: Migrator, postgres: PostgresClient, logger: Logger) async throws {
        var delay = Duration.milliseconds(200)
        let giveUp = ContinuousClock.now + .seconds(60)
        while true {
            do {
                try await migrator.migrate(client: postgres, logger: logger)
                return
            } catch let error as MigrationError {
                throw error
            } catch let error as PSQLError where error.serverInfo != nil {
                // The server answered: a broken migration, not a database that is still starting.
                logger.critical("migration failed", metadata: ["error": "\(String(reflecting: error))"])
                throw error
            } catch {
                guard ContinuousClock.now < giveUp else { throw error }
                logger.warning("database not ready, retrying", metadata: ["error": "\(String(reflecting: error))"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}

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
    /// The service's event consumers by name (`<service>.<purpose>`) and what each reacts to.
    public var consumers: @Sendable (Database) -> [String: EventHandlers]
    /// The service's periodic jobs (`PeriodicJob`), run after the migrations beside the worker.
    public var jobs: @Sendable (Database) -> [PeriodicJob]
    /// Periodic jobs that ask other services through the broker (given the process's client), run like `jobs`.
    public var brokerJobs: @Sendable (Database, ServiceClient) -> [PeriodicJob]

    public init(
        name: String, schema: String, migrations: [Migration], defaultMetricsPort: Int,
        register: @escaping @Sendable (inout OperationRouter, Database) -> Void,
        consumers: @escaping @Sendable (Database) -> [String: EventHandlers] = { _ in [:] },
        jobs: (@Sendable (Database) -> [PeriodicJob])? = nil,
        brokerJobs: (@Sendable (Database, ServiceClient) -> [PeriodicJob])? = nil
    ) {
        self.name = name
        self.schema = schema
        self.migrations = migrations
        self.defaultMetricsPort = defaultMetricsPort
        self.register = register
        self.consumers = consumers
        self.jobs = jobs ?? Self.noJobs
        self.brokerJobs = brokerJobs ?? Self.noBrokerJobs
    }

    @Sendable private static func noJobs(_ database: Database) -> [PeriodicJob] { [] }
    @Sendable private static func noBrokerJobs(_ database: Database, _ services: ServiceClient) -> [PeriodicJob] { [] }

    /// The operation router of this service over `database`, appending events through `publisher`.
    public func router(database: Database, publisher: EventPublisher? = nil) -> OperationRouter {
        var router = OperationRouter(
            database: database, schema: schema, publisher: publisher ?? EventPublisher(source: name, notifier: nil))
        register(&router, database)
        return router
    }

    /// The service's event consumers as lifecycle services.
    public func eventConsumers(
        database: Database, subscribeEndpoint: String?, configuration: EventConsumerConfiguration = .init(),
        logger: Logger
    ) -> [EventConsumer] {
        consumers(database).sorted { $0.key < $1.key }.map { name, handlers in
            EventConsumer(
                name: name, schema: schema, handlers: handlers, client: database.client,
                subscribeEndpoint: subscribeEndpoint, configuration: configuration, logger: logger)
        }
    }

    /// Migrates the shared event log, then this service's schema.
    public func migrate(client: PostgresClient, logger: Logger) async throws {
        try await EventStore.migrator.migrate(client: client, logger: logger)
        try await Migrator(schema: schema, migrations: migrations).migrate(client: client, logger: logger)
    }
}

/// The `main` of every domain service: configuration, logging, metrics, the PostgreSQL pool, migrations, the MDP
/// worker and a client for calling other services, all in one `ServiceGroup` that stops gracefully on SIGTERM/SIGINT.
public enum ServiceMain {
    public static func run(_ definition: ServiceDefinition) async throws {
        ProcessTuning.apply()
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
        let notifier = EventNotifier(endpoint: configuration.eventsPublishEndpoint, logger: logger)
        let publisher = EventPublisher(source: definition.name, notifier: notifier)
        let worker = WorkerHost.worker(
            service: definition.name, router: definition.router(database: database, publisher: publisher),
            services: services, configuration: configuration, logger: logger)
        let consumers = definition.eventConsumers(
            database: database, subscribeEndpoint: configuration.eventsSubscribeEndpoint, logger: logger)

        var services_: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: postgres),
            .init(service: majordomoClient),
            .init(service: notifier),
            .init(
                service: MigrateThenServe(
                    definition: definition, postgres: postgres, worker: worker, consumers: consumers,
                    jobs: definition.jobs(database) + definition.brokerJobs(database, services), database: database,
                    logger: logger)),
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
        // Every service has stopped gracefully: end the process here rather than return into the async `main`,
        // whose teardown crashed at exit with Swift 6.3.1 (SIGSEGV after a clean stop, depending on the layout of
        // the executable's values).
        logger.info("stopped", metadata: ["service": "\(definition.name)"])
        exit(0)
    }
}

/// Applies the migrations (retrying while the database is not reachable yet), then serves requests and runs the
/// event consumers.
struct MigrateThenServe: Service {
    let definition: ServiceDefinition
    let postgres: PostgresClient
    let worker: MajordomoWorker
    let consumers: [EventConsumer]
    let jobs: [PeriodicJob]
    let database: Database
    let logger: Logger

    func run() async throws {
        try await Self.migrate(definition, postgres: postgres, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            for consumer in consumers { group.addTask { try await consumer.run() } }
            for job in jobs { group.addTask { await job.run(database: database) } }
            try await group.waitForAll()
        }
    }

    /// Retries for up to a minute so that a service started before its database (as in compose) waits for it.
    static func migrate(_ definition: ServiceDefinition, postgres: PostgresClient, logger: Logger) async throws {
        var delay = Duration.milliseconds(200)
        let giveUp = ContinuousClock.now + .seconds(60)
        while true {
            do {
                try await definition.migrate(client: postgres, logger: logger)
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

import CustomersService
import Foundation
import Logging
import LoyaltyService
import Majordomo
import PostgresNIO
import ReturnsService
import ServiceLifecycle
import ServiceRuntime
import TicketsService

/// The broker and the four domain services running inside the test process, on real ZeroMQ sockets and a real
/// PostgreSQL database: what the gateway talks to in production, without starting executables.
public struct InProcessSuite: Sendable {
    public let brokerEndpoint: String
    public let databaseURL: String
    public let configuration: RuntimeConfiguration

    /// The services `run` starts by default.
    public static let allServices = ["customers", "tickets", "returns", "loyalty"]

    /// Starts everything, runs `body`, then stops everything.
    /// - Parameters:
    ///   - services: which domain services get a worker (leave one out to test a missing service).
    ///   - environment: extra `CONCIERGE_*` settings (short deadlines for fault tests, say).
    public static func run<T: Sendable>(
        databaseURL: String, services: [String] = allServices, environment: [String: String] = [:],
        _ body: @Sendable (InProcessSuite) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test.suite")
        logger.logLevel = .warning
        let broker = MajordomoBroker(
            configuration: .init(
                endpoints: ["tcp://127.0.0.1:*"],
                requestExpiry: .milliseconds(
                    Int(environment["CONCIERGE_REQUEST_EXPIRY_MS"] ?? "3000") ?? 3000),
                errorReply: BrokerErrorReply.wire),
            logger: logger)

        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await broker.run()
                return nil
            }
            defer { group.cancelAll() }
            guard let endpoint = try await broker.boundEndpoints().first else {
                throw TestSetupError("the broker bound no endpoint")
            }
            var values = environment
            values["CONCIERGE_DATABASE_URL"] = databaseURL
            values["CONCIERGE_BROKER_ENDPOINT"] = endpoint
            values["CONCIERGE_WORKER_CONCURRENCY"] = values["CONCIERGE_WORKER_CONCURRENCY"] ?? "4"
            values["CONCIERGE_DB_POOL_SIZE"] = values["CONCIERGE_DB_POOL_SIZE"] ?? "4"
            let configuration = try RuntimeConfiguration(environment: EnvironmentReader(values), defaultMetricsPort: 0)

            let postgres = PostgresClient(
                configuration: try DatabaseURL(databaseURL).clientConfiguration(poolSize: 8), backgroundLogger: logger)
            group.addTask {
                await postgres.run()
                return nil
            }
            let database = Database(client: postgres, logger: logger)
            let client = MajordomoClient(
                brokerEndpoint: endpoint, configuration: configuration.majordomo, logger: logger,
                correlate: ServiceClient.correlate)
            group.addTask {
                try await client.run()
                return nil
            }
            let serviceClient = ServiceClient(
                client: client, attemptTimeout: configuration.requestTimeout, deadline: configuration.requestDeadline,
                logger: logger)

            let definitions = try [
                CustomersService.definition(), TicketsService.definition(), ReturnsService.definition(),
                LoyaltyService.definition(),
            ].filter { services.contains($0.name) }
            for definition in definitions {
                try await Migrator(schema: definition.schema, migrations: definition.migrations)
                    .migrate(client: postgres, logger: logger)
                let worker = WorkerHost.worker(
                    service: definition.name, router: definition.router(database: database), services: serviceClient,
                    configuration: configuration, logger: logger)
                group.addTask {
                    try await worker.run()
                    return nil
                }
            }
            // Wait until every started service has a live worker, so tests never race registration.
            for name in definitions.map(\.name) {
                let giveUp = ContinuousClock.now + .seconds(10)
                while !(await serviceClient.isAvailable(name)) {
                    guard ContinuousClock.now < giveUp else { throw TestSetupError("\(name) never registered") }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            return try await body(
                InProcessSuite(brokerEndpoint: endpoint, databaseURL: databaseURL, configuration: configuration))
        }
    }
}

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

        let definitions = try [
            CustomersService.definition(), TicketsService.definition(), ReturnsService.definition(),
            LoyaltyService.definition(),
        ].filter { services.contains($0.name) }
        // Each service its own pool, as in production: one service waiting on another never starves it. The pools
        // run in an outer group so they stop only after everything that uses them has stopped.
        var pools: [String: PostgresClient] = [:]
        for definition in definitions {
            pools[definition.name] = PostgresClient(
                configuration: try DatabaseURL(databaseURL).clientConfiguration(poolSize: 6), backgroundLogger: logger)
        }
        let runningPools = pools
        return try await withThrowingTaskGroup(of: T?.self) { outer in
            for pool in runningPools.values {
                outer.addTask {
                    await pool.run()
                    return nil
                }
            }
            defer { outer.cancelAll() }
            return try await run(
                broker: broker, definitions: definitions, pools: runningPools, databaseURL: databaseURL,
                environment: environment, logger: logger, body)
        }
    }

    private static func run<T: Sendable>(
        broker: MajordomoBroker, definitions: [ServiceDefinition], pools: [String: PostgresClient],
        databaseURL: String, environment: [String: String], logger: Logger,
        _ body: @Sendable (InProcessSuite) async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await broker.run()
                return nil
            }
            defer { group.cancelAll() }
            guard let endpoint = try await broker.boundEndpoints().first else {
                throw TestSetupError("the broker bound no endpoint")
            }
            let publishPort = try freePort()
            let subscribePort = try freePort()
            let fanout = EventFanout(
                publishEndpoints: ["tcp://127.0.0.1:\(publishPort)"],
                subscribeEndpoints: ["tcp://127.0.0.1:\(subscribePort)"], logger: logger)
            group.addTask {
                try await fanout.run()
                return nil
            }
            var values = environment
            values["CONCIERGE_EVENTS_PUBLISH_ENDPOINT"] = "tcp://127.0.0.1:\(publishPort)"
            values["CONCIERGE_EVENTS_SUBSCRIBE_ENDPOINT"] = "tcp://127.0.0.1:\(subscribePort)"
            values["CONCIERGE_DATABASE_URL"] = databaseURL
            values["CONCIERGE_BROKER_ENDPOINT"] = endpoint
            values["CONCIERGE_WORKER_CONCURRENCY"] = values["CONCIERGE_WORKER_CONCURRENCY"] ?? "4"
            values["CONCIERGE_DB_POOL_SIZE"] = values["CONCIERGE_DB_POOL_SIZE"] ?? "4"
            let configuration = try RuntimeConfiguration(environment: EnvironmentReader(values), defaultMetricsPort: 0)

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

            var consumerSettings = EventConsumerConfiguration()
            consumerSettings.retryDelay = .milliseconds(20)
            for definition in definitions {
                guard let postgres = pools[definition.name] else { continue }
                let database = Database(client: postgres, logger: logger)
                try await definition.migrate(client: postgres, logger: logger)
                let notifier = EventNotifier(endpoint: configuration.eventsPublishEndpoint, logger: logger)
                let worker = WorkerHost.worker(
                    service: definition.name,
                    router: definition.router(
                        database: database, publisher: EventPublisher(source: definition.name, notifier: notifier)),
                    services: serviceClient, configuration: configuration, logger: logger)
                let consumers = definition.eventConsumers(
                    database: database, subscribeEndpoint: configuration.eventsSubscribeEndpoint,
                    configuration: consumerSettings, logger: logger)
                group.addTask {
                    try await notifier.run()
                    return nil
                }
                group.addTask {
                    try await worker.run()
                    return nil
                }
                for consumer in consumers {
                    group.addTask {
                        try await consumer.run()
                        return nil
                    }
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

/// A TCP port nobody listens on right now (bound to port 0, then released).
public func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSetupError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TestSetupError("bind() failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw TestSetupError("getsockname() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

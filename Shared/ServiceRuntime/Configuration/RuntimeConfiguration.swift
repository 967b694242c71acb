import Foundation
import Logging
import Majordomo

/// The settings every Concierge process shares, read from `CONCIERGE_*` environment variables.
public struct RuntimeConfiguration: Sendable {
    /// PostgreSQL connection URL (`CONCIERGE_DATABASE_URL`).
    public var databaseURL: String
    /// Most connections this process opens (`CONCIERGE_DB_POOL_SIZE`).
    public var databasePoolSize: Int
    /// Where workers and clients find the broker (`CONCIERGE_BROKER_ENDPOINT`).
    public var brokerEndpoint: String
    /// Heartbeats, liveness and reconnect back-off for MDP peers.
    public var majordomo: MajordomoConfiguration
    /// Per-attempt timeout of calls to other services (`CONCIERGE_REQUEST_TIMEOUT_MS`).
    public var requestTimeout: Duration
    /// Overall deadline of a call including retries (`CONCIERGE_REQUEST_DEADLINE_MS`).
    public var requestDeadline: Duration
    /// Concurrent requests one service instance takes (`CONCIERGE_WORKER_CONCURRENCY`).
    public var workerConcurrency: Int
    /// `CONCIERGE_LOG_LEVEL`.
    public var logLevel: Logger.Level
    /// Port of the `/metrics` and `/healthz` listener; 0 turns it off (`CONCIERGE_METRICS_PORT`).
    public var metricsPort: Int
    /// The broker's event fan-out, publish side (`CONCIERGE_EVENTS_PUBLISH_ENDPOINT`; `off`: no notifications).
    public var eventsPublishEndpoint: String?
    /// The broker's event fan-out, subscribe side (`CONCIERGE_EVENTS_SUBSCRIBE_ENDPOINT`; `off`: polling only).
    public var eventsSubscribeEndpoint: String?

    public static let defaultDatabaseURL = "postgres://concierge@127.0.0.1:5432/concierge"

    /// Reads the settings; `defaultMetricsPort` differs per process so that a local run needs no configuration.
    public init(environment: EnvironmentReader = EnvironmentReader(), defaultMetricsPort: Int) throws {
        databaseURL = environment.string("CONCIERGE_DATABASE_URL", default: Self.defaultDatabaseURL)
        _ = try DatabaseURL(databaseURL, variable: "CONCIERGE_DATABASE_URL")
        databasePoolSize = try environment.int("CONCIERGE_DB_POOL_SIZE", default: 20, range: 1...500)
        brokerEndpoint = environment.string("CONCIERGE_BROKER_ENDPOINT", default: "tcp://127.0.0.1:5555")
        majordomo = try Self.majordomo(from: environment)
        requestTimeout = try environment.milliseconds(
            "CONCIERGE_REQUEST_TIMEOUT_MS", default: 5_000, range: 10...600_000)
        requestDeadline = try environment.milliseconds(
            "CONCIERGE_REQUEST_DEADLINE_MS", default: 10_000, range: 10...3_600_000)
        workerConcurrency = try environment.int("CONCIERGE_WORKER_CONCURRENCY", default: 16, range: 1...1_024)
        logLevel = try Self.logLevel(from: environment)
        metricsPort = try environment.int("CONCIERGE_METRICS_PORT", default: defaultMetricsPort, range: 0...65_535)
        eventsPublishEndpoint = Self.endpoint(
            environment.string("CONCIERGE_EVENTS_PUBLISH_ENDPOINT", default: "tcp://127.0.0.1:5556"))
        eventsSubscribeEndpoint = Self.endpoint(
            environment.string("CONCIERGE_EVENTS_SUBSCRIBE_ENDPOINT", default: "tcp://127.0.0.1:5557"))
    }

    /// An endpoint setting, where `off` means none.
    static func endpoint(_ value: String) -> String? { value.lowercased() == "off" ? nil : value }

    /// MDP timing settings shared by the broker, workers and clients.
    public static func majordomo(from environment: EnvironmentReader) throws -> MajordomoConfiguration {
        var configuration = MajordomoConfiguration()
        configuration.heartbeatInterval = try environment.milliseconds(
            "CONCIERGE_HEARTBEAT_INTERVAL_MS", default: 1_000, range: 10...600_000)
        configuration.heartbeatLiveness = try environment.int(
            "CONCIERGE_HEARTBEAT_LIVENESS", default: 3, range: 1...100)
        configuration.reconnectInitial = try environment.milliseconds(
            "CONCIERGE_RECONNECT_MS", default: 250, range: 1...600_000)
        configuration.reconnectMax = try environment.milliseconds(
            "CONCIERGE_RECONNECT_MAX_MS", default: 10_000, range: 1...3_600_000)
        return configuration
    }

    public static func logLevel(from environment: EnvironmentReader) throws -> Logger.Level {
        let text = environment.string("CONCIERGE_LOG_LEVEL", default: "info").lowercased()
        guard let level = Logger.Level(rawValue: text) else {
            throw ConfigurationError(
                variable: "CONCIERGE_LOG_LEVEL",
                reason: "'\(text)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return level
    }
}

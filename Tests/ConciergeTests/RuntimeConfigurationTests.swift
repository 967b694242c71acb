import Foundation
import Logging
import ServiceRuntime
import Testing

@Suite("RuntimeConfiguration: CONCIERGE_* defaults and errors")
struct RuntimeConfigurationTests {
    private func configuration(_ values: [String: String]) throws -> RuntimeConfiguration {
        try RuntimeConfiguration(environment: EnvironmentReader(values), defaultMetricsPort: 9101)
    }

    private func failure(_ values: [String: String]) throws -> ConfigurationError {
        do {
            _ = try configuration(values)
        } catch let error as ConfigurationError {
            return error
        }
        Issue.record("expected a ConfigurationError for \(values)")
        throw CancellationError()
    }

    @Test func defaultsWithAnEmptyEnvironment() throws {
        let config = try configuration([:])
        #expect(config.databaseURL == "postgres://concierge@127.0.0.1:5432/concierge")
        #expect(config.databasePoolSize == 20)
        #expect(config.brokerEndpoint == "tcp://127.0.0.1:5555")
        #expect(config.requestTimeout == .milliseconds(5_000))
        #expect(config.requestDeadline == .milliseconds(10_000))
        #expect(config.workerConcurrency == 16)
        #expect(config.logLevel == .info)
        #expect(config.metricsPort == 9101)
        #expect(config.majordomo.heartbeatInterval == .milliseconds(1_000))
        #expect(config.majordomo.heartbeatLiveness == 3)
        #expect(config.majordomo.reconnectInitial == .milliseconds(250))
        #expect(config.majordomo.reconnectMax == .milliseconds(10_000))
    }

    @Test func readsValuesAndTreatsBlankAsUnset() throws {
        let config = try configuration([
            "CONCIERGE_DB_POOL_SIZE": " 7 ", "CONCIERGE_LOG_LEVEL": "DEBUG", "CONCIERGE_METRICS_PORT": "0",
            "CONCIERGE_REQUEST_TIMEOUT_MS": "250", "CONCIERGE_BROKER_ENDPOINT": "   ",
        ])
        #expect(config.databasePoolSize == 7)
        #expect(config.logLevel == .debug)
        #expect(config.metricsPort == 0)
        #expect(config.requestTimeout == .milliseconds(250))
        #expect(config.brokerEndpoint == "tcp://127.0.0.1:5555")
    }

    @Test(arguments: ["twenty", "1.5", "0x10", "-"])
    func nonNumericIsAnErrorNamingTheVariable(value: String) throws {
        let error = try failure(["CONCIERGE_DB_POOL_SIZE": value])
        #expect(error.variable == "CONCIERGE_DB_POOL_SIZE")
        #expect(error.reason.contains("not a whole number"))
    }

    @Test(arguments: [
        ("CONCIERGE_DB_POOL_SIZE", "0"), ("CONCIERGE_DB_POOL_SIZE", "501"), ("CONCIERGE_METRICS_PORT", "65536"),
        ("CONCIERGE_WORKER_CONCURRENCY", "0"), ("CONCIERGE_REQUEST_TIMEOUT_MS", "9"),
        ("CONCIERGE_HEARTBEAT_LIVENESS", "101"), ("CONCIERGE_RECONNECT_MS", "0"),
    ])
    func outOfRangeIsAnErrorNamingTheVariable(variable: String, value: String) throws {
        let error = try failure([variable: value])
        #expect(error.variable == variable)
        #expect(error.reason.contains("outside"))
    }

    @Test func badLogLevelIsAnError() throws {
        let error = try failure(["CONCIERGE_LOG_LEVEL": "verbose"])
        #expect(error.variable == "CONCIERGE_LOG_LEVEL")
        #expect(error.reason.contains("verbose"))
    }

    @Test(arguments: ["mysql://u@h/db", "not a url", "http://example.com"])
    func badDatabaseURLIsAnError(url: String) throws {
        let error = try failure(["CONCIERGE_DATABASE_URL": url])
        #expect(error.variable == "CONCIERGE_DATABASE_URL")
    }
}

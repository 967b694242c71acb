import Foundation
import Logging
import Majordomo
import ServiceRuntime

/// The broker's settings, from the same `CONCIERGE_*` variables as every process (see docs/configuration.md).
struct BrokerConfiguration {
    /// `CONCIERGE_BROKER_BIND`: comma-separated endpoints.
    var endpoints: [String]
    var timing: MajordomoConfiguration
    /// `CONCIERGE_REQUEST_EXPIRY_MS`: how long a request for a service with no live worker waits.
    var requestExpiry: Duration
    var logLevel: Logger.Level
    /// `CONCIERGE_METRICS_PORT` (default 9100; 0 turns the listener off).
    var metricsPort: Int
    /// `CONCIERGE_EVENTS_PUBLISH_BIND`: where services publish committed events (XSUB); `off` disables the fan-out.
    var eventsPublish: [String]
    /// `CONCIERGE_EVENTS_SUBSCRIBE_BIND`: where consumers subscribe (XPUB).
    var eventsSubscribe: [String]

    init(environment: EnvironmentReader = EnvironmentReader()) throws {
        endpoints = Self.endpoints(environment.string("CONCIERGE_BROKER_BIND", default: "tcp://*:5555"))
        if endpoints.isEmpty {
            throw ConfigurationError(variable: "CONCIERGE_BROKER_BIND", reason: "names no endpoint")
        }
        timing = try RuntimeConfiguration.majordomo(from: environment)
        requestExpiry = try environment.milliseconds("CONCIERGE_REQUEST_EXPIRY_MS", default: 3_000, range: 10...600_000)
        logLevel = try RuntimeConfiguration.logLevel(from: environment)
        metricsPort = try environment.int("CONCIERGE_METRICS_PORT", default: 9100, range: 0...65_535)
        eventsPublish = Self.endpoints(environment.string("CONCIERGE_EVENTS_PUBLISH_BIND", default: "tcp://*:5556"))
        eventsSubscribe = Self.endpoints(
            environment.string("CONCIERGE_EVENTS_SUBSCRIBE_BIND", default: "tcp://*:5557"))
    }

    static func endpoints(_ value: String) -> [String] {
        if value.lowercased() == "off" { return [] }
        return value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    var eventFanoutEnabled: Bool { !eventsPublish.isEmpty && !eventsSubscribe.isEmpty }

    var broker: MajordomoBrokerConfiguration {
        MajordomoBrokerConfiguration(
            endpoints: endpoints, timing: timing, requestExpiry: requestExpiry, errorReply: BrokerErrorReply.wire)
    }
}

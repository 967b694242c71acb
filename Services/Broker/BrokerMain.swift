import Foundation
import Logging
import Majordomo
import ServiceLifecycle
import ServiceRuntime

/// The `broker` executable: the Majordomo broker and the event fan-out. Configuration comes from CONCIERGE_*
/// environment variables; SIGTERM or SIGINT stop it gracefully.
@main
struct BrokerMain {
    static func main() async {
        ProcessTuning.apply()
        let configuration: BrokerConfiguration
        do {
            configuration = try BrokerConfiguration()
        } catch {
            FileHandle.standardError.write(Data("broker: \(error)\n".utf8))
            exit(2)
        }
        let logger = LoggingBootstrap.logger(label: "concierge.broker", level: configuration.logLevel)
        MetricsBootstrap.bootstrap()

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: MajordomoBroker(configuration: configuration.broker, logger: logger))
        ]
        if configuration.eventFanoutEnabled {
            services.append(
                .init(
                    service: EventFanout(
                        publishEndpoints: configuration.eventsPublish,
                        subscribeEndpoints: configuration.eventsSubscribe,
                        logger: logger)))
        }
        if configuration.metricsPort > 0 {
            services.append(.init(service: MetricsServer.application(port: configuration.metricsPort, logger: logger)))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))

        logger.info(
            "starting broker",
            metadata: [
                "bind": "\(configuration.endpoints)",
                "heartbeat_interval": "\(configuration.timing.heartbeatInterval)",
                "heartbeat_liveness": "\(configuration.timing.heartbeatLiveness)",
                "request_expiry": "\(configuration.requestExpiry)",
            ])
        do {
            try await group.run()
        } catch {
            logger.critical("broker failed", metadata: ["error": "\(String(reflecting: error))"])
            exit(1)
        }
    }
}

import Foundation
import GatewayApp
import Hummingbird
import ServiceRuntime

/// The `gateway` executable: the HTTP API in front of the services.
@main
struct GatewayMain {
    static func main() async {
        ProcessTuning.apply()
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration()
        } catch {
            FileHandle.standardError.write(Data("gateway: \(error)\n".utf8))
            exit(2)
        }
        let logger = LoggingBootstrap.logger(label: "concierge.gateway", level: configuration.runtime.logLevel)
        do {
            let app = try buildApplication(configuration: configuration, logger: logger)
            try await app.runService()
        } catch {
            logger.critical("gateway stopped by an error", metadata: ["error": "\(String(reflecting: error))"])
            exit(1)
        }
    }
}

import Foundation
import GatewayApp
import Hummingbird
import ServiceRuntime

let configuration: GatewayConfiguration
do {
    configuration = try GatewayConfiguration()
} catch {
    FileHandle.standardError.write(Data("gateway: \(error)\n".utf8))
    exit(2)
}
let logger = LoggingBootstrap.logger(label: "concierge.gateway", level: configuration.runtime.logLevel)
let app = try buildApplication(configuration: configuration, logger: logger)
try await app.runService()

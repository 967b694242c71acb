import Foundation
import Logging
import Majordomo
import ServiceLifecycle
import Wire

// A Swift MDP worker for interop tests: serves the service named by argv[1] or MDP_SERVICE (default "echo") on the
// broker at argv[2] or MDP_BROKER (default tcp://127.0.0.1:5555), and answers every Wire request with status 200,
// the request's payload as body and its request_id. Requests that are not Wire envelopes get a 400 problem.
// Prints "ready" on stdout once running; SIGTERM/SIGINT stop it gracefully.

let arguments = CommandLine.arguments
let environment = ProcessInfo.processInfo.environment
let service = arguments.count > 1 ? arguments[1] : (environment["MDP_SERVICE"] ?? "echo")
let brokerEndpoint = arguments.count > 2 ? arguments[2] : (environment["MDP_BROKER"] ?? "tcp://127.0.0.1:5555")
let heartbeatMillis = Int(environment["CONCIERGE_HEARTBEAT_INTERVAL_MS"] ?? "") ?? 1000

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = Logger.Level(rawValue: environment["CONCIERGE_LOG_LEVEL"] ?? "") ?? .info
    return handler
}
let logger = Logger(label: "mdp-echo-worker")

let worker = MajordomoWorker(
    brokerEndpoint: brokerEndpoint, service: service, concurrency: 4,
    configuration: MajordomoConfiguration(heartbeatInterval: .milliseconds(heartbeatMillis)), logger: logger
) { frames in
    guard let request = try? RequestEnvelope(frames: frames) else {
        return ReplyEnvelope(problem: .badRequest("expected [operation, payload, metadata]"), requestID: nil).frames()
    }
    return ReplyEnvelope(status: 200, body: request.payload, requestID: request.metadata.requestID).frames()
}

let group = ServiceGroup(
    configuration: ServiceGroupConfiguration(
        services: [.init(service: worker)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
FileHandle.standardOutput.write(Data("ready\n".utf8))
try await group.run()

import Foundation
import Logging
import Majordomo
import Wire
import ZeroMQ

/// A logger for tests: quiet unless `MDP_TEST_LOG_LEVEL` says otherwise.
func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel =
        ProcessInfo.processInfo.environment["MDP_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
    return logger
}

/// Fast timing for tests: 100 ms heartbeats, liveness 3, short linger.
let fastTiming = MajordomoConfiguration(
    heartbeatInterval: .milliseconds(100), heartbeatLiveness: 3, reconnectInitial: .milliseconds(50),
    reconnectMax: .milliseconds(500), linger: .milliseconds(100))

/// The Wire-based broker error reply (same as BrokerMain's).
let wireErrorReply: @Sendable (BrokerFailure) -> [[UInt8]] = { failure in
    let requestID = failure.requestBody.count >= 3 ? ReplyEnvelope.requestID(inMetadata: failure.requestBody[2]) : nil
    return ReplyEnvelope(
        problem: .serviceUnavailable(failure.detail, code: failure.kind.rawValue), requestID: requestID
    )
    .frames()
}

func brokerConfiguration(
    endpoint: String = "tcp://127.0.0.1:*", timing: MajordomoConfiguration = fastTiming,
    requestExpiry: Duration = .milliseconds(400)
) -> MajordomoBrokerConfiguration {
    MajordomoBrokerConfiguration(
        endpoints: [endpoint], timing: timing, requestExpiry: requestExpiry, errorReply: wireErrorReply)
}

/// A running broker and the task that runs it.
struct RunningBroker {
    let broker: MajordomoBroker
    let task: Task<Void, any Error>
    let endpoint: String

    static func start(_ configuration: MajordomoBrokerConfiguration = brokerConfiguration()) async throws
        -> RunningBroker
    {
        let broker = MajordomoBroker(configuration: configuration, logger: testLogger("broker"))
        let task = Task { try await broker.run() }
        let endpoints = try await broker.boundEndpoints()
        return RunningBroker(broker: broker, task: task, endpoint: endpoints[0])
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// Starts a service's `run()` in a task; cancel the task to stop it.
func startService(_ run: @escaping @Sendable () async throws -> Void) -> Task<Void, any Error> {
    Task { try await run() }
}

func stop(_ task: Task<Void, any Error>) async {
    task.cancel()
    _ = try? await task.value
}

/// An echo handler: replies `[200, payload, {request_id}]` for Wire requests, `tag` in the body when given.
func echoHandler(tag: String? = nil, delay: Duration = .zero) -> @Sendable ([[UInt8]]) async -> [[UInt8]] {
    { frames in
        if delay > .zero { try? await Task.sleep(for: delay) }
        guard let request = try? RequestEnvelope(frames: frames) else {
            return ReplyEnvelope(problem: .badRequest("bad envelope"), requestID: nil).frames()
        }
        let body = tag.map { Array("\"\($0)\"".utf8) } ?? request.payload
        return ReplyEnvelope(status: 200, body: body, requestID: request.metadata.requestID).frames()
    }
}

func makeClient(_ endpoint: String, timing: MajordomoConfiguration = fastTiming) -> MajordomoClient {
    MajordomoClient(
        brokerEndpoint: endpoint, configuration: timing, logger: testLogger("client"),
        correlate: ReplyEnvelope.correlationID(ofReplyFrames:))
}

/// Sends one Wire request and parses the reply.
func call(
    _ client: MajordomoClient, _ service: String, payload: String = "{}", requestID: String = UUID().uuidString,
    timeout: Duration = .seconds(10)
) async throws -> ReplyEnvelope {
    let envelope = RequestEnvelope(
        operation: "\(service).echo", payload: Array(payload.utf8), metadata: RequestMetadata(requestID: requestID))
    let reply = try await client.request(
        service: service, body: try envelope.frames(), correlationID: requestID, timeout: timeout)
    return try ReplyEnvelope(frames: reply)
}

func problemCode(_ reply: ReplyEnvelope) -> String? {
    (try? WireJSON.decoder.decode(Problem.self, from: Data(reply.body)))?.code
}

/// Polls `condition` every 50 ms until it holds or `limit` passes (a failure guard, not a speed assertion).
/// Errors count as "not yet".
func eventually(within limit: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return false
}

/// A raw ZeroMQ peer for protocol tests, living on its own socket thread.
///
/// `@unchecked Sendable`: `socket` is only touched inside closures run by `thread`.
final class RawPeer: @unchecked Sendable {
    let thread: SocketThread
    private var socket: ZMQSocket?

    init(type: SocketType = .dealer, connect endpoint: String) async throws {
        thread = try SocketThread(name: "raw-peer", logger: testLogger("raw"))
        thread.start()
        try await thread.run { [self] loop in
            let socket = try loop.makeSocket(type, linger: .milliseconds(100))
            try socket.connect(endpoint)
            self.socket = socket
        }
    }

    func send(_ frames: [[UInt8]]) async throws {
        try await thread.run { [self] _ in
            guard let socket else { throw MajordomoError.stopped }
            try socket.send(frames, dontWait: false)
        }
    }

    /// Waits up to `timeout` for one message (blocking the peer's own thread only).
    func receive(timeout: Duration = .seconds(5)) async throws -> [[UInt8]]? {
        try await thread.run { [self] _ in
            guard let socket else { throw MajordomoError.stopped }
            let events = try zmqPoll([(.socket(socket), .readable)], timeout: timeout)
            guard events[0].contains(.readable) else { return nil }
            return try socket.receive()
        }
    }

    /// Receives until a message that is not a HEARTBEAT arrives, or `timeout` passes.
    func receiveCommand(timeout: Duration = .seconds(5)) async throws -> [[UInt8]]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let frames = try await receive(timeout: deadline - ContinuousClock.now) else { return nil }
            if frames.count == 3, frames[2] == MDP.Command.heartbeat.frame { continue }
            return frames
        }
        return nil
    }

    func close() async { await thread.shutdown() }
}

import Contracts
import Foundation
import Logging
import Majordomo
import Metrics
import Wire

/// Calls operations of other services through the broker.
///
/// Each attempt gets a fresh request id (the correlation id on the wire); retries keep the idempotency key, so a
/// change is applied once however many attempts it takes. Retried: attempt timeouts, `worker_lost` and
/// `service_unavailable`; never a problem the service itself answered.
public struct ServiceClient: Sendable {
    public let client: MajordomoClient
    public let attemptTimeout: Duration
    public let deadline: Duration
    public let logger: Logger

    public init(client: MajordomoClient, attemptTimeout: Duration, deadline: Duration, logger: Logger) {
        self.client = client
        self.attemptTimeout = attemptTimeout
        self.deadline = deadline
        self.logger = logger
    }

    /// The correlation function to give `MajordomoClient`: replies are matched by their `request_id`.
    public static let correlate: @Sendable ([[UInt8]]) -> String? = { ReplyEnvelope.correlationID(ofReplyFrames: $0) }

    /// Sends `payload` (JSON bytes) to `operation` of `service`, retrying as described above until the deadline.
    /// Returns the service's reply as it is, success or problem.
    public func send(
        service: String, operation: String, payload: [UInt8], metadata: RequestMetadata
    ) async -> ReplyEnvelope {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let deadlineMillis =
            metadata.deadlineMillis
            ?? (now + Int64(deadline.components.seconds * 1000)
                + Int64(deadline.components.attoseconds / 1_000_000_000_000_000))
        var attempt = 0
        var lastProblem = Problem.timeout("\(service) did not answer \(operation) in time")
        var backoff = Duration.milliseconds(50)
        while true {
            attempt += 1
            let remaining = deadlineMillis - Int64(Date().timeIntervalSince1970 * 1000)
            if remaining <= 0 { break }
            var attemptMetadata = metadata
            attemptMetadata.requestID = attempt == 1 ? metadata.requestID : UUID().uuidString
            attemptMetadata.deadlineMillis = deadlineMillis
            let timeout = min(attemptTimeout, .milliseconds(remaining))
            do {
                let frames = try RequestEnvelope(operation: operation, payload: payload, metadata: attemptMetadata)
                    .frames()
                let replyFrames = try await client.request(
                    service: service, body: frames, correlationID: attemptMetadata.requestID, timeout: timeout)
                let reply = try ReplyEnvelope(frames: replyFrames)
                guard Self.isRetryable(reply) else { return reply }
                if let problem = try? WireJSON.decoder.decode(Problem.self, from: Data(reply.body)) {
                    lastProblem = problem
                }
            } catch let error as MajordomoError {
                if case .timeout = error {
                    // A broker's answer from an earlier attempt says more than this attempt running out of time.
                    if !["service_unavailable", "worker_lost"].contains(lastProblem.code) {
                        lastProblem = .timeout("\(service) did not answer \(operation) in time")
                    }
                } else {
                    lastProblem = .serviceUnavailable("the broker is unreachable: \(error)")
                }
            } catch is CancellationError {
                return ReplyEnvelope(
                    problem: .serviceUnavailable("the request was cancelled"), requestID: metadata.requestID)
            } catch {
                lastProblem = .internal("unreadable reply from \(service)")
                break
            }
            Counter(label: "concierge_client_retries_total", dimensions: [("service", service)]).increment()
            logger.debug(
                "retrying",
                metadata: [
                    "service": "\(service)", "operation": "\(operation)", "attempt": "\(attempt)",
                    "reason": "\(lastProblem.code)",
                ])
            let pause = min(backoff, .milliseconds(max(0, deadlineMillis - Int64(Date().timeIntervalSince1970 * 1000))))
            try? await Task.sleep(for: pause)
            backoff = min(backoff * 2, .seconds(1))
        }
        return ReplyEnvelope(problem: lastProblem, requestID: metadata.requestID)
    }

    /// Calls an operation and decodes its result; a problem reply is thrown as the `Problem`.
    public func call<Output: Decodable>(
        _ service: String, _ operation: String, _ input: some Encodable, metadata: RequestMetadata,
        as output: Output.Type = Output.self
    ) async throws -> Output {
        let reply = await send(
            service: service, operation: operation, payload: try PayloadDecoder.encode(input), metadata: metadata)
        guard reply.isSuccess else {
            throw (try? WireJSON.decoder.decode(Problem.self, from: Data(reply.body)))
                ?? Problem.internal("\(service) answered \(reply.status)")
        }
        do {
            return try WireJSON.decoder.decode(Output.self, from: Data(reply.body))
        } catch {
            throw Problem.internal("unreadable reply from \(service)")
        }
    }

    /// Whether a live worker serves `service` right now (MMI `mmi.service`).
    public func isAvailable(_ service: String) async -> Bool {
        (try? await client.serviceAvailable(service, timeout: attemptTimeout)) ?? false
    }

    static func isRetryable(_ reply: ReplyEnvelope) -> Bool {
        guard reply.status == 503 || reply.status == 504 else { return false }
        guard let problem = try? WireJSON.decoder.decode(Problem.self, from: Data(reply.body)) else { return false }
        return ["worker_lost", "service_unavailable", "retry"].contains(problem.code)
    }
}

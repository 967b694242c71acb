import Majordomo
import Wire

/// The broker's own error replies as Wire envelopes: status 503 with an RFC 9457 problem whose code is
/// `service_unavailable` or `worker_lost`, echoing the request's `request_id` so that the client can match it.
public enum BrokerErrorReply {
    public static let wire: @Sendable (BrokerFailure) -> [[UInt8]] = { failure in
        let requestID =
            failure.requestBody.count >= 3 ? ReplyEnvelope.requestID(inMetadata: failure.requestBody[2]) : nil
        let problem = Problem.serviceUnavailable(failure.detail, code: failure.kind.rawValue)
        return ReplyEnvelope(problem: problem, requestID: requestID).frames()
    }
}

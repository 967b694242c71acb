import Foundation

/// The body frames of an MDP reply: `[status, body, metadata]` (see docs/protocol.md).
///
/// `status` is an HTTP-like decimal code in ASCII; `body` is JSON (a `Problem` when the status is 400 or above);
/// `metadata` echoes at least `request_id` so that a client with many requests in flight can match the reply.
public struct ReplyEnvelope: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
    public var requestID: String?

    public init(status: Int, body: [UInt8], requestID: String?) {
        self.status = status
        self.body = body
        self.requestID = requestID
    }

    /// A reply carrying a problem.
    public init(problem: Problem, requestID: String?) {
        self.status = problem.status
        self.body = (try? Array(WireJSON.encoder.encode(problem))) ?? Array("{}".utf8)
        self.requestID = requestID
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The three body frames, in wire order.
    public func frames() -> [[UInt8]] {
        let meta = ReplyMetadata(requestID: requestID)
        let metaBytes = (try? Array(WireJSON.encoder.encode(meta))) ?? Array("{}".utf8)
        return [Array(String(status).utf8), body, metaBytes]
    }

    /// Parses the body frames of an MDP reply.
    public init(frames: [[UInt8]]) throws {
        guard frames.count >= 2 else {
            throw WireError.malformed("expected at least 2 reply frames (status, body), got \(frames.count)")
        }
        guard let text = String(validating: frames[0], as: UTF8.self), let status = Int(text),
            (100...599).contains(status)
        else {
            throw WireError.malformed("status frame is not a decimal status code")
        }
        self.status = status
        self.body = frames[1]
        self.requestID = frames.count >= 3 ? ReplyEnvelope.requestID(inMetadata: frames[2]) : nil
    }

    /// The `request_id` inside a metadata frame, if it has one. Used by clients to correlate replies and by the
    /// broker to echo a request's id in the error replies it makes itself.
    public static func requestID(inMetadata frame: [UInt8]) -> String? {
        (try? WireJSON.decoder.decode(ReplyMetadata.self, from: Data(frame)))?.requestID
    }

    /// The correlation id of a reply given as its body frames (nil when it has none).
    public static func correlationID(ofReplyFrames frames: [[UInt8]]) -> String? {
        frames.count >= 3 ? requestID(inMetadata: frames[2]) : nil
    }
}

struct ReplyMetadata: Codable {
    var requestID: String?
    enum CodingKeys: String, CodingKey { case requestID = "request_id" }
}

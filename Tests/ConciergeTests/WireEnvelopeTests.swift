import Foundation
import Testing
import Wire

@Suite("Wire envelopes: request and reply frames")
struct WireEnvelopeTests {
    let metadata = RequestMetadata(
        requestID: "req-1", idempotencyKey: "idem-1",
        principal: Principal(role: .customer, keyID: "k1", customerID: UUID()),
        deadlineMillis: 1_700_000_000_123, traceparent: "00-abc-def-01")

    @Test func requestRoundTripsThroughItsThreeFrames() throws {
        let request = RequestEnvelope(operation: "tickets.create", payload: Array(#"{"a":1}"#.utf8), metadata: metadata)
        let frames = try request.frames()
        #expect(frames.count == 3)
        #expect(frames[0] == Array("tickets.create".utf8))
        #expect(frames[1] == Array(#"{"a":1}"#.utf8))
        #expect(try RequestEnvelope(frames: frames) == request)
    }

    @Test func requestMetadataUsesSnakeCaseWireKeys() throws {
        let frames = try RequestEnvelope(operation: "x.y", payload: [], metadata: metadata).frames()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(frames[2])) as? [String: Any])
        #expect(Set(object.keys) == ["request_id", "idempotency_key", "principal", "deadline_ms", "traceparent"])
        #expect(object["request_id"] as? String == "req-1")
        #expect((object["deadline_ms"] as? NSNumber)?.int64Value == 1_700_000_000_123)
        let principal = try #require(object["principal"] as? [String: Any])
        #expect(principal["role"] as? String == "customer")
        #expect(principal["key_id"] as? String == "k1")
    }

    @Test(arguments: [0, 1, 2, 4])
    func requestWithWrongFrameCountIsMalformed(count: Int) {
        let frames = Array(repeating: Array(#"{"request_id":"r"}"#.utf8), count: count)
        #expect(throws: WireError.self) { try RequestEnvelope(frames: frames) }
    }

    @Test func requestWithEmptyOrOverlongOrInvalidOperationIsMalformed() {
        let meta = Array(#"{"request_id":"r"}"#.utf8)
        for operation: [UInt8] in [[], Array(String(repeating: "a", count: 129).utf8), [0xff, 0xfe]] {
            #expect(throws: WireError.self) { try RequestEnvelope(frames: [operation, [], meta]) }
        }
        #expect(throws: Never.self) {
            try RequestEnvelope(frames: [Array(String(repeating: "a", count: 128).utf8), [], meta])
        }
    }

    @Test(arguments: ["", "not json", "[]", #"{"idempotency_key":"k"}"#, #"{"request_id":5}"#])
    func requestWithBadMetadataIsMalformed(metadata: String) {
        #expect(throws: WireError.self) {
            try RequestEnvelope(frames: [Array("a.b".utf8), Array("{}".utf8), Array(metadata.utf8)])
        }
    }

    @Test func replyRoundTripsAndEchoesRequestID() throws {
        let reply = ReplyEnvelope(status: 201, body: Array(#"{"id":1}"#.utf8), requestID: "req-9")
        let frames = reply.frames()
        #expect(frames.count == 3)
        #expect(frames[0] == Array("201".utf8))
        #expect(try ReplyEnvelope(frames: frames) == reply)
        #expect(ReplyEnvelope.correlationID(ofReplyFrames: frames) == "req-9")
        #expect(reply.isSuccess)
    }

    @Test func replyWithoutMetadataFrameHasNoRequestID() throws {
        let reply = try ReplyEnvelope(frames: [Array("404".utf8), Array("{}".utf8)])
        #expect(reply.status == 404)
        #expect(reply.requestID == nil)
        #expect(!reply.isSuccess)
        #expect(ReplyEnvelope.correlationID(ofReplyFrames: [Array("200".utf8), []]) == nil)
    }

    @Test(arguments: ["", "abc", "99", "600", "2OO", " 200"])
    func replyWithBadStatusIsMalformed(status: String) {
        #expect(throws: WireError.self) { try ReplyEnvelope(frames: [Array(status.utf8), [], []]) }
    }

    @Test func replyWithTooFewFramesIsMalformed() {
        #expect(throws: WireError.self) { try ReplyEnvelope(frames: [Array("200".utf8)]) }
        #expect(throws: WireError.self) { try ReplyEnvelope(frames: []) }
    }

    @Test func problemReplyCarriesTheProblemStatusAndBody() throws {
        let reply = ReplyEnvelope(problem: .notFound("no ticket"), requestID: "r")
        #expect(reply.status == 404)
        let decoded = try WireJSON.decoder.decode(Problem.self, from: Data(reply.body))
        #expect(decoded == .notFound("no ticket"))
    }
}

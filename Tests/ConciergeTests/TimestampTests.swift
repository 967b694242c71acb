import Foundation
import Testing
import Wire

@Suite("Timestamp: RFC 3339, UTC, milliseconds")
struct TimestampTests {
    @Test func formatsInUTCWithMilliseconds() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_700_000_000.123)) == "2023-11-14T22:13:20.123Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test(arguments: [0.0, 1_700_000_000.123, 1_234_567_890.5, 4_102_444_799.999])
    func roundTripsAtMillisecondPrecision(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let parsed = try #require(Timestamp.parse(Timestamp.format(date)))
        #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.0005)
        #expect(Timestamp.format(parsed) == Timestamp.format(date))
    }

    @Test func parsesWithoutFractionAndWithOffset() throws {
        let utc = try #require(Timestamp.parse("2023-11-14T22:13:20Z"))
        #expect(utc.timeIntervalSince1970 == 1_700_000_000)
        let offset = try #require(Timestamp.parse("2023-11-14T23:13:20+01:00"))
        #expect(offset.timeIntervalSince1970 == 1_700_000_000)
    }

    @Test(arguments: ["", "yesterday", "2023-11-14", "2023-13-40T25:61:00Z", "1700000000"])
    func refusesGarbage(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func wireJSONEncodesDatesAsTimestampsAndRefusesOthers() throws {
        struct Box: Codable { var at: Date }
        let data = try WireJSON.encoder.encode(Box(at: Date(timeIntervalSince1970: 1_700_000_000.123)))
        #expect(String(decoding: data, as: UTF8.self) == #"{"at":"2023-11-14T22:13:20.123Z"}"#)
        #expect(try WireJSON.decoder.decode(Box.self, from: data).at.timeIntervalSince1970 > 1_700_000_000.12)
        #expect(throws: DecodingError.self) {
            try WireJSON.decoder.decode(Box.self, from: Data(#"{"at":"tomorrow"}"#.utf8))
        }
    }
}

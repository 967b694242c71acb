import Contracts
import Foundation
import Testing

private func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

@Suite("KeysetCursor: opaque URL-safe encoding")
struct KeysetCursorTests {
    @Test(arguments: [0, 1, 1_700_000_000_123_456, Int64.max, -5] as [Int64])
    func roundTrips(micros: Int64) throws {
        let cursor = KeysetCursor(createdAtMicros: micros, id: UUID())
        let decoded = try #require(KeysetCursor(encoded: cursor.encoded))
        #expect(decoded == cursor)
    }

    @Test func encodingIsURLSafeWithoutPadding() {
        for _ in 0..<200 {
            let encoded = KeysetCursor(createdAtMicros: Int64.random(in: 0...Int64.max), id: UUID()).encoded
            #expect(!encoded.contains { "+/= ".contains($0) })
        }
    }

    @Test(arguments: [
        "", "!!!!", "not a cursor", base64("123"), base64("abc:\(UUID().uuidString)"), base64("123:not-a-uuid"),
        base64("1:\(UUID().uuidString):2"), String(repeating: "A", count: 400),
    ])
    func garbageDecodesToNil(text: String) {
        #expect(KeysetCursor(encoded: text) == nil)
    }
}

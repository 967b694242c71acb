import Crypto
import Foundation
import StorePlatforms
import Testing

@Suite("StorePlatforms WooCommerce deliveries")
struct WooCommerceDeliveryTests {
    private func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    @Test("an order body is keyed by topic, id and modified time")
    func resourceKey() throws {
        let body = try Fixture.shared("woocommerce/order.created.json")
        #expect(
            WooCommerceDelivery.deduplicationKey(topic: "order.created", body: body)
                == "order.created:727:2017-03-22T19:28:08")
        #expect(
            WooCommerceDelivery.deduplicationKey(topic: "order.updated", body: body)
                == "order.updated:727:2017-03-22T19:28:08")
    }

    @Test("a 64-bit id survives in the key")
    func bigID() {
        let body = Array(#"{"id": 9223372036854775807, "date_modified_gmt": "2025-01-01T00:00:00"}"#.utf8)
        #expect(
            WooCommerceDelivery.deduplicationKey(topic: "customer.updated", body: body)
                == "customer.updated:9223372036854775807:2025-01-01T00:00:00")
    }

    @Test(
        "anything else is keyed by the body's SHA-256",
        arguments: [
            #"{"id": 25}"#, #"{"id": "25", "date_modified_gmt": "2025-01-01T00:00:00"}"#,
            #"{"id": 25, "date_modified_gmt": null}"#, #"{"id": 2.5, "date_modified_gmt": "x"}"#,
            #"{"id": 25, "date_modified_gmt": ""}"#, #"[{"id": 25, "date_modified_gmt": "x"}]"#, "not json",
            "webhook_id=3", "",
        ])
    func hashKey(body: String) {
        let bytes = Array(body.utf8)
        let key = WooCommerceDelivery.deduplicationKey(topic: "order.updated", body: bytes)
        #expect(key == "sha256:" + sha256Hex(bytes))
        #expect(key.count == 7 + 64)
    }

    @Test("the empty body's hash is the known SHA-256 of nothing")
    func emptyHash() {
        #expect(
            WooCommerceDelivery.deduplicationKey(topic: "x", body: [])
                == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("two versions of one resource get two keys; the same version one key")
    func versions() {
        let first = Array(#"{"id": 5, "date_modified_gmt": "2025-01-01T00:00:00", "total": "1.00"}"#.utf8)
        let again = Array(#"{"total": "1.00", "date_modified_gmt": "2025-01-01T00:00:00", "id": 5}"#.utf8)
        let later = Array(#"{"id": 5, "date_modified_gmt": "2025-01-01T00:00:01", "total": "2.00"}"#.utf8)
        let key = WooCommerceDelivery.deduplicationKey(topic: "order.updated", body: first)
        #expect(WooCommerceDelivery.deduplicationKey(topic: "order.updated", body: again) == key)
        #expect(WooCommerceDelivery.deduplicationKey(topic: "order.updated", body: later) != key)
    }

    @Test("the creation ping is recognised", arguments: ["webhook_id=15", "webhook_id=1", "webhook_id=123456789"])
    func ping(body: String) {
        #expect(WooCommerceDelivery.isCreationPing(Array(body.utf8)))
    }

    @Test(
        "anything else is not a ping",
        arguments: [
            "", "webhook_id=", "webhook_id=12a", "webhook_id=1&x=2", "webhook_id= 1", "xwebhook_id=1",
            #"{"webhook_id": 1}"#, "webhook_id=123456789012345678901",
        ])
    func notPing(body: String) {
        #expect(!WooCommerceDelivery.isCreationPing(Array(body.utf8)))
    }

    @Test("the ping fixture is a ping")
    func pingFixture() throws {
        #expect(WooCommerceDelivery.isCreationPing(try Fixture.local("woocommerce/ping.txt")))
    }
}

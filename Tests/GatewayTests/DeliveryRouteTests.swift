import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StorePlatforms
import TestSupport
import Testing

@testable import GatewayApp

@Suite("Store deliveries: listing and retrying", needsDatabase)
struct DeliveryRouteTests {
    static let secret = "shpss_delivery_secret_0123456789"
    static let domain = "deliveries-shop.myshopify.com"

    /// Polls the store's deliveries until none is pending; a guard against hanging, never a speed assertion.
    static func settled(_ client: some TestClientProtocol, _ store: String) async throws {
        let giveUp = ContinuousClock.now + .seconds(60)
        while true {
            let pending = try await client.send(.get, "/v1/stores/\(store)/deliveries?outcome=pending")
            if (pending.object["items"] as? [Any])?.isEmpty == true { return }
            guard ContinuousClock.now < giveUp else { throw TestSetupError("deliveries never settled") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("admins see each delivery's outcome, newest first, and can retry a failed one")
    func listAndRetry() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let store = try await connectStore(client, domain: Self.domain, secret: Self.secret)
            let order = try Fixture.bytes("shopify/orders_create.json")
            let broken = Array(#"{"title": "Mug", "tags": "sale"}"#.utf8)
            for (body, topic, id) in [(order, "orders/create", "wh-order"), (broken, "products/update", "wh-broken")] {
                let sent = try await client.deliver(
                    "/webhooks/shopify", body: body,
                    headers: try ShopifyWebhookTests.shopifyHeaders(
                        body: body, secret: Self.secret, topic: topic, domain: Self.domain, webhookID: id))
                #expect(sent.status == .ok)
            }
            try await Self.settled(client, store)

            let all = try await client.send(.get, "/v1/stores/\(store)/deliveries")
            #expect(all.status == .ok)
            let items = try #require(all.object["items"] as? [[String: Any]])
            #expect(items.map { $0["delivery_key"] as? String } == ["wh-broken", "wh-order"])
            #expect(items.map { $0["outcome"] as? String } == ["failed", "applied"])
            #expect(items.allSatisfy { $0["body"] == nil })  // bodies may hold personal data: never listed
            #expect(items.first?["error"] as? String == "missing_field: id is required")

            let failed = try await client.send(.get, "/v1/stores/\(store)/deliveries?outcome=failed&limit=1")
            let failedItems = try #require(failed.object["items"] as? [[String: Any]])
            #expect(failedItems.count == 1)
            let brokenID = try #require(failedItems.first?["id"] as? String)
            let orderID = try #require(items.last?["id"] as? String)
            let firstPage = try await client.send(.get, "/v1/stores/\(store)/deliveries?limit=1")
            let cursor = try #require(firstPage.object["next_cursor"] as? String)
            let secondPage = try await client.send(.get, "/v1/stores/\(store)/deliveries?limit=1&cursor=\(cursor)")
            #expect((secondPage.object["items"] as? [[String: Any]])?.first?["id"] as? String == orderID)

            // Retrying the failed one makes it pending and the consumer applies it again (failing again here).
            let retried = try await client.send(.post, "/v1/stores/\(store)/deliveries/\(brokenID)/retry")
            #expect(retried.status == .ok)
            #expect(retried.object["outcome"] == nil && retried.object["applied_at"] == nil)
            try await Self.settled(client, store)
            let again = try await client.send(.get, "/v1/stores/\(store)/deliveries?outcome=failed")
            #expect((again.object["items"] as? [[String: Any]])?.first?["id"] as? String == brokenID)
            #expect(
                try await TestDatabase.scalar(
                    url: context.databaseURL,
                    """
                    SELECT count(*) FROM events.log
                    WHERE type = 'store.delivery_received' AND payload->>'delivery_id' = '\(brokenID.lowercased())'
                       OR type = 'store.delivery_received' AND payload->>'delivery_id' = '\(brokenID.uppercased())'
                    """) == 2)

            // What cannot be retried, and who may not look.
            let applied = try await client.send(.post, "/v1/stores/\(store)/deliveries/\(orderID)/retry")
            #expect(applied.status == .conflict)
            #expect(applied.problemCode == "delivery_not_failed")
            let unknown = try await client.send(.post, "/v1/stores/\(store)/deliveries/\(UUID())/retry")
            #expect(unknown.status == .notFound)
            let otherStore = try await client.send(.get, "/v1/stores/\(UUID())/deliveries")
            #expect(otherStore.status == .notFound)
            let badOutcome = try await client.send(.get, "/v1/stores/\(store)/deliveries?outcome=lost")
            #expect(badOutcome.status == .unprocessableContent)
            let badCursor = try await client.send(.get, "/v1/stores/\(store)/deliveries?cursor=nope")
            #expect(badCursor.status == .unprocessableContent)
            let agentKey = try #require(
                try await client.send(.post, "/v1/api-keys", json: #"{"name":"desk","role":"agent"}"#)
                    .object["secret"] as? String)
            let byAgent = try await client.send(.get, "/v1/stores/\(store)/deliveries", key: agentKey)
            #expect(byAgent.status == .forbidden)
        }
    }
}

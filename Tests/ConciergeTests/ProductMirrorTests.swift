import Contracts
import CustomersService
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Store sync: products", .enabled(if: TestDatabase.isConfigured))
struct ProductMirrorTests {
    static let ipod: Int64 = 632_910_392
    static let sampleOrder: Int64 = 820_982_911_946_154_508

    /// The lines of order events of `type` in the log, in log order.
    static func eventLines(_ url: String, _ type: String) async throws -> [[OrderEventLine]] {
        try await TestDatabase.withClient(url: url) { client, logger in
            let rows = try await client.query(
                "SELECT payload::text FROM events.log WHERE type = \(type) ORDER BY position", logger: logger)
            var lines: [[OrderEventLine]] = []
            for try await payload in rows.decode(String.self) {
                lines.append(try JSONDecoder().decode(OrderEvent.self, from: Data(payload.utf8)).lines)
            }
            return lines
        }
    }

    @Test func shopifyProductTagsAndCategoriesReachTheOrderLinesAndTheirEvents() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let product = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "products/update",
                body: try StoreSyncFixture.local("shopify/products_update.json"))
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create",
                body: try StoreSyncFixture.sample("shopify/orders_create.json"))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, product).0 == "applied")

            let order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: Self.sampleOrder)
            let tags = ["Emotive", "Flash Memory", "MP3", "Music Player", "final-sale"]
            #expect(order.lines.count == 2)
            #expect(order.lines.allSatisfy { $0.tags == tags && $0.categories == ["Cult Products", "MP3 Players"] })
            // The event published with the order carries the tags as they were then.
            let created = try await Self.eventLines(routers.url, EventType.orderCreated)
            #expect(created.count == 1)
            #expect(created.first?.map(\.tags) == [tags, tags])
            #expect(created.first?.map(\.productID) == [Self.ipod, Self.ipod])
        }
    }

    @Test func aProductArrivingAfterItsOrderStillTagsTheLinesAndStaleOnesChangeNothing() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create",
                body: try StoreSyncFixture.sample("shopify/orders_create.json"))
            try await StoreSyncFixture.sync(routers.url)
            var order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: Self.sampleOrder)
            #expect(order.lines.allSatisfy { $0.tags.isEmpty && $0.categories.isEmpty })

            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "products/update",
                body: try StoreSyncFixture.local("shopify/products_update.json"))
            // An older version of the product, delivered late: stale, the newer tags stay.
            let older = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "products/update",
                body: #"{"id": 632910392, "tags": "old", "updated_at": "2021-12-02T00:00:00Z"}"#)
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, older).0 == "stale")
            order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: Self.sampleOrder)
            #expect(order.lines.allSatisfy { $0.tags.contains("final-sale") })

            // The same product in another store does not tag this store's lines.
            let other = UUID()
            try await StoreSyncFixture.deliver(
                routers, store: other, topic: "products/update",
                body: #"{"id": 632910392, "tags": "elsewhere", "updated_at": "2030-01-01T00:00:00Z"}"#)
            // Deleting the product keeps its last tags on the orders that hold it; a replay changes nothing.
            let deletion = try StoreSyncFixture.local("shopify/products_delete.json")
            let deleted = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "products/delete", body: deletion)
            try await StoreSyncFixture.deliver(routers, store: store, topic: "products/delete", body: deletion)
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, deleted).0 == "applied")
            order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: Self.sampleOrder)
            #expect(order.lines.allSatisfy { $0.tags.contains("final-sale") && !$0.tags.contains("elsewhere") })
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    """
                    SELECT count(*) FROM customers.products
                    WHERE store_id = '\(store)' AND platform_product_id = 632910392 AND deleted_at IS NOT NULL
                    """) == 1)
            // Deleting a product never mirrored is nothing to apply.
            let unknown = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "products/delete", body: #"{"id": 5}"#)
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, unknown).0 == "ignored")
        }
    }

    @Test func wooCommerceProductTagsReachThePaidOrdersLines() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "product.updated",
                body: try StoreSyncFixture.local("woocommerce/product.updated.json"))
            try await StoreSyncFixture.sync(routers.url)
            try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "order.created",
                body: try StoreSyncFixture.sample("woocommerce/order.created.json"))
            try await StoreSyncFixture.sync(routers.url)
            let order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: 727)
            #expect(order.lines.map(\.tags) == [["vinyl", "Limited Edition"], []])
            #expect(order.lines.map(\.categories) == [["Music", "Singles"], []])
            let paid = try await Self.eventLines(routers.url, EventType.orderPaid)
            #expect(paid.first?.first?.tags == ["vinyl", "Limited Edition"])
            #expect(paid.first?.last?.tags == [])
        }
    }

    @Test func anUndecodableProductIsFailedWithoutPersonalData() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let bad = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "products/update", body: #"{"title": "Mug", "tags": "a"}"#)
            try await StoreSyncFixture.sync(routers.url)
            let (outcome, error) = try await StoreSyncFixture.outcome(routers.url, bad)
            #expect(outcome == "failed")
            #expect(error == "missing_field: id is required")
        }
    }
}

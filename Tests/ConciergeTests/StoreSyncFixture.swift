import Contracts
import CustomersService
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import TestSupport
import Wire

/// Helpers of the "Store sync ..." and "Orders ..." suites (no tests here): stored deliveries, the real
/// `customers.store_sync` consumer, and Shopify-format bodies.
enum StoreSyncFixture {
    /// The shared platform samples (`../shared/fixtures` beside the repository).
    static func sample(_ name: String) throws -> String {
        let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appending(path: "../shared/fixtures/\(name)"), encoding: .utf8)
    }

    /// The StorePlatforms test target's own samples (`Tests/StorePlatformsTests/Fixtures`).
    static func local(_ name: String) throws -> String {
        let tests = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        return try String(
            contentsOf: tests.appending(path: "StorePlatformsTests/Fixtures/\(name)"), encoding: .utf8)
    }

    /// Stores a delivery (Shopify unless `platform` says otherwise) through `customers.receive_delivery` as the
    /// gateway would.
    static func receive(
        _ routers: Fixture.Routers, store: UUID, platform: StorePlatform = .shopify, topic: String, body: String,
        key: String = UUID().uuidString, eventID: String? = nil, triggeredAt: Date? = nil,
        principal: Principal? = nil
    ) async throws -> ReplyEnvelope {
        let domain = platform == .shopify ? "shop.myshopify.com" : "shop.example.org"
        return try await routers.customers.call(
            Operation.Customers.receiveDelivery,
            ReceiveStoreDelivery(
                storeID: store, platform: platform, shopDomain: domain, topic: topic, deliveryKey: key,
                eventID: eventID, triggeredAt: triggeredAt, body: body),
            principal: principal ?? Principal(role: .integration, keyID: "webhooks"))
    }

    /// Like `receive`, for a delivery that must be new: its id.
    @discardableResult
    static func deliver(
        _ routers: Fixture.Routers, store: UUID, platform: StorePlatform = .shopify, topic: String, body: String,
        triggeredAt: Date? = nil
    ) async throws -> UUID {
        let reply = try await receive(
            routers, store: store, platform: platform, topic: topic, body: body, triggeredAt: triggeredAt)
        guard reply.status == 200 else { throw TestSetupError("receive_delivery answered \(reply.bodyText)") }
        let receipt = try reply.decoded(StoreDeliveryReceipt.self)
        guard !receipt.duplicate else { throw TestSetupError("delivery was a duplicate") }
        return receipt.deliveryID
    }

    static var fast: EventConsumerConfiguration {
        var configuration = EventConsumerConfiguration()
        configuration.pollInterval = .milliseconds(50)
        configuration.retryDelay = .milliseconds(10)
        configuration.maxRetryDelay = .milliseconds(50)
        return configuration
    }

    /// Runs the real `customers.store_sync` consumer (and the timeline) until every stored delivery is applied and
    /// the timeline has caught up with the log, then stops them.
    static func sync(_ url: String) async throws {
        try await TestDatabase.withClient(url: url) { client, _ in
            let consumers = [
                EventConsumer(
                    name: "customers.store_sync", schema: "customers", handlers: StoreSync().handlers(),
                    client: client, subscribeEndpoint: nil, configuration: fast, logger: Fixture.logger),
                EventConsumer(
                    name: "customers.timeline", schema: "customers", handlers: TimelineProjection().handlers(),
                    client: client, subscribeEndpoint: nil, configuration: fast, logger: Fixture.logger),
            ]
            let tasks = consumers.map { consumer in Task { try await consumer.run() } }
            defer { for task in tasks { task.cancel() } }
            try await ConsumerFixture.waitUntil("deliveries applied") {
                try await scalar(client, "SELECT count(*) FROM customers.store_deliveries WHERE applied_at IS NULL")
                    == 0
            }
            // The timeline has seen every event it handles once its checkpoint passed the newest one.
            try await ConsumerFixture.waitUntil("timeline caught up") {
                // (The consumer creates its bookkeeping tables when it first runs: until then, not caught up.)
                let pending = try? await scalar(
                    client,
                    """
                    SELECT count(*) FROM events.log l
                    WHERE l.type IN ('customer.created', 'order.created', 'order.paid', 'order.fulfilled',
                                     'order.refunded', 'order.cancelled')
                      AND NOT EXISTS (SELECT 1 FROM customers.applied_events a WHERE a.event_id = l.id
                                      AND a.consumer = 'customers.timeline')
                    """)
                return pending == 0
            }
            for task in tasks {
                task.cancel()
                _ = await task.result
            }
        }
    }

    static func scalar(_ client: PostgresClient, _ sql: String) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: Fixture.logger)
        for try await value in rows.decode(Int.self) { return value }
        return 0
    }

    /// How many events of `type` the log holds.
    static func events(_ url: String, _ type: String) async throws -> Int {
        try await TestDatabase.scalar(url: url, "SELECT count(*) FROM events.log WHERE type = '\(type)'")
    }

    /// The outcome of a stored delivery.
    static func outcome(_ url: String, _ delivery: UUID) async throws -> (String?, String?) {
        try await TestDatabase.withClient(url: url) { client, logger in
            let rows = try await client.query(
                "SELECT outcome, error FROM customers.store_deliveries WHERE id = \(delivery)", logger: logger)
            for try await row in rows.decode((String?, String?).self) { return row }
            throw TestSetupError("no delivery \(delivery)")
        }
    }

    /// The mirrored order of `platformOrderID`, read through `customers.get_order`.
    static func order(_ routers: Fixture.Routers, store: UUID, platformOrderID: Int64) async throws -> Order {
        let id = try await TestDatabase.withClient(url: routers.url) { client, logger in
            let rows = try await client.query(
                """
                SELECT id FROM customers.orders WHERE store_id = \(store) AND platform_order_id = \(platformOrderID)
                """, logger: logger)
            for try await id in rows.decode(UUID.self) { return id }
            throw TestSetupError("order \(platformOrderID) is not mirrored")
        }
        let reply = try await routers.customers.call(Operation.Customers.getOrder, ByID(id: id))
        guard reply.status == 200 else { throw TestSetupError("get_order answered \(reply.bodyText)") }
        return try reply.decoded(Order.self)
    }
}

/// Shopify-format webhook bodies for tests (Admin API 2025-01 field names; money as decimal strings).
enum ShopifyBody {
    /// One line item.
    struct Line {
        var id: Int64
        var sku: String
        var quantity: Int
        var price: String
        var productID: Int64 = 1
    }

    static let defaultLines = [
        Line(id: 9_007_199_254_740_993, sku: "MUG-RED", quantity: 2, price: "50.00"),
        Line(id: 9_007_199_254_740_995, sku: "TEE-L", quantity: 1, price: "99.00"),
    ]

    /// An order body; `customerID` nil makes a guest checkout.
    static func order(
        id: Int64, number: String = "#1001", email: String? = "ann@example.com", customerID: Int64? = 7_001,
        financial: String = "pending", fulfillment: String? = nil, updatedAt: String = "2025-03-01T10:00:00Z",
        cancelledAt: String? = nil, lines: [Line] = defaultLines, total: String = "199.00",
        refunds: [String] = [], firstName: String = "Ann", createdAt: String = "2025-03-01T09:00:00Z"
    ) -> String {
        let customer =
            customerID.map {
                #"{"id":\#($0),"email":\#(quoted(email)),"first_name":"\#(firstName)","last_name":"Lee","phone":null,"updated_at":"\#(updatedAt)"}"#
            } ?? "null"
        let lineItems = lines.map {
            #"{"id":\#($0.id),"sku":"\#($0.sku)","title":"Item \#($0.sku)","quantity":\#($0.quantity),"price":"\#($0.price)","total_discount":"0.00","product_id":\#($0.productID),"variant_id":2}"#
        }
        return #"""
            {"id":\#(id),"name":"\#(number)","email":\#(quoted(email)),"phone":null,"currency":"USD",
             "financial_status":"\#(financial)","fulfillment_status":\#(quoted(fulfillment)),
             "total_price":"\#(total)","subtotal_price":"\#(total)","total_tax":"0.00","total_discounts":"0.00",
             "total_shipping_price_set":{"shop_money":{"amount":"0.00","currency_code":"USD"}},
             "created_at":"\#(createdAt)","updated_at":"\#(updatedAt)","cancelled_at":\#(quoted(cancelledAt)),
             "customer":\#(customer),"line_items":[\#(lineItems.joined(separator: ","))],
             "shipping_address":{"first_name":"Ann","address1":"1 Main St","city":"Springfield","country_code":"US"},
             "fulfillments":[],"refunds":[\#(refunds.joined(separator: ","))],"tags":"vip, repeat"}
            """#
    }

    /// A refund of `amount` for one unit of `line`.
    static func refund(id: Int64, orderID: Int64, amount: String, line: Line = defaultLines[0]) -> String {
        #"""
        {"id":\#(id),"order_id":\#(orderID),"created_at":"2025-03-02T10:00:00Z","note":"damaged",
         "refund_line_items":[{"line_item_id":\#(line.id),"quantity":1,"subtotal":"\#(amount)",
           "subtotal_set":{"shop_money":{"amount":"\#(amount)","currency_code":"USD"}}}],
         "transactions":[{"kind":"refund","status":"success","amount":"\#(amount)","currency":"USD"}]}
        """#
    }

    /// A fulfillment shipping every default line.
    static func fulfillment(
        id: Int64, orderID: Int64, tracking: String = "1Z999", updatedAt: String = "2025-03-03T10:00:00Z",
        shipment: String? = nil, lines: [Line] = defaultLines
    ) -> String {
        let items = lines.map { #"{"id":\#($0.id),"quantity":\#($0.quantity)}"# }
        return #"""
            {"id":\#(id),"order_id":\#(orderID),"status":"success","tracking_company":"UPS",
             "tracking_number":"\#(tracking)","tracking_url":"https://ups.example/\#(tracking)",
             "shipment_status":\#(quoted(shipment)),"created_at":"2025-03-03T09:00:00Z","updated_at":"\#(updatedAt)",
             "line_items":[\#(items.joined(separator: ","))]}
            """#
    }

    private static func quoted(_ value: String?) -> String {
        value.map { "\"\($0)\"" } ?? "null"
    }
}

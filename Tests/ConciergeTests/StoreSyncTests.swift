import Contracts
import CustomersService
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Store sync: receiving deliveries", .enabled(if: TestDatabase.isConfigured))
struct StoreSyncReceiveTests {
    @Test func aNewDeliveryIsStoredOnceAndAnnounced() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let first = try await StoreSyncFixture.receive(
                routers, store: store, topic: "orders/create", body: "{}", key: "wh-1", eventID: "ev-1")
            #expect(first.status == 200)
            let receipt = try first.decoded(StoreDeliveryReceipt.self)
            #expect(!receipt.duplicate)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.storeDeliveryReceived) == 1)

            // The same delivery key again: the stored one, nothing recorded.
            let again = try await StoreSyncFixture.receive(
                routers, store: store, topic: "orders/create", body: "{}", key: "wh-1", eventID: "ev-1")
            #expect(
                try again.decoded(StoreDeliveryReceipt.self) == .init(deliveryID: receipt.deliveryID, duplicate: true))
            // The same Shopify event id and topic under another delivery key (another subscription): a duplicate.
            let sameEvent = try await StoreSyncFixture.receive(
                routers, store: store, topic: "orders/create", body: "{}", key: "wh-2", eventID: "ev-1")
            #expect(
                try sameEvent.decoded(StoreDeliveryReceipt.self)
                    == .init(deliveryID: receipt.deliveryID, duplicate: true))
            #expect(try await StoreSyncFixture.events(routers.url, EventType.storeDeliveryReceived) == 1)
            #expect(
                try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.store_deliveries") == 1)

            // Same event id with another topic, and the same key in another store, are new deliveries.
            let otherTopic = try await StoreSyncFixture.receive(
                routers, store: store, topic: "orders/paid", body: "{}", key: "wh-3", eventID: "ev-1")
            #expect(try otherTopic.decoded(StoreDeliveryReceipt.self).duplicate == false)
            let otherStore = try await StoreSyncFixture.receive(
                routers, store: UUID(), topic: "orders/create", body: "{}", key: "wh-1", eventID: "ev-1")
            #expect(try otherStore.decoded(StoreDeliveryReceipt.self).duplicate == false)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.storeDeliveryReceived) == 3)
        }
    }

    @Test func theEventNamesTheDeliveryAndTheStore() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let id = try await StoreSyncFixture.deliver(routers, store: store, topic: "orders/create", body: "{}")
            let row = try await TestDatabase.withClient(url: routers.url) { client, logger in
                let rows = try await client.query(
                    """
                    SELECT aggregate_type, aggregate_id, payload->>'delivery_id', payload->>'topic'
                    FROM events.log WHERE type = 'store.delivery_received'
                    """, logger: logger)
                for try await row in rows.decode((String, String, String, String).self) { return row }
                throw TestSetupError("no event")
            }
            #expect(row.0 == "store")
            #expect(row.1 == store.uuidString)
            #expect(UUID(uuidString: row.2) == id)
            #expect(row.3 == "orders/create")
        }
    }

    @Test func customerKeysAndOtherStoresKeysAreRefusedAndBadInputIs422() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let customer = try await StoreSyncFixture.receive(
                routers, store: store, topic: "orders/create", body: "{}", principal: .customer(UUID()))
            #expect(customer.status == 403)
            let otherStore = try await StoreSyncFixture.receive(
                routers, store: store, topic: "orders/create", body: "{}",
                principal: Principal(role: .integration, keyID: "k", storeID: UUID()))
            #expect(otherStore.status == 403)
            let ownStore = try await StoreSyncFixture.receive(
                routers, store: store, topic: "orders/create", body: "{}",
                principal: Principal(role: .integration, keyID: "k", storeID: store))
            #expect(ownStore.status == 200)
            let blank = try await StoreSyncFixture.receive(routers, store: store, topic: " ", body: "{}", key: "x")
            #expect(blank.status == 422)
            #expect(blank.problem?.errors?.map(\.field) == ["topic"])
            let unknownField = await routers.customers.call(
                Operation.Customers.receiveDelivery,
                json:
                    #"{"store_id":"\#(store)","platform":"shopify","shop_domain":"s","topic":"t","delivery_key":"k","body":"{}","extra":1}"#
            )
            #expect(unknownField.status == 422)
            #expect(
                try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.store_deliveries") == 1)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.storeDeliveryReceived) == 1)
        }
    }
}

@Suite("Store sync: applying deliveries", .enabled(if: TestDatabase.isConfigured))
struct StoreSyncApplyTests {
    static let orderID: Int64 = 5_000_000_000_000_001

    private func counts(_ url: String) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for type in [
            EventType.orderCreated, EventType.orderPaid, EventType.orderFulfilled, EventType.orderRefunded,
            EventType.orderCancelled, EventType.customerCreated,
        ] {
            counts[type] = try await StoreSyncFixture.events(url, type)
        }
        return counts
    }

    @Test func createPaidRefundFulfillmentBuildTheOrderAndEmitEachEventOnce() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let id = Self.orderID
            let bodies: [(String, String)] = [
                ("orders/create", ShopifyBody.order(id: id, updatedAt: "2025-03-01T10:00:00Z")),
                ("orders/paid", ShopifyBody.order(id: id, financial: "paid", updatedAt: "2025-03-01T11:00:00Z")),
                ("refunds/create", ShopifyBody.refund(id: 77, orderID: id, amount: "50.00")),
                ("fulfillments/create", ShopifyBody.fulfillment(id: 88, orderID: id, tracking: "1ZTRACK")),
            ]
            for (topic, body) in bodies {
                try await StoreSyncFixture.deliver(routers, store: store, topic: topic, body: body)
                try await StoreSyncFixture.sync(routers.url)
            }
            let order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: id)
            #expect(order.number == "#1001")
            #expect(order.financialStatus == "paid")
            #expect(order.fulfillmentStatus == "fulfilled")
            #expect(order.total == Money(amountMinor: 19900, currency: "USD"))
            #expect(order.refunded == Money(amountMinor: 5000, currency: "USD"))
            #expect(order.lines.map(\.sku) == ["MUG-RED", "TEE-L"])
            #expect(order.lines.first?.unitPrice == Money(amountMinor: 5000, currency: "USD"))
            #expect(order.lines.first?.platformLineID == 9_007_199_254_740_993)
            #expect(order.refunds.map(\.platformRefundID) == [77])
            #expect(order.fulfillments.first?.trackingNumber == "1ZTRACK")
            #expect(order.fulfillments.first?.carrier == "UPS")
            #expect(order.shippingAddress?.city == "Springfield")
            #expect(order.tags == ["vip", "repeat"])
            let customerID = try #require(order.customerID)
            let expected = [
                EventType.orderCreated: 1, EventType.orderPaid: 1, EventType.orderFulfilled: 1,
                EventType.orderRefunded: 1, EventType.orderCancelled: 0, EventType.customerCreated: 1,
            ]
            #expect(try await counts(routers.url) == expected)

            // The refund event: its amount and its line with the sku; fulfilled carries the tracking.
            let (refund, fulfilled) = try await TestDatabase.withClient(url: routers.url) { client, logger in
                var payloads: [String: OrderEvent] = [:]
                let rows = try await client.query(
                    "SELECT type, payload::text FROM events.log WHERE aggregate_type = 'order'", logger: logger)
                for try await (type, payload) in rows.decode((String, String).self) {
                    payloads[type] = try JSONDecoder().decode(OrderEvent.self, from: Data(payload.utf8))
                }
                return (payloads[EventType.orderRefunded], payloads[EventType.orderFulfilled])
            }
            #expect(refund?.amount == Money(amountMinor: 5000, currency: "USD"))
            #expect(refund?.platformRefundID == 77)
            #expect(
                refund?.lines == [
                    OrderEventLine(
                        platformLineID: 9_007_199_254_740_993, sku: "MUG-RED", quantity: 1, amountMinor: 5000,
                        productID: 1)
                ])
            #expect(refund?.orderID == order.id)
            #expect(refund?.customerID == customerID)
            #expect(fulfilled?.trackingNumber == "1ZTRACK")

            // The platform sends everything again (new delivery ids), and one stored delivery is applied again:
            // nothing new is emitted and the order is unchanged.
            for (topic, body) in bodies {
                try await StoreSyncFixture.deliver(routers, store: store, topic: topic, body: body)
            }
            try await StoreSyncFixture.sync(routers.url)
            let firstDelivery = try await TestDatabase.withClient(url: routers.url) { client, logger in
                let rows = try await client.query(
                    "SELECT id FROM customers.store_deliveries ORDER BY received_at LIMIT 1", logger: logger)
                for try await id in rows.decode(UUID.self) { return id }
                throw TestSetupError("no delivery")
            }
            try await TestDatabase.withClient(url: routers.url) { client, logger in
                try await client.withConnection { connection in
                    try await connection.inTransaction(logger: logger) {
                        try await StoreSync().apply(deliveryID: firstDelivery, on: connection, logger: logger)
                    }
                }
            }
            #expect(try await counts(routers.url) == expected)
            #expect(try await StoreSyncFixture.order(routers, store: store, platformOrderID: id) == order)

            // The timeline shows the order in the customer's words.
            let timeline = try await routers.customers.call(
                Operation.Customers.timeline, ListTimeline(customerID: customerID))
            let summaries = try timeline.decoded(Page<TimelineEntry>.self).items.map(\.summary)
            #expect(summaries.contains("Order #1001 placed: 199.00 USD"))
            #expect(summaries.contains("Order #1001 paid: 199.00 USD"))
            #expect(summaries.contains("Order #1001 refunded: 50.00 USD"))
            #expect(summaries.contains("Order #1001 shipped via UPS, tracking 1ZTRACK"))
        }
    }

    @Test func anOlderUpdateAfterANewerOneIsStaleButAddsItsNewRefund() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let id = Self.orderID
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/updated",
                body: ShopifyBody.order(id: id, financial: "paid", updatedAt: "2025-03-01T12:00:00Z", total: "199.00"))
            try await StoreSyncFixture.sync(routers.url)
            let older = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/updated",
                body: ShopifyBody.order(
                    id: id, email: "old@example.com", financial: "pending", updatedAt: "2025-03-01T11:00:00Z",
                    total: "150.00", refunds: [ShopifyBody.refund(id: 5, orderID: id, amount: "10.00")]))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, older).0 == "stale")
            let order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: id)
            #expect(order.financialStatus == "paid")
            #expect(order.total.amountMinor == 19900)
            #expect(order.email == "ann@example.com")
            #expect(order.refunds.map(\.platformRefundID) == [5])
            #expect(order.refunded.amountMinor == 1000)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderRefunded) == 1)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderPaid) == 1)
            // No customer was made from the stale delivery's email.
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url, "SELECT count(*) FROM customers.identities WHERE value = 'old@example.com'") == 0)
        }
    }

    @Test func aPartialBodyOverAStoredOrderOnlyAddsAndLosesNothing() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            // The id of Tests/StorePlatformsTests/Fixtures/shopify/order_partial.json.
            let id: Int64 = 9_007_199_254_740_993
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create",
                body: ShopifyBody.order(id: id, financial: "paid", updatedAt: "2025-03-01T10:00:00Z"))
            try await StoreSyncFixture.sync(routers.url)
            let full = try await StoreSyncFixture.order(routers, store: store, platformOrderID: id)

            // Only an id, a name, a currency and a total: no `updated_at`, no lines, no email, no addresses.
            let partial = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/updated",
                body: try StoreSyncFixture.local("shopify/order_partial.json"), triggeredAt: Date())
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, partial).0 == "merged")
            #expect(try await StoreSyncFixture.order(routers, store: store, platformOrderID: id) == full)

            // A partial body that brings a refund adds the refund, and nothing else changes.
            let withRefund = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/updated",
                body:
                    #"{"id":\#(id),"currency":"USD","total_price":"1.00","refunds":[\#(ShopifyBody.refund(id: 91, orderID: id, amount: "5.00"))]}"#
            )
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, withRefund).0 == "merged")
            let after = try await StoreSyncFixture.order(routers, store: store, platformOrderID: id)
            #expect(after.refunds.map(\.platformRefundID) == [91])
            #expect(after.refunded == Money(amountMinor: 500, currency: "USD"))
            #expect(after.email == full.email)
            #expect(after.lines == full.lines)
            #expect(after.shippingAddress == full.shippingAddress)
            #expect(after.total == full.total)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderRefunded) == 1)
        }
    }

    @Test func withoutUpdatedAtTheTriggerTimeDecidesStalenessOfANewOrder() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let id: Int64 = 5_000_000_000_000_077
            let triggered = Date(timeIntervalSince1970: 1_740_823_200)  // 2025-03-01T10:00:00Z
            let body = ShopifyBody.order(id: id, financial: "paid").replacingOccurrences(
                of: #""updated_at":"2025-03-01T10:00:00Z","#, with: "")
            #expect(!body.contains(#""updated_at":"2025-03-01T10:00:00Z","cancelled_at""#))
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create", body: body, triggeredAt: triggered)
            try await StoreSyncFixture.sync(routers.url)
            // The trigger time is stored as the order's platform version, so a full update older than it is stale.
            let older = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/updated",
                body: ShopifyBody.order(id: id, financial: "pending", updatedAt: "2025-03-01T09:00:00Z"))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, older).0 == "stale")
            #expect(
                try await StoreSyncFixture.order(routers, store: store, platformOrderID: id).financialStatus == "paid")
        }
    }

    @Test func aRefundDeliveredBeforeItsOrderShowsOnceTheOrderArrives() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let id = Self.orderID
            let refund = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "refunds/create",
                body: ShopifyBody.refund(id: 901, orderID: id, amount: "25.00"))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, refund).0 == "applied")
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.orders") == 0)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderRefunded) == 0)

            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create", body: ShopifyBody.order(id: id, financial: "paid"))
            try await StoreSyncFixture.sync(routers.url)
            let order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: id)
            #expect(order.refunds.map(\.platformRefundID) == [901])
            #expect(order.refunded.amountMinor == 2500)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderRefunded) == 1)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderCreated) == 1)
        }
    }

    @Test func aGuestOrderWithoutContactHasNoCustomerAndOneWithAnEmailFindsTheCustomer() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create",
                body: ShopifyBody.order(id: 1, number: "#2001", email: nil, customerID: nil))
            let known = try await routers.customers.createCustomer(email: "Known@Example.com")
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create",
                body: ShopifyBody.order(id: 2, number: "#2002", email: "known@example.com", customerID: nil))
            try await StoreSyncFixture.sync(routers.url)
            let guest = try await StoreSyncFixture.order(routers, store: store, platformOrderID: 1)
            #expect(guest.customerID == nil)
            #expect(guest.email == nil)
            let withEmail = try await StoreSyncFixture.order(routers, store: store, platformOrderID: 2)
            #expect(withEmail.customerID == known.id)
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.customers") == 1)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderCreated) == 2)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.customerCreated) == 1)  // the create call
        }
    }

    @Test func deliveriesStoredWhileNoConsumerRunsAreAppliedExactlyOnceLater() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            for n in 0..<3 {
                try await StoreSyncFixture.deliver(
                    routers, store: store, topic: "orders/create",
                    body: ShopifyBody.order(id: Int64(100 + n), number: "#30\(n)", financial: "paid"))
            }
            // Stored and announced, nothing applied: as after a crash between storing and applying.
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url, "SELECT count(*) FROM customers.store_deliveries WHERE applied_at IS NULL") == 3)
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.orders") == 0)
            try await StoreSyncFixture.sync(routers.url)
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.orders") == 3)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderCreated) == 3)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderPaid) == 3)
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url, "SELECT count(*) FROM customers.store_deliveries WHERE outcome = 'applied'") == 3)
        }
    }

    @Test func anUndecodableDeliveryIsMarkedFailedAndTheNextOneStillApplies() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let broken = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create", body: #"{"id": "ann@example.com", "total_price": 1"#)
            let missingID = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create", body: #"{"email":"ann@example.com"}"#)
            let good = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create", body: ShopifyBody.order(id: 42))
            let ping = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "app/uninstalled", body: "{}")
            try await StoreSyncFixture.sync(routers.url)
            let (outcome, error) = try await StoreSyncFixture.outcome(routers.url, broken)
            #expect(outcome == "failed")
            #expect(error?.hasPrefix("malformed_json") == true)
            let missing = try await StoreSyncFixture.outcome(routers.url, missingID)
            #expect(missing.0 == "failed")
            #expect(missing.1?.contains("ann@example.com") == false)
            #expect(try await StoreSyncFixture.outcome(routers.url, good).0 == "applied")
            #expect(try await StoreSyncFixture.outcome(routers.url, ping).0 == "ignored")
            #expect(
                try await TestDatabase.scalar(url: routers.url, "SELECT count(*) FROM customers.event_dead_letters")
                    == 0)
        }
    }

    @Test func theSharedShopifySamplesApply() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            // The refund and the fulfillment arrive before their order.
            for (topic, file) in [
                ("refunds/create", "refunds_create"), ("fulfillments/create", "fulfillments_create"),
                ("orders/create", "orders_create"), ("orders/cancelled", "orders_cancelled"),
            ] {
                try await StoreSyncFixture.deliver(
                    routers, store: store, topic: topic, body: try StoreSyncFixture.sample("shopify/\(file).json"))
            }
            try await StoreSyncFixture.sync(routers.url)
            let order = try await StoreSyncFixture.order(
                routers, store: store, platformOrderID: 820_982_911_946_154_508)
            #expect(order.number == "#9999")
            #expect(order.state == .cancelled)
            #expect(order.total == Money(amountMinor: 38800, currency: "USD"))
            #expect(order.refunded == Money(amountMinor: 8500, currency: "USD"))
            #expect(order.refunds.map(\.platformRefundID) == [890_088_186_047_892_319])
            #expect(order.fulfillments.map(\.trackingNumber) == ["1z827wk74630"])
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderCreated) == 1)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderRefunded) == 1)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderCancelled) == 1)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderPaid) == 0)  // voided
            // The buyer became a customer known by their Shopify id in this store.
            let customerID = try #require(order.customerID)
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    """
                    SELECT count(*) FROM customers.identities WHERE kind = 'shopify' AND value = '115310627314723954'
                      AND scope = '\(store.uuidString.lowercased())' AND customer_id = '\(customerID)'
                    """) == 1)
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM customers.store_deliveries WHERE outcome IN ('applied', 'stale')") == 4)
        }
    }

    @Test func theSharedShopifyCustomerAndComplianceSamplesApplyThroughTheConsumer() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            for (topic, file) in [
                ("customers/create", "customers_create"), ("customers/update", "customers_update"),
            ] {
                try await StoreSyncFixture.deliver(
                    routers, store: store, topic: topic, body: try StoreSyncFixture.sample("shopify/\(file).json"))
            }
            try await StoreSyncFixture.sync(routers.url)
            let bob = try await routers.customers.call(
                Operation.Customers.findByEmail, FindCustomerByEmail(email: "bob@biller.com")
            ).decoded(Customer.self)
            #expect(bob.identities.contains { $0.kind == .shopify && $0.value == "706405506930370084" })
            let deleted = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "customers/delete",
                body: try StoreSyncFixture.sample("shopify/customers_delete.json"))

            // The compliance samples name john@example.com (Shopify id 191167).
            let john = try await routers.customers.createCustomer(email: "john@example.com")
            let request = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "customers/data_request",
                body: try StoreSyncFixture.sample("shopify/customers_data_request.json"))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, deleted).0 == "applied")
            #expect(try await StoreSyncFixture.outcome(routers.url, request).0 == "applied")
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM customers.data_requests WHERE customer_id = '\(john.id)' AND status = 'open'")
                    == 1)

            let redact = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "customers/redact",
                body: try StoreSyncFixture.sample("shopify/customers_redact.json"))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, redact).0 == "applied")
            // shop/redact (48 hours after uninstalling) erases the shop's customers and every stored body of it.
            let shopRedact = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "shop/redact",
                body: try StoreSyncFixture.sample("shopify/shop_redact.json"))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, shopRedact).0 == "applied")
            #expect(try await StoreSyncFixture.outcome(routers.url, redact).0 == "redacted")
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM customers.store_deliveries WHERE store_id = '\(store)' AND body <> '{}'")
                    == 1)  // only the shop/redact delivery itself
            let erased = try await routers.customers.call(Operation.Customers.get, ByID(id: john.id))
                .decoded(Customer.self)
            #expect(erased.erasedAt != nil)
            #expect(erased.email == nil)
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM customers.erasures WHERE customer_id = '\(john.id)'") == 1)
        }
    }

    @Test func anOlderFulfillmentUpdateIsStaleAndKeepsTheTracking() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let id = Self.orderID
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create", body: ShopifyBody.order(id: id, financial: "paid"))
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "fulfillments/update",
                body: ShopifyBody.fulfillment(
                    id: 88, orderID: id, tracking: "1ZNEW", updatedAt: "2025-03-04T10:00:00Z", shipment: "delivered"))
            try await StoreSyncFixture.sync(routers.url)
            let older = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "fulfillments/update",
                body: ShopifyBody.fulfillment(
                    id: 88, orderID: id, tracking: "1ZOLD", updatedAt: "2025-03-03T10:00:00Z", shipment: "in_transit"))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, older).0 == "stale")
            let fulfillment = try #require(
                try await StoreSyncFixture.order(routers, store: store, platformOrderID: id).fulfillments.first)
            #expect(fulfillment.trackingNumber == "1ZNEW")
            #expect(fulfillment.shipmentStatus == "delivered")
        }
    }

    @Test func customerDeliveriesFollowTheStaleRuleAndDeleteForgetsThePlatformID() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            func customerBody(_ name: String, updatedAt: String) -> String {
                #"{"id":555,"email":"bea@example.com","first_name":"\#(name)","last_name":"Ray","updated_at":"\#(updatedAt)","tags":"","addresses":[]}"#
            }
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "customers/create",
                body: customerBody("Bea", updatedAt: "2025-03-01T10:00:00Z"))
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "customers/update",
                body: customerBody("Beatrice", updatedAt: "2025-03-02T10:00:00Z"))
            try await StoreSyncFixture.sync(routers.url)
            let older = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "customers/update",
                body: customerBody("Old", updatedAt: "2025-03-01T12:00:00Z"))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, older).0 == "stale")
            let found = try await routers.customers.call(
                Operation.Customers.findByEmail, FindCustomerByEmail(email: "bea@example.com"))
            let customer = try found.decoded(Customer.self)
            #expect(customer.firstName == "Beatrice")
            #expect(try await StoreSyncFixture.events(routers.url, EventType.customerCreated) == 1)

            let deleted = try await StoreSyncFixture.deliver(
                routers, store: store, topic: "customers/delete", body: #"{"id":555}"#)
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, deleted).0 == "applied")
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url, "SELECT count(*) FROM customers.identities WHERE kind = 'shopify'") == 0)
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url, "SELECT count(*) FROM customers.customers WHERE id = '\(customer.id)'") == 1)
        }
    }
}

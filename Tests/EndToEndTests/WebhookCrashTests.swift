import Foundation
import StorePlatforms
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension EndToEnd {
    /// A crash of the customers service between storing a webhook delivery and applying it loses nothing and applies
    /// nothing twice (docs/architecture.md 12a, "Store first, then apply").
    @Suite struct WebhookCrash {
        static let shop = "crash-e2e.myshopify.com"
        static let secret = "shpss_crash_e2e_0123456789abcdef"
        /// Orders in the burst; the first `appliedBeforeCrash` are applied before the crash.
        static let orderCount = 20
        static let appliedBeforeCrash = 5
        /// Buyers: order `i` belongs to buyer `i % buyerCount`, so buyers 5, 6 and 7 first appear after the crash
        /// point and are created by the deliveries the crash interrupts.
        static let buyerCount = 8
        /// 64-bit platform ids beyond 2^53, as Shopify sends.
        static let firstOrderID: Int64 = 7_100_000_000_000_000_000
        static let firstBuyerID: Int64 = 8_100_000_000_000_000_000

        struct Delivery: Sendable {
            var index: Int
            var webhookID: String
            var body: Data
        }

        static func email(ofBuyer buyer: Int) -> String { "crash-buyer-\(buyer)@example.com" }

        /// A distinct, paid `orders/create` body with one line.
        static func delivery(_ index: Int) throws -> Delivery {
            let orderID = firstOrderID + Int64(index)
            let buyer = index % buyerCount
            let object: [String: Any] = [
                "id": orderID, "name": "#C\(1000 + index)", "email": email(ofBuyer: buyer), "currency": "USD",
                "financial_status": "paid", "fulfillment_status": NSNull(), "subtotal_price": "90.00",
                "total_tax": "10.00", "total_discounts": "0.00", "total_price": "100.00",
                "created_at": "2025-01-01T12:00:00Z", "updated_at": "2025-01-01T12:00:00Z",
                "customer": [
                    "id": firstBuyerID + Int64(buyer), "email": email(ofBuyer: buyer), "first_name": "Crash",
                    "last_name": "Buyer \(buyer)",
                ],
                "line_items": [
                    [
                        "id": orderID + 1_000_000, "sku": "CRASH-1", "title": "Crash mug", "quantity": 2,
                        "price": "45.00", "total_discount": "0.00",
                    ]
                ],
            ]
            let body = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return Delivery(index: index, webhookID: "wh-crash-\(index)", body: body)
        }

        /// Posts `delivery` once, signed as Shopify signs it.
        static func post(_ http: HTTPClient, _ delivery: Delivery) async throws -> HTTPResponse {
            try await http.request(
                "POST", "/webhooks/shopify", body: delivery.body,
                headers: [
                    "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": shop,
                    "X-Shopify-Hmac-Sha256": WebhookSignature.sign(delivery.body, secret: secret),
                    "X-Shopify-Webhook-Id": delivery.webhookID,
                    "X-Shopify-Triggered-At": "2025-01-01T12:00:00.000Z",
                ])
        }

        /// Posts `delivery` as a platform does: again after a 503 (the gateway could not store it in time on a
        /// loaded machine), until it is acknowledged. Returns the acknowledgement: `accepted`, or `duplicate` when
        /// an earlier attempt was stored but its answer came too late.
        static func acknowledge(_ http: HTTPClient, _ delivery: Delivery) async throws -> HTTPResponse {
            for _ in 0..<10 {
                let response = try await post(http, delivery)
                if response.status != 503 { return response }
                try await Task.sleep(for: .milliseconds(500))
            }
            return try await post(http, delivery)
        }

        /// Every delivery acknowledged before customers is SIGKILLed — some applied, one batch blocked mid-apply
        /// (a table lock on `customers.orders` holds the consumer's transaction), the rest stored only — is applied
        /// exactly once after the restart: one mirrored order, one `order.created` and one `order.paid` per
        /// delivery, one customer per buyer. Re-sent while customers is down, deliveries get 503 with Retry-After
        /// and nothing is stored; re-sent after the restart they answer `duplicate` and change nothing.
        @Test func crashBetweenStoringAndApplyingLosesNothing() async throws {
            try await SuiteProcesses.run(services: ["customers"]) { suite in
                let http = suite.http
                let admin = suite.adminKey
                let url = suite.databaseURL
                func scalar(_ sql: String) async throws -> Int { try await TestDatabase.scalar(url: url, sql) }
                func applied() async throws -> Int {
                    try await scalar("SELECT count(*) FROM customers.store_deliveries WHERE applied_at IS NOT NULL")
                }
                func events(_ type: String) async throws -> Int {
                    try await scalar("SELECT count(*) FROM events.log WHERE type = '\(type)'")
                }

                let store = try await http.post(
                    "/v1/stores", key: admin,
                    json: [
                        "platform": "shopify", "shop_domain": Self.shop, "name": "Crash shop",
                        "webhook_secret": Self.secret,
                    ],
                    idempotencyKey: "e2e-crash-store")
                try #require(store.status == 201, "\(store)")
                let storeID = try #require(store.string("id")).lowercased()
                let deliveries = try (0..<Self.orderCount).map(Self.delivery)
                var deliveryIDs: [Int: String] = [:]

                // 1. The first deliveries are acknowledged and applied.
                for delivery in deliveries.prefix(Self.appliedBeforeCrash) {
                    let response = try await Self.acknowledge(http, delivery)
                    try #require(response.status == 200, "delivery \(delivery.index): \(response)")
                    deliveryIDs[delivery.index] = try #require(response.string("delivery_id"))
                }
                try await suite.waitUntil("the first deliveries to be applied", timeout: .seconds(120)) {
                    try await applied() == Self.appliedBeforeCrash
                }

                // 2. A second connection locks customers.orders: storing goes on, applying an order now waits.
                try suite.start(
                    "psql-lock", executable: "/usr/bin/env",
                    arguments: [
                        "psql", url, "-v", "ON_ERROR_STOP=1", "-c",
                        "BEGIN; LOCK TABLE customers.orders IN EXCLUSIVE MODE; SELECT pg_sleep(600);",
                    ],
                    environment: ["PGAPPNAME": "e2e-orders-lock"])
                func endLock() async throws {
                    _ = try await scalar(
                        """
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE application_name = 'e2e-orders-lock'
                        """)
                    if suite.isRunning("psql-lock") { try? suite.send(SIGKILL, to: "psql-lock") }
                }
                do {
                    try await suite.waitUntil("the lock on customers.orders to be held", timeout: .seconds(60)) {
                        try await scalar(
                            """
                            SELECT count(*) FROM pg_locks WHERE relation = 'customers.orders'::regclass
                            AND mode = 'ExclusiveLock' AND granted
                            """) == 1
                    }

                    // 3. The rest of the burst, all at once: every delivery is acknowledged (stored).
                    let rest = Array(deliveries.dropFirst(Self.appliedBeforeCrash))
                    let acknowledged = try await withThrowingTaskGroup(of: (Int, HTTPResponse).self) { group in
                        for delivery in rest {
                            group.addTask { (delivery.index, try await Self.acknowledge(http, delivery)) }
                        }
                        var answers: [(Int, HTTPResponse)] = []
                        for try await answer in group { answers.append(answer) }
                        return answers
                    }
                    for (index, response) in acknowledged {
                        try #require(response.status == 200, "delivery \(index): \(response)")
                        let status = response.string("status")
                        #expect(status == "accepted" || status == "duplicate", "delivery \(index): \(response)")
                        deliveryIDs[index] = try #require(response.string("delivery_id"))
                    }
                    #expect(Set(deliveryIDs.values).count == Self.orderCount, "\(deliveryIDs)")
                    #expect(try await suite.count("customers.store_deliveries") == Self.orderCount)

                    // 4. The consumer is mid-apply: its transaction waits for the lock.
                    try await suite.waitUntil("store sync to wait for customers.orders", timeout: .seconds(120)) {
                        try await scalar(
                            "SELECT count(*) FROM pg_locks WHERE relation = 'customers.orders'::regclass AND NOT granted"
                        ) >= 1
                    }
                    #expect(try await applied() == Self.appliedBeforeCrash)

                    // 5. SIGKILL customers in the middle of applying.
                    try await suite.kill9("customers")
                } catch {
                    try? await endLock()
                    throw error
                }

                // 6. While customers is down, platform retries are refused with 503 and Retry-After; nothing is lost.
                for index in [0, Self.appliedBeforeCrash, 12, Self.orderCount - 1] {
                    let retry = try await Self.post(http, deliveries[index])
                    #expect(retry.status == 503, "retry of delivery \(index) while customers is down: \(retry)")
                    #expect(retry.code == "delivery_unavailable", "\(retry)")
                    #expect(retry.header("Retry-After") != nil, "\(retry.headers)")
                }
                #expect(try await suite.count("customers.store_deliveries") == Self.orderCount)

                // 7. The lock ends; the killed consumer's transaction can only roll back (its client is gone).
                try await endLock()
                try await suite.waitUntil("the killed consumer's transaction to end", timeout: .seconds(60)) {
                    try await scalar("SELECT count(*) FROM pg_locks WHERE relation = 'customers.orders'::regclass")
                        == 0
                }
                #expect(try await applied() == Self.appliedBeforeCrash)
                #expect(try await suite.count("customers.orders") == Self.appliedBeforeCrash)
                #expect(try await events("order.created") == Self.appliedBeforeCrash)
                #expect(try await suite.count("customers.customers") == Self.appliedBeforeCrash)

                // 8. Restarted, customers applies every stored delivery.
                try suite.start("customers")
                // (Polled directly: waitForReadiness refuses once any child, here psql-lock, has exited.)
                try await suite.waitUntil("customers to register again", timeout: .seconds(90)) {
                    let ready = try? await http.get("/readyz", key: nil)
                    return (ready?.object?["services"] as? [String: String])?["customers"] == "ok"
                }
                try await suite.waitUntil("every delivery to be applied", timeout: .seconds(180)) {
                    try await applied() == Self.orderCount
                }

                // Exactly once: every delivery applied, every order mirrored once with its line, one event each.
                #expect(try await suite.count("customers.store_deliveries") == Self.orderCount)
                #expect(
                    try await scalar(
                        """
                        SELECT count(*) FROM customers.store_deliveries
                        WHERE applied_at IS NOT NULL AND outcome = 'applied' AND error IS NULL
                          AND store_id = '\(storeID)'
                        """) == Self.orderCount)
                let lastOrderID = Self.firstOrderID + Int64(Self.orderCount - 1)
                #expect(
                    try await scalar(
                        """
                        SELECT count(DISTINCT platform_order_id) FROM customers.orders
                        WHERE store_id = '\(storeID)' AND platform_order_id BETWEEN \(Self.firstOrderID) AND \(lastOrderID)
                          AND total_minor = 10000 AND customer_id IS NOT NULL
                        """) == Self.orderCount)
                #expect(try await suite.count("customers.orders") == Self.orderCount)
                #expect(try await suite.count("customers.order_lines") == Self.orderCount)
                #expect(try await events("store.delivery_received") == Self.orderCount)
                for type in ["order.created", "order.paid"] {
                    #expect(try await events(type) == Self.orderCount, "\(type)")
                    #expect(
                        try await scalar(
                            """
                            SELECT count(*) FROM customers.orders o
                            WHERE (SELECT count(*) FROM events.log l
                                   WHERE l.type = '\(type)' AND l.aggregate_type = 'order'
                                     AND lower(l.aggregate_id) = o.id::text) = 1
                            """) == Self.orderCount, "one \(type) per order")
                }
                #expect(try await suite.count("customers.customers") == Self.buyerCount)
                #expect(try await events("customer.created") == Self.buyerCount)
                #expect(try await scalar("SELECT count(*) FROM customers.event_dead_letters") == 0)

                // As an agent sees it: each buyer has exactly their orders.
                var seen = 0
                for buyer in 0..<Self.buyerCount {
                    let email = Self.email(ofBuyer: buyer).replacingOccurrences(of: "@", with: "%40")
                    let found = try await http.get("/v1/customers?q=\(email)", key: admin)
                    let items = try #require(found.object?["items"] as? [[String: Any]], "\(found)")
                    try #require(items.count == 1, "buyer \(buyer): \(found)")
                    let customerID = try #require(items[0]["id"] as? String)
                    let orders = try await http.get("/v1/customers/\(customerID)/orders?limit=50", key: admin)
                    let numbers = ((orders.object?["items"] as? [[String: Any]]) ?? []).compactMap {
                        $0["number"] as? String
                    }
                    let expected = (0..<Self.orderCount).filter { $0 % Self.buyerCount == buyer }.map {
                        "#C\(1000 + $0)"
                    }
                    #expect(numbers.sorted() == expected.sorted(), "buyer \(buyer): \(orders)")
                    seen += numbers.count
                }
                #expect(seen == Self.orderCount)

                // 9. Re-sent after the restart, every delivery is a duplicate of the one stored, and changes nothing.
                let before = try await Self.snapshot(url)
                for delivery in deliveries {
                    let again = try await Self.acknowledge(http, delivery)
                    #expect(again.status == 200, "delivery \(delivery.index): \(again)")
                    #expect(again.string("status") == "duplicate", "delivery \(delivery.index): \(again)")
                    #expect(again.string("delivery_id") == deliveryIDs[delivery.index], "\(again)")
                }
                // A fresh delivery after the duplicates is a barrier: the consumer applies the log in order, so
                // once it is applied anything the duplicates had caused would be visible.
                let barrier = try Self.delivery(Self.orderCount)
                let barrierAnswer = try await Self.acknowledge(http, barrier)
                try #require(barrierAnswer.status == 200, "\(barrierAnswer)")
                try await suite.waitUntil("the barrier delivery to be applied", timeout: .seconds(120)) {
                    try await applied() == Self.orderCount + 1
                }
                var after = try await Self.snapshot(url)
                // The barrier's own effects: one delivery, its event, one order with its line and two order events.
                #expect(after["deliveries"] == before["deliveries"].map { $0 + 1 }, "\(before) -> \(after)")
                #expect(after["orders"] == before["orders"].map { $0 + 1 }, "\(before) -> \(after)")
                #expect(after["lines"] == before["lines"].map { $0 + 1 }, "\(before) -> \(after)")
                #expect(after["events"] == before["events"].map { $0 + 3 }, "\(before) -> \(after)")
                for key in ["deliveries", "orders", "lines", "events"] { after[key] = before[key] }
                #expect(after == before, "the duplicates changed something")
            }
        }

        /// What re-sent duplicates must not change: counts, and a checksum of every delivery's and order's state.
        static func snapshot(_ url: String) async throws -> [String: Int] {
            var values: [String: Int] = [:]
            let queries = [
                "deliveries": "SELECT count(*) FROM customers.store_deliveries",
                "orders": "SELECT count(*) FROM customers.orders",
                "lines": "SELECT count(*) FROM customers.order_lines",
                "events": "SELECT count(*) FROM events.log",
                "customers": "SELECT count(*) FROM customers.customers",
                "customer_created": "SELECT count(*) FROM events.log WHERE type = 'customer.created'",
                "applied_checksum": """
                SELECT coalesce(sum(hashtext(id::text || applied_at::text || outcome)), 0)::bigint
                FROM customers.store_deliveries WHERE delivery_key LIKE 'wh-crash-%'
                  AND delivery_key <> 'wh-crash-\(Self.orderCount)'
                """,
                "orders_checksum": """
                SELECT coalesce(sum(hashtext(id::text || updated_at::text || customer_id::text)), 0)::bigint
                FROM customers.orders WHERE platform_order_id < \(Self.firstOrderID + Int64(Self.orderCount))
                """,
            ]
            for (key, sql) in queries { values[key] = try await TestDatabase.scalar(url: url, sql) }
            return values
        }
    }
}

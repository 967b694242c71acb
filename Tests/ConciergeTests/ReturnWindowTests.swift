import Contracts
import Foundation
import ReturnsService
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Return windows")
struct ReturnWindowTests {
    typealias F = ReturnsFixture

    @Test func theWindowClosesAtLocalMidnightAfterItsLastDay() throws {
        // Delivered at 23:30 UTC on 1 March: still 1 March in Los Angeles, already 2 March in Berlin.
        let delivered = F.date("2025-03-01T23:30:00Z")
        let losAngeles = try #require(TimeZone(identifier: "America/Los_Angeles"))
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        // Last day 31 March (PDT since 9 March): closes 1 April 00:00 PDT.
        #expect(
            ReturnWindows.closesAt(start: delivered, days: 30, timeZone: losAngeles) == F.date("2025-04-01T07:00:00Z"))
        // Last day 1 April (CEST since 30 March): closes 2 April 00:00 CEST.
        #expect(ReturnWindows.closesAt(start: delivered, days: 30, timeZone: berlin) == F.date("2025-04-01T22:00:00Z"))
        // A zero-day window still lasts the rest of the delivery day.
        #expect(ReturnWindows.closesAt(start: delivered, days: 0, timeZone: berlin) == F.date("2025-03-02T23:00:00Z"))
    }

    @Test func theOrdersWindowCountsFromDeliveryFallingBackToFulfillment() throws {
        let mug = F.line(1, sku: "MUG", quantity: 1, unitMinor: 1_000)
        let tee = F.line(2, sku: "TEE", quantity: 1, unitMinor: 2_000)
        let shippedOnly = F.order(
            lines: [mug], fulfillments: [F.shipment(10, lines: [mug], createdAt: F.date("2025-03-01T10:00:00Z"))])
        let resolver = PolicyResolver(policies: [])
        let fromFulfillment = ReturnWindows.window(of: shippedOnly, resolver: resolver, customerTags: [])
        #expect(fromFulfillment.startsFrom == "fulfillment")
        #expect(fromFulfillment.windowDays == 30)
        #expect(fromFulfillment.closesAt == F.date("2025-04-01T00:00:00Z"))

        let delivered = F.order(
            lines: [mug],
            fulfillments: [
                F.shipment(
                    10, lines: [mug], createdAt: F.date("2025-03-01T10:00:00Z"),
                    deliveredAt: F.date("2025-03-04T10:00:00Z"))
            ])
        let fromDelivery = ReturnWindows.window(of: delivered, resolver: resolver, customerTags: [])
        #expect(fromDelivery.startsFrom == "delivery")
        #expect(fromDelivery.closesAt == F.date("2025-04-04T00:00:00Z"))

        // Nothing shipped: not started. One of two lines shipped: the order's window has not fully started.
        let unshipped = ReturnWindows.window(of: F.order(lines: [mug, tee]), resolver: resolver, customerTags: [])
        #expect(unshipped.startsFrom == nil && unshipped.closesAt == nil && unshipped.windowDays == 30)
        let partial = F.order(
            lines: [mug, tee], fulfillments: [F.shipment(10, lines: [mug], createdAt: F.date("2025-03-01T10:00:00Z"))])
        #expect(ReturnWindows.window(of: partial, resolver: resolver, customerTags: []).closesAt == nil)
        // ... unless the unshipped line was refunded in full.
        var refunded = partial
        refunded.refunds = [
            OrderRefund(
                platformRefundID: 5, amount: F.money(2_000), reason: nil, refundedAt: nil,
                lines: [LineQuantity(platformLineID: 2, quantity: 1, amountMinor: 2_000)])
        ]
        #expect(
            ReturnWindows.window(of: refunded, resolver: resolver, customerTags: []).closesAt
                == F.date("2025-04-01T00:00:00Z"))
    }

    @Test func thePolicyOfEachLineAppliesAndTheLastToCloseWins() throws {
        let store = UUID()
        let standard = ReturnPolicy(
            id: UUID(), name: "store", storeID: store, timeZone: "Europe/Berlin", windowDays: 14)
        let shoes = ReturnPolicy(
            id: UUID(), name: "shoes", storeID: store, skuPrefix: "SHOE-", timeZone: "Europe/Berlin", windowDays: 60)
        let vip = ReturnPolicy(
            id: UUID(), name: "vip", storeID: store, customerTag: "vip", priority: 10, timeZone: "Europe/Berlin",
            windowDays: 90)
        let otherStore = ReturnPolicy(id: UUID(), name: "other", storeID: UUID(), windowDays: 365)
        let resolver = PolicyResolver(policies: [standard, shoes, vip, otherStore])
        #expect(resolver.policy(storeID: store, sku: "MUG-1", customerTags: []).name == "store")
        #expect(resolver.policy(storeID: store, sku: "shoe-42", customerTags: []).name == "shoes")
        #expect(resolver.policy(storeID: store, sku: "SHOE-42", customerTags: ["VIP"]).name == "vip")
        #expect(resolver.policy(storeID: UUID(), sku: "MUG-1", customerTags: []).name == "default")
        #expect(resolver.needsCustomerTags)

        let mug = F.line(1, sku: "MUG-1", quantity: 1, unitMinor: 1_000)
        let shoe = F.line(2, sku: "SHOE-42", quantity: 1, unitMinor: 9_000)
        let order = F.order(
            store: store, lines: [mug, shoe],
            fulfillments: [
                F.shipment(
                    10, lines: [mug, shoe], createdAt: F.date("2025-03-01T10:00:00Z"),
                    deliveredAt: F.date("2025-03-03T12:00:00Z"))
            ])
        let window = ReturnWindows.window(of: order, resolver: resolver, customerTags: [])
        #expect(window.windowDays == 60)
        // 3 March + 60 days = 2 May, last day; closes 3 May 00:00 CEST.
        #expect(window.closesAt == F.date("2025-05-02T22:00:00Z"))
    }

    @Test func aProductTagPolicyCoversTheLinesWhoseProductCarriesTheTag() throws {
        let store = UUID()
        let standard = ReturnPolicy(id: UUID(), name: "store", storeID: store, windowDays: 14)
        let footwear = ReturnPolicy(
            id: UUID(), name: "footwear", storeID: store, productTag: "Footwear", windowDays: 60)
        let vipFootwear = ReturnPolicy(
            id: UUID(), name: "vip footwear", storeID: store, productTag: "footwear", customerTag: "vip",
            windowDays: 90)
        let resolver = PolicyResolver(policies: [standard, footwear, vipFootwear])
        var boot = F.line(1, sku: "B-1", quantity: 1, unitMinor: 9_000)
        boot.tags = ["FOOTWEAR", "leather"]
        let mug = F.line(2, sku: "M-1", quantity: 1, unitMinor: 1_000)
        #expect(resolver.policy(storeID: store, line: boot, customerTags: []).name == "footwear")
        #expect(resolver.policy(storeID: store, line: mug, customerTags: []).name == "store")
        // More specific (tag and segment) wins at equal priority.
        #expect(resolver.policy(storeID: store, line: boot, customerTags: ["VIP"]).name == "vip footwear")
        #expect(resolver.policy(storeID: store, line: mug, customerTags: ["vip"]).name == "store")
        // The order's window is the longest of its lines'.
        let order = F.order(
            store: store, lines: [boot, mug],
            fulfillments: [
                F.shipment(
                    1, lines: [boot, mug], createdAt: F.date("2025-03-01T10:00:00Z"),
                    deliveredAt: F.date("2025-03-02T10:00:00Z"))
            ])
        #expect(ReturnWindows.window(of: order, resolver: resolver, customerTags: []).windowDays == 60)
    }

    @Test(.enabled(if: TestDatabase.isConfigured))
    func aProductTagPolicyAppliesToTheMirroredProductsOfAStore() async throws {
        try await F.withReturns { routers, returns in
            let store = UUID()
            let id: Int64 = 4_402
            let lines = [
                ShopifyBody.Line(id: 51, sku: "BOOT-9", quantity: 1, price: "120.00", productID: 7_001),
                ShopifyBody.Line(id: 52, sku: "SOCK-1", quantity: 1, price: "9.00", productID: 7_002),
                ShopifyBody.Line(id: 53, sku: "GIFT-1", quantity: 1, price: "70.00", productID: 7_003),
            ]
            for (product, tags) in [(7_001, "Footwear, leather"), (7_002, "accessories"), (7_003, "gift, FINAL-SALE")] {
                try await StoreSyncFixture.deliver(
                    routers, store: store, topic: "products/update",
                    body: #"{"id": \#(product), "tags": "\#(tags)", "updated_at": "2025-02-01T00:00:00Z"}"#)
            }
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create",
                body: ShopifyBody.order(id: id, financial: "paid", lines: lines, total: "199.00"))
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "fulfillments/update",
                body: ShopifyBody.fulfillment(
                    id: 89, orderID: id, updatedAt: "2025-03-04T10:00:00Z", shipment: "delivered", lines: lines))
            try await StoreSyncFixture.sync(routers.url)
            let order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: id)
            #expect(order.lines.map(\.tags) == [["Footwear", "leather"], ["accessories"], ["gift", "FINAL-SALE"]])

            for policy in [
                ReturnPolicy(id: UUID(), name: "store 14", storeID: store, windowDays: 14),
                ReturnPolicy(id: UUID(), name: "footwear 60", storeID: store, productTag: "footwear", windowDays: 60),
            ] {
                let put = try await returns.call(
                    Operation.Returns.putPolicy, PutReturnPolicy(policy), principal: .agent, key: UUID().uuidString)
                #expect(put.status == 200, "\(put.bodyText)")
                #expect(try put.decoded(ReturnPolicy.self).productTag == policy.productTag)
            }
            let window = try await returns.call(Operation.Returns.returnWindow, GetReturnWindow(orderID: order.id))
            #expect(try window.decoded(ReturnWindow.self).windowDays == 60)
            let reply = try await returns.call(
                Operation.Returns.eligibility, CheckReturnEligibility(orderID: order.id), principal: .agent)
            #expect(reply.status == 200, "\(reply.bodyText)")
            let answer = try reply.decoded(ReturnEligibility.self)
            #expect(answer.lines.map(\.policyName) == ["footwear 60", "store 14", "store 14"])
            // The gift is final sale by its product tag (the built-in `final-sale` exclusion, any case).
            let gift = try #require(answer.lines.last)
            #expect(gift.rule == "final_sale" && !gift.eligible)
            #expect(gift.explanation.contains("product tagged FINAL-SALE"))

            // Too long a tag is refused with the field named, and nothing is stored.
            var bad = PutReturnPolicy(ReturnPolicy(id: UUID(), name: "bad", storeID: store, windowDays: 10))
            bad.productTag = String(repeating: "x", count: 256)
            bad.finalSaleProductTags = [""]
            let invalid = try await returns.call(Operation.Returns.putPolicy, bad, principal: .agent, key: "bad-tag")
            #expect(invalid.status == 422)
            #expect(
                Set(invalid.problem?.errors?.map(\.field) ?? []) == ["product_tag", "final_sale_product_tags[0]"])
            let list = try await returns.call(
                Operation.Returns.listPolicies, ListReturnPolicies(storeID: store), principal: .agent)
            #expect(try list.decoded(ReturnPolicyList.self).policies.count == 2)
        }
    }

    @Test(.enabled(if: TestDatabase.isConfigured))
    func aCustomerTagPolicyMatchesACustomersServiceSegmentByName() async throws {
        try await F.withReturns { routers, returns in
            let store = UUID()
            let id: Int64 = 4_403
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create", body: ShopifyBody.order(id: id, financial: "paid"))
            try await StoreSyncFixture.sync(routers.url)
            let order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: id)
            for policy in [
                ReturnPolicy(id: UUID(), name: "store 14", storeID: store, windowDays: 14),
                ReturnPolicy(id: UUID(), name: "buyers 90", storeID: store, customerTag: "Buyers", windowDays: 90),
            ] {
                let put = try await returns.call(
                    Operation.Returns.putPolicy, PutReturnPolicy(policy), principal: .agent, key: UUID().uuidString)
                #expect(put.status == 200, "\(put.bodyText)")
            }
            func window() async throws -> Int {
                let reply = try await returns.call(Operation.Returns.returnWindow, GetReturnWindow(orderID: order.id))
                return try reply.decoded(ReturnWindow.self).windowDays
            }
            // No segment of that name yet: the store's policy.
            #expect(try await window() == 14)
            // A segment `buyers` (at least one order) holds the customer: the segment's policy applies.
            let defined = try await routers.customers.call(
                Operation.Customers.defineSegment, DefineSegment(name: "buyers", rule: SegmentRule(minOrders: 1)))
            #expect(defined.status == 200 || defined.status == 201, "\(defined.bodyText)")
            #expect(try await window() == 90)
            // A rule the customer does not meet: back to the store's policy.
            let redefined = try await routers.customers.call(
                Operation.Customers.defineSegment, DefineSegment(name: "buyers", rule: SegmentRule(minOrders: 5)))
            #expect(redefined.status == 200 || redefined.status == 201, "\(redefined.bodyText)")
            #expect(try await window() == 14)
        }
    }

    @Test(.enabled(if: TestDatabase.isConfigured))
    func returnWindowAnswersForAMirroredOrderWithTheStoresPolicy() async throws {
        try await F.withReturns { routers, returns in
            let store = UUID()
            let id: Int64 = 4_401
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "orders/create", body: ShopifyBody.order(id: id, financial: "paid"))
            try await StoreSyncFixture.sync(routers.url)
            // No policy yet: the built-in 30 days, not started (nothing shipped).
            let mirrored = try await StoreSyncFixture.order(routers, store: store, platformOrderID: id)
            let notStarted = try await returns.call(
                Operation.Returns.returnWindow, GetReturnWindow(orderID: mirrored.id))
            #expect(notStarted.status == 200, "\(notStarted.bodyText)")
            #expect(
                try notStarted.decoded(ReturnWindow.self)
                    == ReturnWindow(orderID: mirrored.id, windowDays: 30, startsFrom: nil, closesAt: nil))

            let policy = ReturnPolicy(
                id: UUID(), name: "Berlin 14 days", storeID: store, timeZone: "Europe/Berlin", windowDays: 14)
            let put = try await returns.call(
                Operation.Returns.putPolicy, PutReturnPolicy(policy), principal: .agent, key: "p1")
            #expect(put.status == 200, "\(put.bodyText)")
            #expect(try put.decoded(ReturnPolicy.self).windowDays == 14)

            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "fulfillments/update",
                body: ShopifyBody.fulfillment(
                    id: 88, orderID: id, updatedAt: "2025-03-04T23:30:00Z", shipment: "delivered"))
            try await StoreSyncFixture.sync(routers.url)
            let reply = try await returns.call(Operation.Returns.returnWindow, GetReturnWindow(orderID: mirrored.id))
            let window = try reply.decoded(ReturnWindow.self)
            // Delivered 5 March 00:30 in Berlin: last day 19 March, closes 20 March 00:00 CET.
            #expect(
                window
                    == ReturnWindow(
                        orderID: mirrored.id, windowDays: 14, startsFrom: "delivery",
                        closesAt: F.date("2025-03-19T23:00:00Z")))

            let list = try await returns.call(
                Operation.Returns.listPolicies, ListReturnPolicies(storeID: store), principal: .agent)
            #expect(try list.decoded(ReturnPolicyList.self).policies.map(\.name) == ["Berlin 14 days"])
            let customer = try await returns.call(
                Operation.Returns.putPolicy, PutReturnPolicy(policy), principal: .customer(UUID()), key: "p2")
            #expect(customer.status == 403)
            var bad = PutReturnPolicy(policy)
            bad.timeZone = "Mars/Olympus"
            bad.windowDays = -1
            let invalid = try await returns.call(Operation.Returns.putPolicy, bad, principal: .agent, key: "p3")
            #expect(invalid.status == 422)
            #expect(Set(invalid.problem?.errors?.map(\.field) ?? []) == ["time_zone", "window_days"])
            let missing = try await returns.call(Operation.Returns.returnWindow, GetReturnWindow(orderID: UUID()))
            #expect(missing.status == 404)
        }
    }
}

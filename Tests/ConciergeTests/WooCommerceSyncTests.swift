import Contracts
import CustomersService
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

/// WooCommerce deliveries applied by the real `customers.store_sync` consumer: the shared sample order, refunds
/// arriving through `order.updated`, the stale rule on `date_modified_gmt`, and the customer topics.
@Suite("Store sync: WooCommerce deliveries", .enabled(if: TestDatabase.isConfigured))
struct WooCommerceSyncTests {
    /// The sample order 1093 (two refunds, Shipment Tracking items) with its modification time and refunds replaced.
    private func order1093(modified: String, refunds: String? = nil) throws -> String {
        var body = try StoreSyncFixture.local("woocommerce/order_two_refunds_tracking.json")
        body = body.replacingOccurrences(
            of: #""date_modified_gmt": "2025-02-10T11:00:00""#, with: #""date_modified_gmt": "\#(modified)""#)
        if let refunds {
            let start = try #require(body.range(of: #""refunds": ["#))
            let end = try #require(body.range(of: "]", range: start.upperBound..<body.endIndex))
            body.replaceSubrange(start.lowerBound..<end.upperBound, with: #""refunds": [\#(refunds)]"#)
        }
        return body
    }

    @Test func theSharedOrderSampleMirrorsTheOrderAndFindsTheBuyerByEmail() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let delivery = try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "order.created",
                body: try StoreSyncFixture.sample("woocommerce/order.created.json"))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, delivery).0 == "applied")
            let order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: 727)
            #expect(order.platform == .woocommerce)
            #expect(order.number == "#727")
            #expect(order.financialStatus == "paid")
            #expect(order.total == Money(amountMinor: 2935, currency: "USD"))
            #expect(order.lines.map(\.platformLineID) == [315, 316])
            #expect(order.lines.map(\.unitPrice.amountMinor) == [300, 1200])
            #expect(order.email == "john.doe@example.com")
            // A guest checkout (customer_id 0): the buyer is found, or created, by the billing email.
            let customerID = try #require(order.customerID)
            let found = try await routers.customers.call(
                Operation.Customers.findByEmail, FindCustomerByEmail(email: "john.doe@example.com"))
            #expect(try found.decoded(Customer.self).id == customerID)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderCreated) == 1)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderPaid) == 1)
        }
    }

    @Test func refundsArriveThroughOrderUpdatedEachPublishedOnceAndOlderVersionsAreStale() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "order.updated",
                body: try order1093(modified: "2025-02-10T11:00:00"))
            try await StoreSyncFixture.sync(routers.url)
            var order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: 1093)
            #expect(order.refunded == Money(amountMinor: 1250, currency: "EUR"))
            #expect(order.fulfillments.map(\.trackingNumber) == ["00340434161094042557", "3SABCD1234567"])
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderRefunded) == 2)

            // A third refund in a later version: one more order.refunded, the first two are not published again.
            let third =
                #"{"id": 1201, "reason": "Broken in transit", "total": "-10.00"},"#
                + #"{"id": 1202, "reason": "", "total": "-2.5"}, {"id": 1203, "reason": "Late", "total": "-4.90"}"#
            try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "order.updated",
                body: try order1093(modified: "2025-02-11T09:00:00", refunds: third))
            try await StoreSyncFixture.sync(routers.url)
            order = try await StoreSyncFixture.order(routers, store: store, platformOrderID: 1093)
            #expect(order.refunded == Money(amountMinor: 1740, currency: "EUR"))
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderRefunded) == 3)

            // The first version delivered late (WooCommerce does not retry in order): stale, nothing changes.
            let late = try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "order.updated",
                body: try order1093(modified: "2025-02-09T08:00:00", refunds: ""))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, late).0 == "stale")
            #expect(try await StoreSyncFixture.order(routers, store: store, platformOrderID: 1093) == order)
            #expect(try await StoreSyncFixture.events(routers.url, EventType.orderRefunded) == 3)
        }
    }

    @Test func customerTopicsCreateUpdateStaleAndDelete() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let sample = try StoreSyncFixture.sample("woocommerce/customer.created.json")
            try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "customer.created", body: sample)
            try await StoreSyncFixture.sync(routers.url)
            let found = try await routers.customers.call(
                Operation.Customers.findByEmail, FindCustomerByEmail(email: "john.doe@example.com"))
            let customer = try found.decoded(Customer.self)
            #expect(customer.firstName == "John")
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url,
                    "SELECT count(*) FROM customers.identities WHERE kind = 'woocommerce' AND customer_id = '\(customer.id)'"
                ) == 1)

            func renamed(_ name: String, modified: String) -> String {
                sample.replacingOccurrences(of: #""first_name": "John""#, with: #""first_name": "\#(name)""#)
                    .replacingOccurrences(
                        of: #""date_modified_gmt": "2017-03-21T19:09:30""#,
                        with: #""date_modified_gmt": "\#(modified)""#)
            }
            try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "customer.updated",
                body: renamed("Johnny", modified: "2017-03-23T10:00:00"))
            try await StoreSyncFixture.sync(routers.url)
            let older = try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "customer.updated",
                body: renamed("Jack", modified: "2017-03-22T10:00:00"))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, older).0 == "stale")
            let updated = try await routers.customers.call(Operation.Customers.get, ByID(id: customer.id))
            #expect(try updated.decoded(Customer.self).firstName == "Johnny")
            #expect(try await StoreSyncFixture.events(routers.url, EventType.customerCreated) == 1)

            let deleted = try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "customer.deleted",
                body: try StoreSyncFixture.local("woocommerce/customer.deleted.json"))
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, deleted).0 == "applied")
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url, "SELECT count(*) FROM customers.identities WHERE kind = 'woocommerce'") == 0)
            // The customer and their history stay; only the platform identity is forgotten.
            #expect(
                try await TestDatabase.scalar(
                    url: routers.url, "SELECT count(*) FROM customers.customers WHERE id = '\(customer.id)'") == 1)
        }
    }

    @Test func aDeletedOrderStaysForTheHistoryLeavesTheStatisticsAndARestoreBringsItBack() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let sample = try StoreSyncFixture.sample("woocommerce/order.created.json")
            try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "order.created", body: sample)
            try await StoreSyncFixture.sync(routers.url)
            let placed = try await StoreSyncFixture.order(routers, store: store, platformOrderID: 727)
            let customerID = try #require(placed.customerID)
            func orderCount() async throws -> Int? {
                try await routers.customers.call(Operation.Customers.get, ByID(id: customerID))
                    .decoded(Customer.self).stats?.orderCount
            }
            #expect(try await orderCount() == 1)

            let deleted = try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "order.deleted",
                body: try StoreSyncFixture.local("woocommerce/order.deleted.json"))
            let unknown = try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "order.deleted", body: #"{"id": 99999}"#)
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, deleted).0 == "applied")
            #expect(try await StoreSyncFixture.outcome(routers.url, unknown).0 == "ignored")
            let gone = try await StoreSyncFixture.order(routers, store: store, platformOrderID: 727)
            #expect(gone.state == .deleted)
            #expect(gone.lines == placed.lines)
            #expect(try await orderCount() == nil)  // no counted orders: no statistics

            // Restored in WooCommerce (a newer version of the whole order): open again.
            let restored = sample.replacingOccurrences(
                of: #""date_modified_gmt": "2017-03-22T19:28:08""#, with: #""date_modified_gmt": "2017-03-25T08:00:00""#
            )
            try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "order.restored", body: restored)
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.order(routers, store: store, platformOrderID: 727).state == .open)
            #expect(try await orderCount() == 1)
        }
    }

    @Test func topicsConciergeDoesNotActOnAreIgnored() async throws {
        try await Fixture.withRouters { routers in
            let store = UUID()
            let product = try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "action.woocommerce_add_to_cart",
                body: #"{"id": 42, "name": "Mug"}"#)
            let coupon = try await StoreSyncFixture.deliver(
                routers, store: store, platform: .woocommerce, topic: "coupon.created", body: "not even json")
            try await StoreSyncFixture.sync(routers.url)
            #expect(try await StoreSyncFixture.outcome(routers.url, product).0 == "ignored")
            #expect(try await StoreSyncFixture.outcome(routers.url, coupon).0 == "ignored")
        }
    }
}

import Contracts
import Foundation
import StorePlatforms
import Testing

@Suite("StorePlatforms WooCommerce payloads")
struct WooCommercePayloadTests {
    @Test(
        "the shared order sample: a paid guest order with an email",
        arguments: ["order.created", "order.updated", "order.restored"])
    func sharedOrder(topic: String) throws {
        let order = try #require(
            Fixture.order(try Fixture.woo(topic, try Fixture.shared("woocommerce/order.created.json"))))
        #expect(order.platformOrderID == 727)
        #expect(order.number == "#727")
        #expect(order.state == .open)
        #expect(order.financialStatus == "paid")
        #expect(order.fulfillmentStatus == "unfulfilled")
        #expect(order.currency == "USD")
        #expect(order.subtotalMinor == 1800)
        #expect(order.taxMinor == 135)
        #expect(order.shippingMinor == 1000)
        #expect(order.discountMinor == 0)
        #expect(order.totalMinor == 2935)
        #expect(order.presentmentTotal == nil)
        #expect(order.email == "john.doe@example.com")
        #expect(order.phone == "(555) 555-5555")
        #expect(order.createdAt == Fixture.date("2017-03-22T19:28:02Z"))
        #expect(order.updatedAt == Fixture.date("2017-03-22T19:28:08Z"))
        #expect(order.fulfillments.isEmpty)
        #expect(order.refunds.isEmpty)
        #expect(
            order.lines == [
                StoreOrderLine(
                    platformLineID: 315, productID: 93, variantID: nil, sku: nil, title: "Woo Single #1", quantity: 2,
                    unitPriceMinor: 300, discountMinor: 0),
                StoreOrderLine(
                    platformLineID: 316, productID: 22, variantID: 23, sku: "Bar3",
                    title: "Ship Your Idea &ndash; Color: Black, Size: M Test", quantity: 1, unitPriceMinor: 1200,
                    discountMinor: 0),
            ])
        let billing = PostalAddress(
            name: "John Doe", line1: "969 Market", city: "San Francisco", provinceCode: "CA", postalCode: "94103",
            countryCode: "US", phone: "(555) 555-5555")
        #expect(order.billingAddress == billing)
        #expect(order.shippingAddress?.line1 == "969 Market")
        #expect(order.shippingAddress?.phone == nil)
        #expect(
            order.customer
                == StoreCustomer(
                    platformCustomerID: nil, email: "john.doe@example.com", firstName: "John", lastName: "Doe",
                    phone: "(555) 555-5555", addresses: [billing]))
    }

    @Test("the shared refund resource inside an order's refunds: positive amount from `amount`")
    func sharedRefund() throws {
        let refund = String(decoding: try Fixture.shared("woocommerce/order-refund.json"), as: UTF8.self)
        var body = String(decoding: try Fixture.shared("woocommerce/order.created.json"), as: UTF8.self)
        #expect(body.contains(#""refunds": []"#))
        body = body.replacingOccurrences(of: #""refunds": []"#, with: #""refunds": [\#(refund)]"#)
        let order = try #require(Fixture.order(try Fixture.woo("order.updated", Array(body.utf8))))
        #expect(order.financialStatus == "partially_refunded")
        #expect(
            order.refunds == [
                StoreRefund(
                    platformRefundID: 726, amountMinor: 1000, reason: nil,
                    createdAt: Fixture.date("2017-03-21T20:07:11Z"))
            ])
    }

    @Test("a completed order with two refunds and Shipment Tracking items")
    func refundsAndTracking() throws {
        let order = try #require(
            Fixture.order(
                try Fixture.woo("order.updated", try Fixture.local("woocommerce/order_two_refunds_tracking.json"))))
        #expect(order.platformOrderID == 1093)  // sent as the string "1093"
        #expect(order.number == "#1093")
        #expect(order.state == .closed)
        #expect(order.financialStatus == "partially_refunded")
        #expect(order.fulfillmentStatus == "fulfilled")
        #expect(order.currency == "EUR")
        #expect(order.subtotalMinor == 3000)
        #expect(order.discountMinor == 500)
        #expect(order.shippingMinor == 490)
        #expect(order.taxMinor == 570)
        #expect(order.totalMinor == 3560)
        #expect(order.lines.map(\.unitPriceMinor) == [333, 1000])  // 10.00 / 3 and 20.00 / 2, never `price`
        #expect(order.lines.map(\.discountMinor) == [200, 300])
        #expect(order.lines.map(\.variantID) == [nil, 79])
        #expect(
            order.refunds == [
                StoreRefund(platformRefundID: 1201, amountMinor: 1000, reason: "Broken in transit"),
                StoreRefund(platformRefundID: 1202, amountMinor: 250, reason: nil),
            ])
        #expect(order.customer?.platformCustomerID == 58)
        #expect(order.customer?.email == "jan@example.nl")
        #expect(order.billingAddress?.countryCode == "NL")
        #expect(order.billingAddress?.provinceCode == nil)
        #expect(order.shippingAddress == nil)  // PHP's empty array
        #expect(order.fulfillments.count == 2)
        let dhl = try #require(order.fulfillments.first)
        #expect(dhl.carrier == "dhl-de")
        #expect(dhl.trackingNumber == "00340434161094042557")
        #expect(dhl.trackingURL == nil)
        #expect(dhl.status == "completed")
        #expect(dhl.createdAt == Date(timeIntervalSince1970: 1_738_573_200))
        #expect(dhl.lines.isEmpty)
        let postNL = try #require(order.fulfillments.last)
        #expect(postNL.carrier == "PostNL")
        #expect(postNL.trackingNumber == "3SABCD1234567")
        #expect(postNL.trackingURL == "https://postnl.nl/t/3SABCD")
        #expect(postNL.createdAt == Date(timeIntervalSince1970: 1_738_659_600))
        #expect(dhl.platformFulfillmentID != postNL.platformFulfillmentID)
        #expect(dhl.platformFulfillmentID >= 0 && postNL.platformFulfillmentID >= 0)
        // Stable: decoding again gives the same ids.
        let again = try #require(
            Fixture.order(
                try Fixture.woo("order.updated", try Fixture.local("woocommerce/order_two_refunds_tracking.json"))))
        #expect(again.fulfillments.map(\.platformFulfillmentID) == order.fulfillments.map(\.platformFulfillmentID))
    }

    @Test("a completed order without tracking has no fulfillment but is fulfilled")
    func completedWithoutTracking() throws {
        let body = #"{"id": 1, "status": "completed", "currency": "USD", "total": "1.00", "customer_id": 0}"#
        let order = try #require(Fixture.order(try Fixture.woo("order.updated", Array(body.utf8))))
        #expect(order.fulfillmentStatus == "fulfilled")
        #expect(order.fulfillments.isEmpty)
        #expect(order.financialStatus == "paid")
        #expect(order.state == .closed)
    }

    @Test("a guest order without an email has no customer; empty strings are absent")
    func guestWithoutEmail() throws {
        let order = try #require(
            Fixture.order(try Fixture.woo("order.created", try Fixture.local("woocommerce/order_guest_no_email.json"))))
        #expect(order.platformOrderID == 730)
        #expect(order.customer == nil)
        #expect(order.email == nil)
        #expect(order.billingAddress == nil)
        #expect(order.shippingAddress == nil)
        #expect(order.financialStatus == "pending")
        #expect(order.state == .open)
        #expect(order.totalMinor == 0)
        #expect(order.currency == "GBP")
    }

    @Test(
        "statuses map to state and financial status",
        arguments: [
            ("pending", OrderState.open, "pending"), ("on-hold", .open, "pending"), ("processing", .open, "paid"),
            ("completed", .closed, "paid"), ("refunded", .closed, "refunded"), ("cancelled", .cancelled, "pending"),
            ("failed", .cancelled, "pending"), ("trash", .cancelled, "pending"), ("checkout-draft", .open, "pending"),
        ])
    func statuses(status: String, state: OrderState, financial: String) throws {
        let body = #"{"id": 1, "status": "\#(status)", "currency": "USD", "total": "1.00"}"#
        let order = try #require(Fixture.order(try Fixture.woo("order.updated", Array(body.utf8))))
        #expect(order.state == state)
        #expect(order.financialStatus == financial)
    }

    @Test("the shared customer sample")
    func sharedCustomer() throws {
        let customer = try #require(
            Fixture.customer(
                try Fixture.woo("customer.created", try Fixture.shared("woocommerce/customer.created.json"))))
        #expect(customer.platformCustomerID == 25)
        #expect(customer.email == "john.doe@example.com")
        #expect(customer.firstName == "John")
        #expect(customer.lastName == "Doe")
        #expect(customer.phone == "(555) 555-5555")
        #expect(customer.addresses.count == 2)  // billing has a phone, shipping has none
        #expect(customer.addresses.first?.postalCode == "94103")
        #expect(customer.createdAt == Fixture.date("2017-03-21T19:09:28Z"))
        #expect(customer.updatedAt == Fixture.date("2017-03-21T19:09:30Z"))
        #expect(customer.acceptsEmailMarketing == nil)
    }

    @Test("customer.deleted and order.deleted")
    func deletions() throws {
        #expect(
            try Fixture.woo("customer.deleted", try Fixture.local("woocommerce/customer.deleted.json"))
                == .customerDeleted(platformCustomerID: 25))
        #expect(
            try Fixture.woo("order.deleted", try Fixture.local("woocommerce/order.deleted.json"))
                == .orderDeleted(platformOrderID: 727))
        #expect(
            try Fixture.woo("order.deleted", Array(#"{"id": "9223372036854775807"}"#.utf8))
                == .orderDeleted(platformOrderID: Int64.max))
    }

    @Test("the creation ping decodes to .ping whatever the topic says")
    func ping() throws {
        let body = try Fixture.local("woocommerce/ping.txt")
        #expect(try Fixture.woo("order.created", body) == .ping)
        #expect(try Fixture.woo("", body) == .ping)
    }

    @Test(
        "action hooks and other topics are unknown",
        arguments: ["action.woocommerce_add_to_cart", "coupon.created", "coupon.updated", "order.trashed"])
    func unknown(topic: String) throws {
        #expect(try Fixture.woo(topic, Array("{".utf8)) == .unknown(topic: topic))
    }
}

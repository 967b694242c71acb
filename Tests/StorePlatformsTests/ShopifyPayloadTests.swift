import Contracts
import Foundation
import StorePlatforms
import Testing

@Suite("StorePlatforms Shopify payloads")
struct ShopifyPayloadTests {
    static let orderTopics = [
        ("orders/create", "orders_create"), ("orders/updated", "orders_updated"), ("orders/paid", "orders_paid"),
        ("orders/fulfilled", "orders_fulfilled"), ("orders/cancelled", "orders_cancelled"),
    ]

    @Test("every shared order sample decodes to the documented order", arguments: orderTopics)
    func sharedOrders(topic: String, file: String) throws {
        let order = try #require(Fixture.order(try Fixture.shopify(topic, try Fixture.shared("shopify/\(file).json"))))
        #expect(order.platformOrderID == 820_982_911_946_154_508)
        #expect(order.number == "#9999")
        #expect(order.email == "jon@example.com")
        #expect(order.phone == nil)
        #expect(order.state == .cancelled)
        #expect(order.cancelReason == "customer")
        #expect(order.cancelledAt == Fixture.date("2022-01-01T00:00:00Z"))
        #expect(order.createdAt == Date(timeIntervalSince1970: 1_640_995_200))
        #expect(order.updatedAt == Date(timeIntervalSince1970: 1_640_995_200))
        #expect(order.financialStatus == "voided")
        #expect(order.fulfillmentStatus == "unfulfilled")
        #expect(order.currency == "USD")
        #expect(order.subtotalMinor == 38800)
        #expect(order.taxMinor == 0)
        #expect(order.shippingMinor == 1000)
        #expect(order.discountMinor == 2000)
        #expect(order.totalMinor == 38800)
        #expect(order.presentmentTotal == Money(amountMinor: 38800, currency: "USD"))
        #expect(order.tags == ["tag1", "tag2"])
        #expect(order.lines.map(\.platformLineID) == [866_550_311_766_439_020, 141_249_953_214_522_974])
        let line = try #require(order.lines.first)
        #expect(line.productID == 632_910_392)
        #expect(line.variantID == 808_950_810)
        #expect(line.sku == "IPOD2008PINK")
        #expect(line.title == "IPod Nano - 8GB")
        #expect(line.variantTitle == nil)
        #expect(line.quantity == 1)
        #expect(line.unitPriceMinor == 19900)
        #expect(line.discountMinor == 0)
        #expect(
            order.shippingAddress
                == PostalAddress(
                    name: "Steve Shipper", company: "Shipping Company", line1: "123 Shipping Street",
                    city: "Shippington", province: "Kentucky", provinceCode: "KY", postalCode: "40003",
                    country: "United States", countryCode: "US", phone: "555-555-SHIP"))
        #expect(order.billingAddress == order.shippingAddress)
        #expect(order.fulfillments.isEmpty)
        #expect(order.refunds.isEmpty)
        let customer = try #require(order.customer)
        #expect(customer.platformCustomerID == 115_310_627_314_723_954)
        #expect(customer.email == "john@example.com")
        #expect(customer.firstName == "John")
        #expect(customer.lastName == "Smith")
        #expect(customer.addresses.count == 1)
        #expect(customer.addresses.first?.name == nil)
        #expect(customer.addresses.first?.postalCode == "K2H7A8")
        #expect(customer.acceptsEmailMarketing == nil)
    }

    @Test("the 64-bit order id survives exactly (a Double would make it ...500)")
    func exactIDs() throws {
        let order = try #require(
            Fixture.order(try Fixture.shopify("orders/create", try Fixture.shared("shopify/orders_create.json"))))
        #expect(order.platformOrderID == Int64("820982911946154508"))
        #expect(Int64(exactly: Double(820_982_911_946_154_508)) != order.platformOrderID)
        let partial = try #require(
            Fixture.order(try Fixture.shopify("orders/updated", try Fixture.local("shopify/order_partial.json"))))
        #expect(partial.platformOrderID == 9_007_199_254_740_993)  // 2^53 + 1: not a Double
    }

    @Test("the shared fulfillment sample")
    func sharedFulfillment() throws {
        let update = try Fixture.shopify("fulfillments/create", try Fixture.shared("shopify/fulfillments_create.json"))
        guard case .fulfillment(let orderID, let fulfillment) = update else {
            Issue.record("expected a fulfillment, got \(update)")
            return
        }
        #expect(orderID == 820_982_911_946_154_508)
        #expect(fulfillment.platformFulfillmentID == 123_456)
        #expect(fulfillment.status == "pending")
        #expect(fulfillment.shipmentStatus == nil)
        #expect(fulfillment.carrier == "UPS")
        #expect(fulfillment.trackingNumber == "1z827wk74630")
        #expect(
            fulfillment.trackingURL == "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630")
        #expect(fulfillment.deliveredAt == nil)
        #expect(fulfillment.createdAt == Fixture.date("2022-01-01T00:00:00Z"))
        #expect(
            fulfillment.lines == [
                LineQuantity(platformLineID: 866_550_311_766_439_020, quantity: 1),
                LineQuantity(platformLineID: 141_249_953_214_522_974, quantity: 1),
            ])
    }

    @Test("fulfillments/update with shipment_status delivered: deliveredAt is updated_at; arrays fill blanks")
    func deliveredFulfillment() throws {
        let update = try Fixture.shopify(
            "fulfillments/update", try Fixture.local("shopify/fulfillments_update_delivered.json"))
        guard case .fulfillment(let orderID, let fulfillment) = update else {
            Issue.record("expected a fulfillment, got \(update)")
            return
        }
        #expect(orderID == 820_982_911_946_154_508)
        #expect(fulfillment.platformFulfillmentID == 1_022_782_888)
        #expect(fulfillment.shipmentStatus == "delivered")
        #expect(fulfillment.status == "success")
        #expect(fulfillment.carrier == "DHL Express")
        #expect(fulfillment.trackingNumber == "JD014600006281230704")
        #expect(fulfillment.trackingURL == "https://www.dhl.com/en/express/tracking.html?AWB=JD014600006281230704")
        #expect(fulfillment.deliveredAt == Fixture.date("2025-01-04T16:45:00Z"))
        #expect(fulfillment.updatedAt == fulfillment.deliveredAt)
        #expect(fulfillment.createdAt == Fixture.date("2025-01-02T15:00:00Z"))
        #expect(fulfillment.lines.count == 2)
    }

    @Test("the shared refund sample: amount is the successful refund transactions")
    func sharedRefund() throws {
        let update = try Fixture.shopify("refunds/create", try Fixture.shared("shopify/refunds_create.json"))
        guard case .refund(let orderID, let refund) = update else {
            Issue.record("expected a refund, got \(update)")
            return
        }
        #expect(orderID == 820_982_911_946_154_508)
        #expect(refund.platformRefundID == 890_088_186_047_892_319)
        #expect(refund.amountMinor == 8500)
        #expect(refund.reason == "Things were damaged")
        #expect(refund.createdAt == Fixture.date("2022-01-01T00:00:00Z"))
        #expect(
            refund.lines == [
                LineQuantity(platformLineID: 866_550_311_766_439_020, quantity: 1, amountMinor: 19900),
                LineQuantity(platformLineID: 141_249_953_214_522_974, quantity: 1, amountMinor: 19900),
            ])
    }

    @Test("a refund of one line without transactions is the line's subtotal")
    func oneLineRefund() throws {
        let update = try Fixture.shopify("refunds/create", try Fixture.local("shopify/refund_one_line.json"))
        guard case .refund(let orderID, let refund) = update else {
            Issue.record("expected a refund, got \(update)")
            return
        }
        #expect(orderID == 450_789_469)
        #expect(refund.platformRefundID == 929_361_464)
        #expect(refund.amountMinor == 19900)
        #expect(refund.reason == nil)
        #expect(refund.lines == [LineQuantity(platformLineID: 466_157_049, quantity: 1, amountMinor: 19900)])
    }

    @Test("only successful refund transactions count; a numeric subtotal is read as its digits")
    func refundTransactionFilter() throws {
        let body = #"""
            {"id": 1, "order_id": 2, "refund_line_items": [{"line_item_id": 3, "quantity": 2, "subtotal": 19.9}],
             "transactions": [
               {"kind": "refund", "status": "success", "amount": "5.05", "currency": "USD"},
               {"kind": "refund", "status": "failure", "amount": "100.00"},
               {"kind": "sale", "status": "success", "amount": "100.00"},
               {"kind": "refund", "status": "success", "amount": "0.10"}]}
            """#
        let update = try Fixture.shopify("refunds/create", Array(body.utf8))
        guard case .refund(_, let refund) = update else {
            Issue.record("expected a refund, got \(update)")
            return
        }
        #expect(refund.amountMinor == 515)
        #expect(refund.lines == [LineQuantity(platformLineID: 3, quantity: 2, amountMinor: 1990)])
    }

    @Test("a refund in a zero-decimal shop currency uses that currency's minor unit")
    func yenRefund() throws {
        let body = #"""
            {"id": 1, "order_id": 2, "refund_line_items": [{"line_item_id": 3, "quantity": 1, "subtotal": 1000,
              "subtotal_set": {"shop_money": {"amount": "1000", "currency_code": "JPY"}}}],
             "transactions": [{"kind": "refund", "status": "success", "amount": "1000"}]}
            """#
        guard case .refund(_, let refund) = try Fixture.shopify("refunds/create", Array(body.utf8)) else {
            Issue.record("expected a refund")
            return
        }
        #expect(refund.amountMinor == 1000)
    }

    @Test("an order's embedded refunds use the order's currency; offsets without a colon parse")
    func embeddedRefunds() throws {
        let body = #"""
            {"id": 10, "name": "#10", "currency": "JPY", "total_price": "5000", "financial_status": "partially_refunded",
             "created_at": "2025-01-02T10:00:00+0900",
             "refunds": [{"id": 11, "order_id": 10, "note": "late", "created_at": "2025-01-05T00:00:00Z",
               "refund_line_items": [{"line_item_id": 12, "quantity": 1, "subtotal": "1500"}],
               "transactions": [{"kind": "refund", "status": "success", "amount": "1500"}]}]}
            """#
        let order = try #require(Fixture.order(try Fixture.shopify("orders/updated", Array(body.utf8))))
        #expect(order.createdAt == Fixture.date("2025-01-02T01:00:00Z"))
        #expect(
            order.refunds == [
                StoreRefund(
                    platformRefundID: 11, amountMinor: 1500, reason: "late",
                    createdAt: Fixture.date("2025-01-05T00:00:00Z"),
                    lines: [LineQuantity(platformLineID: 12, quantity: 1, amountMinor: 1500)])
            ])
    }

    @Test("orders/partially_fulfilled carries its fulfillments")
    func partiallyFulfilled() throws {
        let order = try #require(
            Fixture.order(
                try Fixture.shopify(
                    "orders/partially_fulfilled", try Fixture.local("shopify/orders_partially_fulfilled.json"))))
        #expect(order.platformOrderID == 820_982_911_946_154_508)
        #expect(order.state == .open)
        #expect(order.cancelReason == nil)
        #expect(order.financialStatus == "paid")
        #expect(order.fulfillmentStatus == "partial")
        let fulfillment = try #require(order.fulfillments.first)
        #expect(order.fulfillments.count == 1)
        #expect(fulfillment.platformFulfillmentID == 255_858_046)
        #expect(fulfillment.carrier == "USPS")
        #expect(fulfillment.trackingNumber == "9400100000000000000000")
        #expect(
            fulfillment.trackingURL == "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000000")
        #expect(fulfillment.shipmentStatus == "in_transit")
        #expect(fulfillment.deliveredAt == nil)
        #expect(fulfillment.lines == [LineQuantity(platformLineID: 866_550_311_766_439_020, quantity: 1)])
    }

    @Test("a partial order: only id, name, currency and total_price")
    func partialOrder() throws {
        let order = try #require(
            Fixture.order(try Fixture.shopify("orders/create", try Fixture.local("shopify/order_partial.json"))))
        #expect(
            order
                == StoreOrder(
                    platformOrderID: 9_007_199_254_740_993, number: "#1001", state: .open,
                    fulfillmentStatus: "unfulfilled", currency: "USD", totalMinor: 1250))
    }

    @Test("a JPY order has no minor digits; contact_email stands in for an empty email; closed_at closes")
    func yenOrder() throws {
        let order = try #require(
            Fixture.order(try Fixture.shopify("orders/paid", try Fixture.local("shopify/order_jpy.json"))))
        #expect(order.platformOrderID == 5_678_901_234_567_890_123)
        #expect(order.currency == "JPY")
        #expect(order.subtotalMinor == 3000)
        #expect(order.taxMinor == 300)
        #expect(order.shippingMinor == 500)
        #expect(order.totalMinor == 3800)
        #expect(order.presentmentTotal == Money(amountMinor: 3800, currency: "JPY"))
        #expect(order.email == "hanako@example.jp")
        #expect(order.state == .closed)
        #expect(order.tags.isEmpty)
        #expect(order.updatedAt == Fixture.date("2025-01-03T00:30:00.250Z"))
        let line = try #require(order.lines.first)
        #expect(line.platformLineID == 11_223_344_556_677_889)
        #expect(line.sku == nil)
        #expect(line.variantTitle == "100g")
        #expect(line.quantity == 3)
        #expect(line.unitPriceMinor == 1000)
    }

    @Test("a KWD order has three minor digits; the number falls back to order_number")
    func dinarOrder() throws {
        let order = try #require(
            Fixture.order(try Fixture.shopify("orders/create", try Fixture.local("shopify/order_kwd.json"))))
        #expect(order.number == "#1042")
        #expect(order.currency == "KWD")
        #expect(order.subtotalMinor == 12345)
        #expect(order.discountMinor == 1000)
        #expect(order.shippingMinor == 2500)
        #expect(order.totalMinor == 13845)
        #expect(order.presentmentTotal == nil)
        #expect(order.lines.first?.unitPriceMinor == 12345)
        #expect(order.lines.first?.discountMinor == 1000)
    }

    @Test("a USD shop selling in EUR: amounts in USD, presentment total in EUR")
    func presentmentOrder() throws {
        let order = try #require(
            Fixture.order(
                try Fixture.shopify("orders/updated", try Fixture.local("shopify/order_presentment_eur.json"))))
        #expect(order.platformOrderID == 820_982_911_946_154_600)
        #expect(order.currency == "USD")
        #expect(order.totalMinor == 13020)
        #expect(order.subtotalMinor == 10850)
        #expect(order.taxMinor == 2170)
        #expect(order.presentmentTotal == Money(amountMinor: 12000, currency: "EUR"))
        #expect(order.lines.first?.unitPriceMinor == 5425)
        #expect(order.financialStatus == "authorized")
        #expect(order.fulfillmentStatus == "partial")
    }

    @Test("unknown fields are ignored; tags are trimmed; empty addresses are nil; consent is read")
    func unknownFields() throws {
        let order = try #require(
            Fixture.order(try Fixture.shopify("orders/create", try Fixture.local("shopify/order_unknown_fields.json"))))
        #expect(order.platformOrderID == 7777)
        #expect(order.currency == "CAD")
        #expect(order.totalMinor == 500)
        #expect(order.tags == ["vip", "wholesale"])
        #expect(order.lines.count == 1)
        #expect(order.shippingAddress?.name == "Ann Lee")
        #expect(order.shippingAddress?.postalCode == "M5V 2T6")
        #expect(order.billingAddress == nil)
        #expect(order.fulfillments.isEmpty)
        #expect(order.refunds.isEmpty)
        #expect(order.customer?.platformCustomerID == 42)
        #expect(order.customer?.acceptsEmailMarketing == true)
        #expect(order.customer?.emailConsentUpdatedAt == Fixture.date("2024-12-01T00:00:00Z"))
    }

    @Test("customers/create and customers/update", arguments: ["customers/create", "customers/update"])
    func customer(topic: String) throws {
        let file = topic == "customers/create" ? "customers_create" : "customers_update"
        let customer = try #require(
            Fixture.customer(try Fixture.shopify(topic, try Fixture.shared("shopify/\(file).json"))))
        #expect(customer.platformCustomerID == 706_405_506_930_370_084)
        #expect(customer.email == "bob@biller.com")
        #expect(customer.firstName == "Bob")
        #expect(customer.lastName == "Biller")
        #expect(customer.phone == nil)
        #expect(customer.note == "This customer loves ice cream")
        #expect(customer.tags.isEmpty)
        #expect(customer.createdAt == Fixture.date("2022-01-01T00:00:00Z"))
        #expect(customer.updatedAt == Fixture.date("2022-01-01T00:00:00Z"))
        #expect(
            customer.addresses == [
                PostalAddress(
                    name: "Bob Biller", line1: "151 O'Connor Street", city: "Ottawa", province: "ON",
                    provinceCode: "ON", postalCode: "K2P 2L8", country: "CA", countryCode: "CA", phone: "555-555-5555")
            ])
        #expect(customer.acceptsEmailMarketing == nil)
        #expect(customer.acceptsSMSMarketing == nil)
    }

    @Test("marketing consent: current objects, the legacy flag, locale and tags")
    func consent() throws {
        let current = #"""
            {"id": 1, "locale": "fr-CA", "tags": "a,b", "email_marketing_consent": {"state": "unsubscribed",
             "consent_updated_at": null}, "sms_marketing_consent": {"state": "subscribed",
             "consent_updated_at": "2024-05-05T05:05:05+02:00"},
             "addresses": [{"address1": "1 Rue", "city": "Montréal"}, {"address1": "1 Rue", "city": "Montréal"}],
             "default_address": {"address1": "1 Rue", "city": "Montréal"}}
            """#
        let customer = try #require(Fixture.customer(try Fixture.shopify("customers/update", Array(current.utf8))))
        #expect(customer.acceptsEmailMarketing == false)
        #expect(customer.emailConsentUpdatedAt == nil)
        #expect(customer.acceptsSMSMarketing == true)
        #expect(customer.smsConsentUpdatedAt == Fixture.date("2024-05-05T03:05:05Z"))
        #expect(customer.locale == "fr-CA")
        #expect(customer.tags == ["a", "b"])
        #expect(customer.addresses == [PostalAddress(line1: "1 Rue", city: "Montréal")])
        let legacy = #"{"id": 2, "accepts_marketing": true, "accepts_marketing_updated_at": "2020-01-01T00:00:00Z"}"#
        let old = try #require(Fixture.customer(try Fixture.shopify("customers/create", Array(legacy.utf8))))
        #expect(old.acceptsEmailMarketing == true)
        #expect(old.emailConsentUpdatedAt == Fixture.date("2020-01-01T00:00:00Z"))
        #expect(old.acceptsSMSMarketing == nil)
    }

    @Test("customers/delete")
    func customerDeleted() throws {
        let update = try Fixture.shopify("customers/delete", try Fixture.shared("shopify/customers_delete.json"))
        #expect(update == .customerDeleted(platformCustomerID: 706_405_506_930_370_084))
    }

    @Test("the compliance webhooks")
    func compliance() throws {
        let request = try Fixture.shopify(
            "customers/data_request", try Fixture.shared("shopify/customers_data_request.json"))
        #expect(
            request
                == .customerDataRequest(
                    platformCustomerID: 191_167, email: "john@example.com", phone: "555-625-1199",
                    platformOrderIDs: [299_938, 280_263, 220_458]))
        let redact = try Fixture.shopify("customers/redact", try Fixture.shared("shopify/customers_redact.json"))
        #expect(
            redact
                == .customerRedact(
                    platformCustomerID: 191_167, email: "john@example.com", phone: "555-625-1199",
                    platformOrderIDs: [299_938, 280_263, 220_458]))
        let shop = try Fixture.shopify("shop/redact", try Fixture.shared("shopify/shop_redact.json"))
        #expect(shop == .shopRedact(shopDomain: "{shop}.myshopify.com"))
        let bare = try Fixture.shopify("customers/redact", Array(#"{"shop_id": 1, "customer": null}"#.utf8))
        #expect(bare == .customerRedact(platformCustomerID: nil, email: nil, phone: nil, platformOrderIDs: []))
    }

    @Test(
        "unknown topics are acknowledged without reading the body",
        arguments: ["collections/create", "app/uninstalled", "checkouts/update", "orders/edited", "", "ORDERS/DELETE"])
    func unknownTopics(topic: String) throws {
        #expect(try Fixture.shopify(topic, Array("not even json".utf8)) == .unknown(topic: topic))
    }
}

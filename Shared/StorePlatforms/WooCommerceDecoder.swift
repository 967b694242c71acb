import Contracts
import Foundation

/// WooCommerce REST API v3 order and customer bodies (what its `order.*` and `customer.*` webhooks deliver).
///
/// Money is the decimal strings `total`, `total_tax`, `shipping_total`, `discount_total`; the subtotal is the sum
/// of the lines' `subtotal`. A line's unit price is its `subtotal` divided by its `quantity` in minor units
/// (rounded half to even when it does not divide), never the line's `price`, which WooCommerce sends as a JSON
/// float. Dates are the `*_gmt` fields, which are UTC without a zone.
enum WooCommerceDecoder {
    /// The meta-data key under which the Shipment Tracking extension keeps an order's tracking numbers.
    static let trackingMetaKey = "_wc_shipment_tracking_items"

    /// An order body. `id`, `currency` and `total` are required.
    static func order(_ object: PayloadObject) throws -> StoreOrder {
        let id = try object.requiredID("id")
        guard let currency = try object.currency("currency") else {
            throw StorePayloadError.missingField(object.path("currency"))
        }
        guard let total = try object.money("total", currency: currency) else {
            throw StorePayloadError.missingField(object.path("total"))
        }
        let status = try object.text("status")?.lowercased()
        let refunds = try object.objects("refunds").map { try refund($0, currency: currency) }
        var subtotal: Int64 = 0
        var lines: [StoreOrderLine] = []
        for element in try object.objects("line_items") {
            let (line, lineSubtotal) = try self.line(element, currency: currency)
            subtotal = try ShopifyOrderDecoder.add(subtotal, lineSubtotal, path: element.path("subtotal"))
            lines.append(line)
        }
        let billing = try object.object("billing")
        let email = try billing?.text("email")
        let billingAddress = try address(billing)
        let customer: StoreCustomer?
        if let customerID = try object.nonZeroID("customer_id") {
            customer = try buyer(customerID, billing: billing, address: billingAddress)
        } else if email != nil {
            // A guest checkout: a customer known by the billing email only.
            customer = try buyer(nil, billing: billing, address: billingAddress)
        } else {
            customer = nil
        }
        return StoreOrder(
            platformOrderID: id, number: "#" + (try object.text("number") ?? String(id)), email: email,
            phone: try billing?.text("phone"), customer: customer, state: state(status),
            financialStatus: try financialStatus(object, status: status, hasRefunds: !refunds.isEmpty),
            fulfillmentStatus: status == "completed" ? "fulfilled" : "unfulfilled", currency: currency,
            subtotalMinor: subtotal, taxMinor: try object.money("total_tax", currency: currency) ?? 0,
            shippingMinor: try object.money("shipping_total", currency: currency) ?? 0,
            discountMinor: try object.money("discount_total", currency: currency) ?? 0, totalMinor: total,
            lines: lines, shippingAddress: try address(object.object("shipping")), billingAddress: billingAddress,
            fulfillments: try trackingFulfillments(object), refunds: refunds,
            createdAt: try object.date("date_created_gmt"), updatedAt: try object.date("date_modified_gmt"))
    }

    /// A customer body. `id` is required; the phone is the billing phone; addresses are billing then shipping.
    static func customer(_ object: PayloadObject) throws -> StoreCustomer {
        let id = try object.requiredID("id")
        let billing = try object.object("billing")
        var addresses: [PostalAddress] = []
        for address in [try address(billing), try address(object.object("shipping"))].compactMap({ $0 })
        where !addresses.contains(address) {
            addresses.append(address)
        }
        return StoreCustomer(
            platformCustomerID: id, email: try object.text("email") ?? billing?.text("email"),
            firstName: try object.text("first_name") ?? billing?.text("first_name"),
            lastName: try object.text("last_name") ?? billing?.text("last_name"), phone: try billing?.text("phone"),
            addresses: addresses, createdAt: try object.date("date_created_gmt"),
            updatedAt: try object.date("date_modified_gmt"))
    }

    /// cancelled, failed and trash are cancelled; completed and refunded are closed; anything else is open.
    private static func state(_ status: String?) -> OrderState {
        switch status {
        case "cancelled", "failed", "trash": return .cancelled
        case "completed", "refunded": return .closed
        default: return .open
        }
    }

    private static func financialStatus(_ object: PayloadObject, status: String?, hasRefunds: Bool) throws -> String {
        if status == "refunded" { return "refunded" }
        if hasRefunds { return "partially_refunded" }
        if try object.text("date_paid_gmt") != nil || object.text("date_paid") != nil || status == "processing"
            || status == "completed"
        {
            return "paid"
        }
        return "pending"
    }

    /// One of `line_items`, with its subtotal (before discounts) in minor units.
    private static func line(_ object: PayloadObject, currency: String) throws -> (StoreOrderLine, Int64) {
        let id = try object.requiredID("id")
        guard let quantity = try object.integer("quantity") else {
            throw StorePayloadError.missingField(object.path("quantity"))
        }
        let subtotal = try object.money("subtotal", currency: currency) ?? 0
        let total = try object.money("total", currency: currency) ?? subtotal
        let line = StoreOrderLine(
            platformLineID: id, productID: try object.nonZeroID("product_id"),
            variantID: try object.nonZeroID("variation_id"), sku: try object.text("sku"),
            title: try object.text("name") ?? "", quantity: quantity,
            unitPriceMinor: quantity > 0 ? dividedHalfToEven(subtotal, by: Int64(quantity)) : subtotal,
            discountMinor: subtotal - total)
        return (line, subtotal)
    }

    /// `amount / divisor` rounded half to even (`divisor` > 0).
    static func dividedHalfToEven(_ amount: Int64, by divisor: Int64) -> Int64 {
        let quotient = amount / divisor
        let remainder = amount % divisor
        let twice = remainder.magnitude * 2
        if twice > divisor.magnitude || (twice == divisor.magnitude && quotient % 2 != 0) {
            return amount < 0 ? quotient - 1 : quotient + 1
        }
        return quotient
    }

    /// One of an order's `refunds` (`{id, reason, total: "-10.00"}`): the amount is made positive.
    private static func refund(_ object: PayloadObject, currency: String) throws -> StoreRefund {
        let id = try object.requiredID("id")
        let total = try object.money("total", currency: currency) ?? object.money("amount", currency: currency) ?? 0
        guard total != Int64.min else { throw StorePayloadError.invalidMoney(object.path("total"), "too large") }
        return StoreRefund(
            platformRefundID: id, amountMinor: abs(total), reason: try object.text("reason"),
            createdAt: try object.date("date_created_gmt"))
    }

    /// A billing or shipping object: `first_name` + `last_name`, `address_1`/`address_2`, `state` (a code),
    /// `postcode`, `country` (ISO 3166-1 alpha-2). Nil when every part is empty.
    private static func address(_ object: PayloadObject?) throws -> PostalAddress? {
        guard let object else { return nil }
        let nameParts = [try object.text("first_name"), try object.text("last_name")].compactMap { $0 }
        let address = PostalAddress(
            name: nameParts.isEmpty ? nil : nameParts.joined(separator: " "), company: try object.text("company"),
            line1: try object.text("address_1"), line2: try object.text("address_2"), city: try object.text("city"),
            provinceCode: try object.text("state"), postalCode: try object.text("postcode"),
            countryCode: try object.text("country")?.uppercased(), phone: try object.text("phone"))
        return address == PostalAddress() ? nil : address
    }

    private static func buyer(_ id: Int64?, billing: PayloadObject?, address: PostalAddress?) throws -> StoreCustomer {
        StoreCustomer(
            platformCustomerID: id, email: try billing?.text("email"), firstName: try billing?.text("first_name"),
            lastName: try billing?.text("last_name"), phone: try billing?.text("phone"),
            addresses: address.map { [$0] } ?? [])
    }

    /// The Shipment Tracking extension's items (`meta_data` key `_wc_shipment_tracking_items`) as fulfillments.
    /// The extension has no numeric id, so a fulfillment's id is a stable 64-bit FNV-1a hash of the item's
    /// `tracking_id` (or its tracking number), made non-negative. It names no lines and no delivery.
    private static func trackingFulfillments(_ object: PayloadObject) throws -> [StoreFulfillment] {
        var fulfillments: [StoreFulfillment] = []
        for meta in try object.objects("meta_data") where try meta.text("key") == trackingMetaKey {
            let items = PayloadObject(["items": meta.value("value") ?? .null], path: meta.path("value"))
            for item in try items.objects("items") {
                let number = try item.text("tracking_number")
                guard let key = try item.text("tracking_id") ?? number else {
                    throw StorePayloadError.missingField(item.path("tracking_number"))
                }
                fulfillments.append(
                    StoreFulfillment(
                        platformFulfillmentID: stableID(key), status: "completed",
                        carrier: try item.text("custom_tracking_provider") ?? item.text("tracking_provider"),
                        trackingNumber: number, trackingURL: try item.text("custom_tracking_link"),
                        createdAt: try shippedDate(item)))
            }
        }
        return fulfillments
    }

    /// `date_shipped`: Unix seconds (as the extension stores it), or an ISO 8601 date-time.
    private static func shippedDate(_ item: PayloadObject) throws -> Date? {
        guard let text = try item.text("date_shipped") else { return nil }
        if let seconds = Int64(text) { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
        return try item.date("date_shipped")
    }

    /// FNV-1a 64 of `key`'s UTF-8, with the sign bit cleared.
    static func stableID(_ key: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash & UInt64(Int64.max))
    }
}

import Contracts

/// Shopify (Admin API 2025-01) order, fulfillment and refund bodies.
///
/// Amounts are the shop-currency decimal strings (`total_price`, `subtotal_price`, `total_tax`, `total_discounts`);
/// shipping is `total_shipping_price_set.shop_money.amount` and the shopper's own-currency total is
/// `total_price_set.presentment_money`.
enum ShopifyOrderDecoder {
    /// An order body (`orders/*` topics). `id` and `total_price` are required; the currency is `currency`, else
    /// the shop money currency of `total_price_set`.
    static func order(_ object: PayloadObject) throws -> StoreOrder {
        let id = try object.requiredID("id")
        let currency = try orderCurrency(object)
        guard let total = try object.money("total_price", currency: currency) else {
            throw StorePayloadError.missingField(object.path("total_price"))
        }
        let number: String
        if let name = try object.text("name") {
            number = name
        } else if let orderNumber = try object.text("order_number") {
            number = "#" + orderNumber
        } else {
            number = "#\(id)"
        }
        let state: OrderState
        if try object.date("cancelled_at") != nil {
            state = .cancelled
        } else if try object.date("closed_at") != nil {
            state = .closed
        } else {
            state = .open
        }
        let shipping = try object.object("total_shipping_price_set")?.object("shop_money")?.money(
            "amount", currency: currency)
        return StoreOrder(
            platformOrderID: id, number: number,
            email: try object.text("email") ?? object.text("contact_email"), phone: try object.text("phone"),
            customer: try object.object("customer").map { customer in
                try ShopifyCustomerDecoder.customer(customer, requireID: false)
            },
            state: state, financialStatus: try object.text("financial_status"),
            fulfillmentStatus: try object.text("fulfillment_status") ?? "unfulfilled", currency: currency,
            subtotalMinor: try object.money("subtotal_price", currency: currency) ?? 0,
            taxMinor: try object.money("total_tax", currency: currency) ?? 0, shippingMinor: shipping ?? 0,
            discountMinor: try object.money("total_discounts", currency: currency) ?? 0, totalMinor: total,
            presentmentTotal: try presentmentMoney(object.object("total_price_set")),
            lines: try object.objects("line_items").map { line in try self.line(line, currency: currency)
            },
            shippingAddress: try ShopifyAddress.decode(object.object("shipping_address")),
            billingAddress: try ShopifyAddress.decode(object.object("billing_address")),
            fulfillments: try object.objects("fulfillments").map { fulfillment in try self.fulfillment(fulfillment)
            },
            refunds: try object.objects("refunds").map { refund in try self.refund(refund, currency: currency)
            },
            tags: try ShopifyAddress.tags(object), createdAt: try object.date("created_at"),
            updatedAt: try object.date("updated_at"), cancelledAt: try object.date("cancelled_at"),
            cancelReason: try object.text("cancel_reason"))
    }

    private static func orderCurrency(_ object: PayloadObject) throws -> String {
        if let currency = try object.currency("currency") { return currency }
        if let currency = try object.object("total_price_set")?.object("shop_money")?.currency("currency_code") {
            return currency
        }
        throw StorePayloadError.missingField(object.path("currency"))
    }

    /// A `*_set` object's `presentment_money` as `Money`, in the presentment currency's own minor units.
    private static func presentmentMoney(_ set: PayloadObject?) throws -> Money? {
        guard let money = try set?.object("presentment_money"),
            let currency = try money.currency("currency_code"),
            let amount = try money.money("amount", currency: currency)
        else { return nil }
        return Money(amountMinor: amount, currency: currency)
    }

    /// One of `line_items`: `id` and `quantity` are required; `price` is the unit price and `total_discount` the
    /// discount on the whole line.
    private static func line(_ object: PayloadObject, currency: String) throws -> StoreOrderLine {
        let id = try object.requiredID("id")
        guard let quantity = try object.integer("quantity") else {
            throw StorePayloadError.missingField(object.path("quantity"))
        }
        return StoreOrderLine(
            platformLineID: id, productID: try object.id("product_id"), variantID: try object.id("variant_id"),
            sku: try object.text("sku"), title: try object.text("title") ?? object.text("name") ?? "",
            variantTitle: try object.text("variant_title"), quantity: quantity,
            unitPriceMinor: try object.money("price", currency: currency) ?? 0,
            discountMinor: try object.money("total_discount", currency: currency) ?? 0)
    }

    /// A fulfillment (the body of `fulfillments/*`, or one of an order's `fulfillments`).
    ///
    /// Shopify sends no delivered-at time: when `shipment_status` is `delivered`, `deliveredAt` is the
    /// fulfillment's `updated_at` (when the carrier's last event was recorded), the closest the platform offers.
    static func fulfillment(_ object: PayloadObject) throws -> StoreFulfillment {
        let id = try object.requiredID("id")
        let shipmentStatus = try object.text("shipment_status")
        let updatedAt = try object.date("updated_at")
        var lines: [LineQuantity] = []
        for line in try object.objects("line_items") {
            guard let quantity = try line.integer("quantity") else {
                throw StorePayloadError.missingField(line.path("quantity"))
            }
            lines.append(LineQuantity(platformLineID: try line.requiredID("id"), quantity: quantity))
        }
        return StoreFulfillment(
            platformFulfillmentID: id, status: try object.text("status"), shipmentStatus: shipmentStatus,
            carrier: try object.text("tracking_company"),
            trackingNumber: try object.text("tracking_number") ?? object.firstText(ofArray: "tracking_numbers"),
            trackingURL: try object.text("tracking_url") ?? object.firstText(ofArray: "tracking_urls"),
            deliveredAt: shipmentStatus == "delivered" ? updatedAt : nil, createdAt: try object.date("created_at"),
            updatedAt: updatedAt, lines: lines)
    }

    /// A refund (the body of `refunds/create`, or one of an order's `refunds`).
    ///
    /// The amount is the sum of the `transactions` of kind `refund` with status `success`; a refund without
    /// transactions is the sum of its `refund_line_items` subtotals. `currency` is the order's shop currency when
    /// known; a `refunds/create` body carries none at the top, so the currency named by its `shop_money` (or a
    /// transaction's `currency`) decides the minor unit, and two decimals when the body names none.
    static func refund(_ object: PayloadObject, currency known: String?) throws -> StoreRefund {
        let id = try object.requiredID("id")
        let currency = try known ?? refundCurrency(object) ?? "USD"
        var lines: [LineQuantity] = []
        var linesTotal: Int64 = 0
        for line in try object.objects("refund_line_items") {
            let lineID = try line.id("line_item_id") ?? line.requiredID("id")
            guard let quantity = try line.integer("quantity") else {
                throw StorePayloadError.missingField(line.path("quantity"))
            }
            let subtotal =
                try line.object("subtotal_set")?.object("shop_money")?.money("amount", currency: currency)
                ?? line.money("subtotal", currency: currency)
            linesTotal = try add(linesTotal, subtotal ?? 0, path: line.path("subtotal"))
            lines.append(LineQuantity(platformLineID: lineID, quantity: quantity, amountMinor: subtotal))
        }
        let transactions = try object.objects("transactions")
        var amount: Int64 = 0
        if transactions.isEmpty {
            amount = linesTotal
        } else {
            for transaction in transactions
            where try transaction.text("kind") == "refund" && transaction.text("status") == "success" {
                let value = try transaction.money("amount", currency: currency) ?? 0
                amount = try add(amount, value, path: transaction.path("amount"))
            }
        }
        return StoreRefund(
            platformRefundID: id, amountMinor: amount, reason: try object.text("note"),
            createdAt: try object.date("created_at"), lines: lines)
    }

    private static func refundCurrency(_ object: PayloadObject) throws -> String? {
        for line in try object.objects("refund_line_items") {
            if let code = try line.object("subtotal_set")?.object("shop_money")?.currency("currency_code") {
                return code
            }
        }
        if let code = try object.object("total_duties_set")?.object("shop_money")?.currency("currency_code") {
            return code
        }
        for transaction in try object.objects("transactions") {
            if let code = try transaction.currency("currency") { return code }
        }
        return nil
    }

    /// `a + b`, or `invalid_money` at `path` when the sum does not fit in 64 bits.
    static func add(_ a: Int64, _ b: Int64, path: String) throws -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw StorePayloadError.invalidMoney(path, "the sum is too large") }
        return sum
    }
}

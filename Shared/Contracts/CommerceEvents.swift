import Foundation

/// `store.delivery_received` (aggregate `store`, id = the store id): the delivery's body stays in the customers
/// schema; the event names it.
public struct StoreDeliveryReceived: Codable, Sendable, Equatable {
    public var deliveryID: UUID
    public var storeID: UUID
    public var platform: StorePlatform
    public var topic: String

    public init(deliveryID: UUID, storeID: UUID, platform: StorePlatform, topic: String) {
        self.deliveryID = deliveryID
        self.storeID = storeID
        self.platform = platform
        self.topic = topic
    }

    enum CodingKeys: String, CodingKey {
        case platform, topic
        case deliveryID = "delivery_id"
        case storeID = "store_id"
    }
}

/// One order line as the order events carry it.
public struct OrderEventLine: Codable, Sendable, Equatable {
    public var platformLineID: Int64
    public var sku: String?
    public var quantity: Int
    /// What these units cost (paid) or gave back (refunded), in minor units of the event's currency.
    public var amountMinor: Int64
    /// The platform product of the line, when it names one.
    public var productID: Int64?
    /// The product's tags when the event was published (from the product mirror; empty when not mirrored).
    public var tags: [String]
    /// The product's categories when the event was published.
    public var categories: [String]

    public init(
        platformLineID: Int64, sku: String?, quantity: Int, amountMinor: Int64, productID: Int64? = nil,
        tags: [String] = [], categories: [String] = []
    ) {
        self.platformLineID = platformLineID
        self.sku = sku
        self.quantity = quantity
        self.amountMinor = amountMinor
        self.productID = productID
        self.tags = tags
        self.categories = categories
    }

    /// Events published before products were mirrored have no `product_id`, `tags` or `categories`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            platformLineID: try c.decode(Int64.self, forKey: .platformLineID),
            sku: try c.decodeIfPresent(String.self, forKey: .sku), quantity: try c.decode(Int.self, forKey: .quantity),
            amountMinor: try c.decode(Int64.self, forKey: .amountMinor),
            productID: try c.decodeIfPresent(Int64.self, forKey: .productID),
            tags: try c.decodeIfPresent([String].self, forKey: .tags) ?? [],
            categories: try c.decodeIfPresent([String].self, forKey: .categories) ?? [])
    }

    enum CodingKeys: String, CodingKey {
        case sku, quantity, tags, categories
        case platformLineID = "platform_line_id"
        case amountMinor = "amount_minor"
        case productID = "product_id"
    }
}

/// `order.created`, `order.paid`, `order.fulfilled`, `order.refunded`, `order.cancelled` (aggregate `order`, id =
/// the Concierge order id). Each is published once per order and transition (per refund for `order.refunded`).
public struct OrderEvent: Codable, Sendable, Equatable {
    public var orderID: UUID
    public var storeID: UUID
    public var platform: StorePlatform
    public var platformOrderID: Int64
    public var number: String
    /// The Concierge customer the order belongs to; nil for a guest order with no contact details.
    public var customerID: UUID?
    /// The order's total (or, for `order.refunded`, this refund's amount).
    public var amount: Money
    /// The lines concerned: every line for created/paid/fulfilled/cancelled, the refunded lines for refunded.
    public var lines: [OrderEventLine]
    /// For `order.refunded`: the platform's refund id.
    public var platformRefundID: Int64?
    /// For `order.fulfilled`: the tracking of the newest fulfillment.
    public var trackingNumber: String?
    public var trackingURL: String?

    public init(
        orderID: UUID, storeID: UUID, platform: StorePlatform, platformOrderID: Int64, number: String,
        customerID: UUID?, amount: Money, lines: [OrderEventLine], platformRefundID: Int64? = nil,
        trackingNumber: String? = nil, trackingURL: String? = nil
    ) {
        self.orderID = orderID
        self.storeID = storeID
        self.platform = platform
        self.platformOrderID = platformOrderID
        self.number = number
        self.customerID = customerID
        self.amount = amount
        self.lines = lines
        self.platformRefundID = platformRefundID
        self.trackingNumber = trackingNumber
        self.trackingURL = trackingURL
    }

    enum CodingKeys: String, CodingKey {
        case platform, number, amount, lines
        case orderID = "order_id"
        case storeID = "store_id"
        case platformOrderID = "platform_order_id"
        case customerID = "customer_id"
        case platformRefundID = "platform_refund_id"
        case trackingNumber = "tracking_number"
        case trackingURL = "tracking_url"
    }
}

/// `customer.merged` (aggregate `customer`, id = the target): every reference to `sourceCustomerID` now means
/// `targetCustomerID`.
public struct CustomerMerged: Codable, Sendable, Equatable {
    public var sourceCustomerID: UUID
    public var targetCustomerID: UUID

    public init(sourceCustomerID: UUID, targetCustomerID: UUID) {
        self.sourceCustomerID = sourceCustomerID
        self.targetCustomerID = targetCustomerID
    }

    enum CodingKeys: String, CodingKey {
        case sourceCustomerID = "source_customer_id"
        case targetCustomerID = "target_customer_id"
    }
}

/// `customer.erased` (aggregate `customer`): every service replaces this customer's personal data with tombstones,
/// keeping totals and ledgers.
public struct CustomerErased: Codable, Sendable, Equatable {
    public var customerID: UUID
    public var erasureID: UUID
    /// Why: `api` (an admin asked), `shopify.customers_redact`, `shopify.shop_redact`, `woocommerce.customer_deleted`.
    public var reason: String

    public init(customerID: UUID, erasureID: UUID, reason: String) {
        self.customerID = customerID
        self.erasureID = erasureID
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case reason
        case customerID = "customer_id"
        case erasureID = "erasure_id"
    }
}

/// `privacy.erasure_applied` (aggregate `customer`): `service` has erased the customer's personal data.
public struct ErasureApplied: Codable, Sendable, Equatable {
    public var customerID: UUID
    public var erasureID: UUID
    public var service: String

    public init(customerID: UUID, erasureID: UUID, service: String) {
        self.customerID = customerID
        self.erasureID = erasureID
        self.service = service
    }

    enum CodingKeys: String, CodingKey {
        case service
        case customerID = "customer_id"
        case erasureID = "erasure_id"
    }
}

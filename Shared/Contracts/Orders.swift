import Foundation

/// One line of a mirrored order.
public struct OrderLine: Codable, Sendable, Equatable {
    public var platformLineID: Int64
    public var productID: Int64?
    public var variantID: Int64?
    public var sku: String?
    public var title: String
    public var variantTitle: String?
    public var quantity: Int
    /// The price of one unit before discounts.
    public var unitPrice: Money
    /// Discounts allocated to the whole line.
    public var discount: Money
    /// The product's tags as the store's product mirror holds them now (empty when the product is not mirrored).
    public var tags: [String]
    /// The product's categories (Shopify product type and taxonomy category, WooCommerce categories).
    public var categories: [String]

    public init(
        platformLineID: Int64, productID: Int64?, variantID: Int64?, sku: String?, title: String,
        variantTitle: String?, quantity: Int, unitPrice: Money, discount: Money, tags: [String] = [],
        categories: [String] = []
    ) {
        self.platformLineID = platformLineID
        self.productID = productID
        self.variantID = variantID
        self.sku = sku
        self.title = title
        self.variantTitle = variantTitle
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.discount = discount
        self.tags = tags
        self.categories = categories
    }

    /// Lines written before products were mirrored have no `tags` or `categories`: they decode as empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            platformLineID: try c.decode(Int64.self, forKey: .platformLineID),
            productID: try c.decodeIfPresent(Int64.self, forKey: .productID),
            variantID: try c.decodeIfPresent(Int64.self, forKey: .variantID),
            sku: try c.decodeIfPresent(String.self, forKey: .sku), title: try c.decode(String.self, forKey: .title),
            variantTitle: try c.decodeIfPresent(String.self, forKey: .variantTitle),
            quantity: try c.decode(Int.self, forKey: .quantity),
            unitPrice: try c.decode(Money.self, forKey: .unitPrice),
            discount: try c.decode(Money.self, forKey: .discount),
            tags: try c.decodeIfPresent([String].self, forKey: .tags) ?? [],
            categories: try c.decodeIfPresent([String].self, forKey: .categories) ?? [])
    }

    enum CodingKeys: String, CodingKey {
        case sku, title, quantity, discount, tags, categories
        case platformLineID = "platform_line_id"
        case productID = "product_id"
        case variantID = "variant_id"
        case variantTitle = "variant_title"
        case unitPrice = "unit_price"
    }
}

/// One shipment of a mirrored order.
public struct OrderFulfillment: Codable, Sendable, Equatable {
    public var platformFulfillmentID: Int64
    public var status: String?
    public var shipmentStatus: String?
    public var carrier: String?
    public var trackingNumber: String?
    public var trackingURL: String?
    public var deliveredAt: Date?
    public var createdAt: Date?
    public var lines: [LineQuantity]

    public init(
        platformFulfillmentID: Int64, status: String?, shipmentStatus: String?, carrier: String?,
        trackingNumber: String?, trackingURL: String?, deliveredAt: Date?, createdAt: Date?, lines: [LineQuantity]
    ) {
        self.platformFulfillmentID = platformFulfillmentID
        self.status = status
        self.shipmentStatus = shipmentStatus
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.trackingURL = trackingURL
        self.deliveredAt = deliveredAt
        self.createdAt = createdAt
        self.lines = lines
    }

    enum CodingKeys: String, CodingKey {
        case status, carrier, lines
        case platformFulfillmentID = "platform_fulfillment_id"
        case shipmentStatus = "shipment_status"
        case trackingNumber = "tracking_number"
        case trackingURL = "tracking_url"
        case deliveredAt = "delivered_at"
        case createdAt = "created_at"
    }
}

/// One refund of a mirrored order.
public struct OrderRefund: Codable, Sendable, Equatable {
    public var platformRefundID: Int64
    public var amount: Money
    public var reason: String?
    public var refundedAt: Date?
    public var lines: [LineQuantity]

    public init(platformRefundID: Int64, amount: Money, reason: String?, refundedAt: Date?, lines: [LineQuantity]) {
        self.platformRefundID = platformRefundID
        self.amount = amount
        self.reason = reason
        self.refundedAt = refundedAt
        self.lines = lines
    }

    enum CodingKeys: String, CodingKey {
        case amount, reason, lines
        case platformRefundID = "platform_refund_id"
        case refundedAt = "refunded_at"
    }
}

/// An order mirrored from a connected store (read model of `customers.get_order`, `find_order`, `list_orders`).
public struct Order: Codable, Sendable, Equatable {
    public var id: UUID
    public var storeID: UUID
    public var platform: StorePlatform
    public var platformOrderID: Int64
    /// What the shopper sees (`#1001`).
    public var number: String
    /// The Concierge customer; nil for a guest order without contact details.
    public var customerID: UUID?
    public var email: String?
    public var state: OrderState
    public var financialStatus: String?
    public var fulfillmentStatus: String?
    public var subtotal: Money
    public var tax: Money
    public var shipping: Money
    public var discount: Money
    public var total: Money
    /// The sum of the order's refunds.
    public var refunded: Money
    /// What the shopper paid in their own currency, when it differs from the shop's.
    public var presentmentTotal: Money?
    public var lines: [OrderLine]
    public var fulfillments: [OrderFulfillment]
    public var refunds: [OrderRefund]
    public var shippingAddress: PostalAddress?
    public var tags: [String]
    /// When the order was placed on the platform.
    public var placedAt: Date
    /// When the platform last changed it.
    public var updatedAt: Date?
    public var cancelledAt: Date?

    public init(
        id: UUID, storeID: UUID, platform: StorePlatform, platformOrderID: Int64, number: String, customerID: UUID?,
        email: String?, state: OrderState, financialStatus: String?, fulfillmentStatus: String?, subtotal: Money,
        tax: Money, shipping: Money, discount: Money, total: Money, refunded: Money, presentmentTotal: Money?,
        lines: [OrderLine], fulfillments: [OrderFulfillment], refunds: [OrderRefund], shippingAddress: PostalAddress?,
        tags: [String], placedAt: Date, updatedAt: Date?, cancelledAt: Date?
    ) {
        self.id = id
        self.storeID = storeID
        self.platform = platform
        self.platformOrderID = platformOrderID
        self.number = number
        self.customerID = customerID
        self.email = email
        self.state = state
        self.financialStatus = financialStatus
        self.fulfillmentStatus = fulfillmentStatus
        self.subtotal = subtotal
        self.tax = tax
        self.shipping = shipping
        self.discount = discount
        self.total = total
        self.refunded = refunded
        self.presentmentTotal = presentmentTotal
        self.lines = lines
        self.fulfillments = fulfillments
        self.refunds = refunds
        self.shippingAddress = shippingAddress
        self.tags = tags
        self.placedAt = placedAt
        self.updatedAt = updatedAt
        self.cancelledAt = cancelledAt
    }

    enum CodingKeys: String, CodingKey {
        case id, platform, number, email, state, subtotal, tax, shipping, discount, total, refunded, lines
        case fulfillments, refunds, tags
        case storeID = "store_id"
        case platformOrderID = "platform_order_id"
        case customerID = "customer_id"
        case financialStatus = "financial_status"
        case fulfillmentStatus = "fulfillment_status"
        case presentmentTotal = "presentment_total"
        case shippingAddress = "shipping_address"
        case placedAt = "placed_at"
        case updatedAt = "updated_at"
        case cancelledAt = "cancelled_at"
    }
}

/// `customers.find_order`: the order with this number (case-insensitive, with or without `#`) whose email matches
/// (case-insensitive); 404 when none does. For self-service returns: both must be known to the shopper.
public struct FindOrder: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["number", "email"]
    public var number: String
    public var email: String

    public init(number: String, email: String) {
        self.number = number
        self.email = email
    }

    public func validate() -> [FieldIssue] {
        Validate.text(number, field: "number", max: 100) + Validate.email(email)
    }
}

/// `customers.list_orders`: a customer's orders, newest placed first, keyset-paginated.
public typealias ListOrders = CustomerPageRequest

import Foundation

/// The store platforms Concierge mirrors orders and customers from.
public enum StorePlatform: String, Codable, Sendable, CaseIterable {
    case shopify, woocommerce
}

/// A postal address as the platforms send it; every part is optional because the platforms omit freely.
public struct PostalAddress: Codable, Sendable, Equatable {
    public var name: String?
    public var company: String?
    public var line1: String?
    public var line2: String?
    public var city: String?
    public var province: String?
    public var provinceCode: String?
    public var postalCode: String?
    public var country: String?
    /// ISO 3166-1 alpha-2.
    public var countryCode: String?
    public var phone: String?

    public init(
        name: String? = nil, company: String? = nil, line1: String? = nil, line2: String? = nil, city: String? = nil,
        province: String? = nil, provinceCode: String? = nil, postalCode: String? = nil, country: String? = nil,
        countryCode: String? = nil, phone: String? = nil
    ) {
        self.name = name
        self.company = company
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.province = province
        self.provinceCode = provinceCode
        self.postalCode = postalCode
        self.country = country
        self.countryCode = countryCode
        self.phone = phone
    }

    enum CodingKeys: String, CodingKey {
        case name, company, line1, line2, city, province, country, phone
        case provinceCode = "province_code"
        case postalCode = "postal_code"
        case countryCode = "country_code"
    }
}

/// A customer as a store platform describes them (decoded from a webhook; not yet a Concierge customer).
public struct StoreCustomer: Codable, Sendable, Equatable {
    /// The platform's 64-bit customer id; nil for guest checkouts.
    public var platformCustomerID: Int64?
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var phone: String?
    public var tags: [String]
    public var note: String?
    public var locale: String?
    public var addresses: [PostalAddress]
    /// Email marketing consent as the platform reports it (nil when it does not say).
    public var acceptsEmailMarketing: Bool?
    public var emailConsentUpdatedAt: Date?
    /// SMS marketing consent as the platform reports it (nil when it does not say).
    public var acceptsSMSMarketing: Bool?
    public var smsConsentUpdatedAt: Date?
    public var createdAt: Date?
    /// The platform's last-modified time: a delivery older than the stored one never overwrites it.
    public var updatedAt: Date?

    public init(
        platformCustomerID: Int64?, email: String? = nil, firstName: String? = nil, lastName: String? = nil,
        phone: String? = nil, tags: [String] = [], note: String? = nil, locale: String? = nil,
        addresses: [PostalAddress] = [], acceptsEmailMarketing: Bool? = nil, emailConsentUpdatedAt: Date? = nil,
        acceptsSMSMarketing: Bool? = nil, smsConsentUpdatedAt: Date? = nil, createdAt: Date? = nil,
        updatedAt: Date? = nil
    ) {
        self.platformCustomerID = platformCustomerID
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.phone = phone
        self.tags = tags
        self.note = note
        self.locale = locale
        self.addresses = addresses
        self.acceptsEmailMarketing = acceptsEmailMarketing
        self.emailConsentUpdatedAt = emailConsentUpdatedAt
        self.acceptsSMSMarketing = acceptsSMSMarketing
        self.smsConsentUpdatedAt = smsConsentUpdatedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case email, phone, tags, note, locale, addresses
        case platformCustomerID = "platform_customer_id"
        case firstName = "first_name"
        case lastName = "last_name"
        case acceptsEmailMarketing = "accepts_email_marketing"
        case emailConsentUpdatedAt = "email_consent_updated_at"
        case acceptsSMSMarketing = "accepts_sms_marketing"
        case smsConsentUpdatedAt = "sms_consent_updated_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// Where an order stands overall (the platform's own finer statuses are kept in `financialStatus` and
/// `fulfillmentStatus`).
public enum OrderState: String, Codable, Sendable, CaseIterable {
    case open, closed, cancelled
    /// Removed from the store (WooCommerce `order.deleted`); kept in the mirror for the customer's history, left out
    /// of their statistics. A later full version of the order (`order.restored`) sets its state again.
    case deleted
}

/// One line of an order. Amounts are in the order's shop currency.
public struct StoreOrderLine: Codable, Sendable, Equatable {
    public var platformLineID: Int64
    public var productID: Int64?
    public var variantID: Int64?
    public var sku: String?
    public var title: String
    public var variantTitle: String?
    public var quantity: Int
    /// Price of one unit before discounts, in minor units.
    public var unitPriceMinor: Int64
    /// Discounts allocated to the whole line, in minor units.
    public var discountMinor: Int64

    public init(
        platformLineID: Int64, productID: Int64? = nil, variantID: Int64? = nil, sku: String?, title: String,
        variantTitle: String? = nil, quantity: Int, unitPriceMinor: Int64, discountMinor: Int64 = 0
    ) {
        self.platformLineID = platformLineID
        self.productID = productID
        self.variantID = variantID
        self.sku = sku
        self.title = title
        self.variantTitle = variantTitle
        self.quantity = quantity
        self.unitPriceMinor = unitPriceMinor
        self.discountMinor = discountMinor
    }

    enum CodingKeys: String, CodingKey {
        case sku, title, quantity
        case platformLineID = "platform_line_id"
        case productID = "product_id"
        case variantID = "variant_id"
        case variantTitle = "variant_title"
        case unitPriceMinor = "unit_price_minor"
        case discountMinor = "discount_minor"
    }
}

/// A quantity of one order line (in a fulfillment or a refund).
public struct LineQuantity: Codable, Sendable, Equatable {
    public var platformLineID: Int64
    public var quantity: Int
    /// For refunds: the amount refunded for these units, in minor units.
    public var amountMinor: Int64?

    public init(platformLineID: Int64, quantity: Int, amountMinor: Int64? = nil) {
        self.platformLineID = platformLineID
        self.quantity = quantity
        self.amountMinor = amountMinor
    }

    enum CodingKeys: String, CodingKey {
        case quantity
        case platformLineID = "platform_line_id"
        case amountMinor = "amount_minor"
    }
}

/// A shipment of some of an order's lines.
public struct StoreFulfillment: Codable, Sendable, Equatable {
    public var platformFulfillmentID: Int64
    /// `pending`, `open`, `success`, `cancelled`, `error`, `failure` (Shopify) or `completed` (WooCommerce).
    public var status: String?
    /// The carrier's view: `in_transit`, `out_for_delivery`, `delivered`, ... when known.
    public var shipmentStatus: String?
    public var carrier: String?
    public var trackingNumber: String?
    public var trackingURL: String?
    public var deliveredAt: Date?
    public var createdAt: Date?
    public var updatedAt: Date?
    public var lines: [LineQuantity]

    public init(
        platformFulfillmentID: Int64, status: String? = nil, shipmentStatus: String? = nil, carrier: String? = nil,
        trackingNumber: String? = nil, trackingURL: String? = nil, deliveredAt: Date? = nil, createdAt: Date? = nil,
        updatedAt: Date? = nil, lines: [LineQuantity] = []
    ) {
        self.platformFulfillmentID = platformFulfillmentID
        self.status = status
        self.shipmentStatus = shipmentStatus
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.trackingURL = trackingURL
        self.deliveredAt = deliveredAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
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
        case updatedAt = "updated_at"
    }
}

/// Money the store gave back on an order.
public struct StoreRefund: Codable, Sendable, Equatable {
    public var platformRefundID: Int64
    /// The total refunded by this refund (transactions), in the order's shop currency's minor units.
    public var amountMinor: Int64
    public var reason: String?
    public var createdAt: Date?
    public var lines: [LineQuantity]

    public init(
        platformRefundID: Int64, amountMinor: Int64, reason: String? = nil, createdAt: Date? = nil,
        lines: [LineQuantity] = []
    ) {
        self.platformRefundID = platformRefundID
        self.amountMinor = amountMinor
        self.reason = reason
        self.createdAt = createdAt
        self.lines = lines
    }

    enum CodingKeys: String, CodingKey {
        case reason, lines
        case platformRefundID = "platform_refund_id"
        case amountMinor = "amount_minor"
        case createdAt = "created_at"
    }
}

/// An order as a store platform describes it, decoded faithfully: 64-bit ids, money in exact minor units.
public struct StoreOrder: Codable, Sendable, Equatable {
    public var platformOrderID: Int64
    /// What the shopper sees: Shopify's `name` (`#1001`), WooCommerce's `number`.
    public var number: String
    public var email: String?
    public var phone: String?
    /// The buyer; nil for a guest checkout without a customer object.
    public var customer: StoreCustomer?
    public var state: OrderState
    /// `pending`, `authorized`, `partially_paid`, `paid`, `partially_refunded`, `refunded`, `voided`.
    public var financialStatus: String?
    /// `unfulfilled`, `partial`, `fulfilled` (nil when the platform says nothing).
    public var fulfillmentStatus: String?
    /// The shop currency, in which every amount of this order is given.
    public var currency: String
    public var subtotalMinor: Int64
    public var taxMinor: Int64
    public var shippingMinor: Int64
    public var discountMinor: Int64
    public var totalMinor: Int64
    /// What the shopper paid in their own currency, when the platform sends `*_set` presentment money.
    public var presentmentTotal: Money?
    public var lines: [StoreOrderLine]
    public var shippingAddress: PostalAddress?
    public var billingAddress: PostalAddress?
    public var fulfillments: [StoreFulfillment]
    public var refunds: [StoreRefund]
    public var tags: [String]
    public var createdAt: Date?
    /// The platform's last-modified time: a delivery older than the stored one never overwrites it.
    public var updatedAt: Date?
    public var cancelledAt: Date?
    public var cancelReason: String?

    public init(
        platformOrderID: Int64, number: String, email: String? = nil, phone: String? = nil,
        customer: StoreCustomer? = nil, state: OrderState = .open, financialStatus: String? = nil,
        fulfillmentStatus: String? = nil, currency: String, subtotalMinor: Int64 = 0, taxMinor: Int64 = 0,
        shippingMinor: Int64 = 0, discountMinor: Int64 = 0, totalMinor: Int64, presentmentTotal: Money? = nil,
        lines: [StoreOrderLine] = [], shippingAddress: PostalAddress? = nil, billingAddress: PostalAddress? = nil,
        fulfillments: [StoreFulfillment] = [], refunds: [StoreRefund] = [], tags: [String] = [],
        createdAt: Date? = nil, updatedAt: Date? = nil, cancelledAt: Date? = nil, cancelReason: String? = nil
    ) {
        self.platformOrderID = platformOrderID
        self.number = number
        self.email = email
        self.phone = phone
        self.customer = customer
        self.state = state
        self.financialStatus = financialStatus
        self.fulfillmentStatus = fulfillmentStatus
        self.currency = currency
        self.subtotalMinor = subtotalMinor
        self.taxMinor = taxMinor
        self.shippingMinor = shippingMinor
        self.discountMinor = discountMinor
        self.totalMinor = totalMinor
        self.presentmentTotal = presentmentTotal
        self.lines = lines
        self.shippingAddress = shippingAddress
        self.billingAddress = billingAddress
        self.fulfillments = fulfillments
        self.refunds = refunds
        self.tags = tags
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.cancelledAt = cancelledAt
        self.cancelReason = cancelReason
    }

    enum CodingKeys: String, CodingKey {
        case number, email, phone, customer, state, currency, lines, fulfillments, refunds, tags
        case platformOrderID = "platform_order_id"
        case financialStatus = "financial_status"
        case fulfillmentStatus = "fulfillment_status"
        case subtotalMinor = "subtotal_minor"
        case taxMinor = "tax_minor"
        case shippingMinor = "shipping_minor"
        case discountMinor = "discount_minor"
        case totalMinor = "total_minor"
        case presentmentTotal = "presentment_total"
        case shippingAddress = "shipping_address"
        case billingAddress = "billing_address"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case cancelledAt = "cancelled_at"
        case cancelReason = "cancel_reason"
    }
}

/// What one store-platform webhook delivery means, once decoded.
public enum StoreUpdate: Sendable, Equatable {
    /// An order's full current state (create, update, paid, fulfilled, partially fulfilled, cancelled).
    case order(StoreOrder)
    /// The order was deleted on the platform (WooCommerce `order.deleted`).
    case orderDeleted(platformOrderID: Int64)
    /// A product's current state (its tags and categories reach the lines of mirrored orders).
    case product(StoreProduct)
    /// The product was deleted on the platform; orders that hold it keep its last tags.
    case productDeleted(platformProductID: Int64)
    /// One fulfillment of an order was created or changed.
    case fulfillment(platformOrderID: Int64, StoreFulfillment)
    /// One refund of an order was created.
    case refund(platformOrderID: Int64, StoreRefund)
    /// A customer's current state.
    case customer(StoreCustomer)
    case customerDeleted(platformCustomerID: Int64)
    /// Shopify `customers/data_request`: the merchant must be given everything held about this customer.
    case customerDataRequest(platformCustomerID: Int64?, email: String?, phone: String?, platformOrderIDs: [Int64])
    /// Shopify `customers/redact`: erase this customer's personal data.
    case customerRedact(platformCustomerID: Int64?, email: String?, phone: String?, platformOrderIDs: [Int64])
    /// Shopify `shop/redact`: erase everything of this shop.
    case shopRedact(shopDomain: String)
    /// WooCommerce's unsigned creation ping (`webhook_id=N`), nothing to apply.
    case ping
    /// A topic Concierge does not act on: stored and acknowledged, never an error.
    case unknown(topic: String)
}

import Foundation

/// A store's customer: the one record every ticket, order, return and point belongs to.
public struct Customer: Codable, Sendable, Equatable {
    public var id: UUID
    /// The primary email; nil for a contact known only by phone or social handle, and after erasure.
    public var email: String?
    /// The display name.
    public var name: String?
    /// The primary phone (E.164).
    public var phone: String?
    public var firstName: String?
    public var lastName: String?
    /// BCP 47 (`en-GB`).
    public var locale: String?
    /// IANA time zone (`Europe/Berlin`).
    public var timeZone: String?
    public var tags: [String]
    public var note: String?
    /// Free-form attributes a store keeps about a customer.
    public var attributes: [String: String]
    public var addresses: [PostalAddress]
    /// Every way this customer is known: emails, phones, social handles, platform customer ids.
    public var identities: [CustomerIdentity]
    /// Set when this record was merged into another: that one is the customer now.
    public var mergedInto: UUID?
    /// Set when the personal data was erased (the record stays as a tombstone).
    public var erasedAt: Date?
    /// Order-derived numbers (RFM, lifetime value), when the customer has orders.
    public var stats: CustomerStats?
    /// The names of the segments the customer is in.
    public var segments: [String]
    /// The current marketing consent per channel (the latest record of each); a channel not listed was never asked.
    /// Check it with `MarketingPermission` before any marketing action.
    public var consents: [ConsentState]
    /// Increases with every change; the ETag of the record.
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, email: String?, name: String?, phone: String?, firstName: String? = nil, lastName: String? = nil,
        locale: String? = nil, timeZone: String? = nil, tags: [String] = [], note: String? = nil,
        attributes: [String: String] = [:], addresses: [PostalAddress] = [], identities: [CustomerIdentity] = [],
        mergedInto: UUID? = nil, erasedAt: Date? = nil, stats: CustomerStats? = nil, segments: [String] = [],
        consents: [ConsentState] = [], version: Int = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.email = email
        self.name = name
        self.phone = phone
        self.firstName = firstName
        self.lastName = lastName
        self.locale = locale
        self.timeZone = timeZone
        self.tags = tags
        self.note = note
        self.attributes = attributes
        self.addresses = addresses
        self.identities = identities
        self.mergedInto = mergedInto
        self.erasedAt = erasedAt
        self.stats = stats
        self.segments = segments
        self.consents = consents
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, email, name, phone, locale, tags, note, attributes, addresses, identities, stats, segments, consents
        case version
        case firstName = "first_name"
        case lastName = "last_name"
        case timeZone = "time_zone"
        case mergedInto = "merged_into"
        case erasedAt = "erased_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// The kinds of identity a contact can arrive with.
public enum IdentityKind: String, Codable, Sendable, CaseIterable {
    case email, phone, facebook, instagram, x
    /// A platform customer id, scoped to one connected store.
    case shopify, woocommerce
}

/// One way a customer is known. Values are normalised (emails lower-cased, phones E.164, handles without `@`,
/// lower-cased); platform ids are scoped to their store.
public struct CustomerIdentity: Codable, Sendable, Equatable, Hashable {
    public var kind: IdentityKind
    public var value: String
    /// The connected store, for platform customer ids.
    public var storeID: UUID?

    public init(kind: IdentityKind, value: String, storeID: UUID? = nil) {
        self.kind = kind
        self.value = value
        self.storeID = storeID
    }

    enum CodingKeys: String, CodingKey {
        case kind, value
        case storeID = "store_id"
    }
}

/// RFM scores, 1 (lowest) to 5 (highest), by quintile over the store's customers with orders.
public struct RFMScores: Codable, Sendable, Equatable {
    public var recency: Int
    public var frequency: Int
    public var monetary: Int
    public init(recency: Int, frequency: Int, monetary: Int) {
        self.recency = recency
        self.frequency = frequency
        self.monetary = monetary
    }
}

/// What a customer's orders say about them.
public struct CustomerStats: Codable, Sendable, Equatable {
    public var orderCount: Int
    /// Paid minus refunded, per currency (one entry for most stores).
    public var lifetimeValue: [Money]
    public var firstOrderAt: Date?
    public var lastOrderAt: Date?
    public var rfm: RFMScores?
    public var vip: Bool

    public init(
        orderCount: Int, lifetimeValue: [Money], firstOrderAt: Date?, lastOrderAt: Date?, rfm: RFMScores?, vip: Bool
    ) {
        self.orderCount = orderCount
        self.lifetimeValue = lifetimeValue
        self.firstOrderAt = firstOrderAt
        self.lastOrderAt = lastOrderAt
        self.rfm = rfm
        self.vip = vip
    }

    enum CodingKeys: String, CodingKey {
        case rfm, vip
        case orderCount = "order_count"
        case lifetimeValue = "lifetime_value"
        case firstOrderAt = "first_order_at"
        case lastOrderAt = "last_order_at"
    }
}

/// `customers.create`: creates a customer; the email is unique (case-insensitive).
public struct CreateCustomer: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["email", "name", "phone"]
    public var email: String
    public var name: String?
    public var phone: String?

    public init(email: String, name: String? = nil, phone: String? = nil) {
        self.email = email
        self.name = name
        self.phone = phone
    }

    public func validate() -> [FieldIssue] {
        Validate.email(email) + Validate.optionalText(name, field: "name", max: 200) + Validate.phone(phone)
    }
}

/// `customers.find_by_email`: the customer with this email (case-insensitive), or 404.
public struct FindCustomerByEmail: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["email"]
    public var email: String
    public init(email: String) { self.email = email }
    public func validate() -> [FieldIssue] { Validate.email(email) }
}

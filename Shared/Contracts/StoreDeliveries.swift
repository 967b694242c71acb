import Foundation

/// `customers.receive_delivery`: a verified store-platform webhook delivery, stored as received before anything
/// is applied (the gateway has checked its signature and found its store).
public struct ReceiveStoreDelivery: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = [
        "store_id", "platform", "shop_domain", "topic", "delivery_key", "event_id", "triggered_at", "body",
    ]
    public var storeID: UUID
    public var platform: StorePlatform
    /// Shopify's `X-Shopify-Shop-Domain`; WooCommerce's `X-WC-Webhook-Source` host.
    public var shopDomain: String
    /// The platform's topic (`orders/create`, `order.updated`).
    public var topic: String
    /// What makes this delivery unique: Shopify's `X-Shopify-Webhook-Id`; for WooCommerce, which sends no delivery
    /// id, the resource id with its modified time, or the body's SHA-256.
    public var deliveryKey: String
    /// Shopify's `X-Shopify-Event-Id` (the same event retried or sent to several subscriptions).
    public var eventID: String?
    /// When the platform says the event happened (`X-Shopify-Triggered-At`).
    public var triggeredAt: Date?
    /// The raw body, exactly as received (UTF-8 JSON).
    public var body: String

    public init(
        storeID: UUID, platform: StorePlatform, shopDomain: String, topic: String, deliveryKey: String,
        eventID: String? = nil, triggeredAt: Date? = nil, body: String
    ) {
        self.storeID = storeID
        self.platform = platform
        self.shopDomain = shopDomain
        self.topic = topic
        self.deliveryKey = deliveryKey
        self.eventID = eventID
        self.triggeredAt = triggeredAt
        self.body = body
    }

    public func validate() -> [FieldIssue] {
        Validate.text(shopDomain, field: "shop_domain", max: 255) + Validate.text(topic, field: "topic", max: 100)
            + Validate.text(deliveryKey, field: "delivery_key", max: 255)
    }

    enum CodingKeys: String, CodingKey {
        case platform, topic, body
        case storeID = "store_id"
        case shopDomain = "shop_domain"
        case deliveryKey = "delivery_key"
        case eventID = "event_id"
        case triggeredAt = "triggered_at"
    }
}

/// The answer to `customers.receive_delivery`: the stored delivery, and whether it had been received before.
public struct StoreDeliveryReceipt: Codable, Sendable, Equatable {
    public var deliveryID: UUID
    public var duplicate: Bool

    public init(deliveryID: UUID, duplicate: Bool) {
        self.deliveryID = deliveryID
        self.duplicate = duplicate
    }

    enum CodingKeys: String, CodingKey {
        case duplicate
        case deliveryID = "delivery_id"
    }
}

/// One stored store delivery as operators see it (`customers.list_deliveries`): where it came from and how applying
/// it ended. Never its body, which may hold personal data.
public struct StoreDeliverySummary: Codable, Sendable, Equatable {
    public var id: UUID
    public var storeID: UUID
    public var platform: StorePlatform
    public var topic: String
    public var deliveryKey: String
    public var eventID: String?
    public var triggeredAt: Date?
    public var receivedAt: Date
    /// Nil while it waits for the store-sync consumer.
    public var appliedAt: Date?
    /// `applied`, `stale`, `merged`, `ignored`, `failed`, `redacted`; nil while pending.
    public var outcome: String?
    /// Why it failed, naming fields but never values.
    public var error: String?
    public var customerID: UUID?

    public init(
        id: UUID, storeID: UUID, platform: StorePlatform, topic: String, deliveryKey: String, eventID: String?,
        triggeredAt: Date?, receivedAt: Date, appliedAt: Date?, outcome: String?, error: String?, customerID: UUID?
    ) {
        self.id = id
        self.storeID = storeID
        self.platform = platform
        self.topic = topic
        self.deliveryKey = deliveryKey
        self.eventID = eventID
        self.triggeredAt = triggeredAt
        self.receivedAt = receivedAt
        self.appliedAt = appliedAt
        self.outcome = outcome
        self.error = error
        self.customerID = customerID
    }

    enum CodingKeys: String, CodingKey {
        case id, platform, topic, outcome, error
        case storeID = "store_id"
        case deliveryKey = "delivery_key"
        case eventID = "event_id"
        case triggeredAt = "triggered_at"
        case receivedAt = "received_at"
        case appliedAt = "applied_at"
        case customerID = "customer_id"
    }
}

/// `customers.list_deliveries` (admins): a store's deliveries, newest received first, keyset-paginated; `outcome`
/// narrows them to one outcome, or `pending` to those not applied yet.
public struct ListStoreDeliveries: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["store_id", "outcome", "limit", "cursor"]
    /// What `outcome` may be.
    public static let outcomes: Set<String> = [
        "applied", "stale", "merged", "ignored", "failed", "redacted", "pending",
    ]
    public var storeID: UUID
    public var outcome: String?
    public var limit: Int?
    public var cursor: String?

    public init(storeID: UUID, outcome: String? = nil, limit: Int? = nil, cursor: String? = nil) {
        self.storeID = storeID
        self.outcome = outcome
        self.limit = limit
        self.cursor = cursor
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.limit(limit)
        if let outcome, !Self.outcomes.contains(outcome) {
            issues.append(FieldIssue("outcome", "must be one of \(Self.outcomes.sorted().joined(separator: ", "))"))
        }
        if let cursor, KeysetCursor(encoded: cursor) == nil {
            issues.append(FieldIssue("cursor", "is not a valid cursor"))
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case outcome, limit, cursor
        case storeID = "store_id"
    }
}

/// `customers.retry_delivery` (admins): applies a `failed` delivery again (after the cause was fixed, say). The
/// delivery becomes pending and `store.delivery_received` is recorded again; a delivery already pending is answered
/// as it is; any other outcome is a 409 `delivery_not_failed`.
public struct RetryStoreDelivery: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["store_id", "delivery_id"]
    public var storeID: UUID
    public var deliveryID: UUID

    public init(storeID: UUID, deliveryID: UUID) {
        self.storeID = storeID
        self.deliveryID = deliveryID
    }

    enum CodingKeys: String, CodingKey {
        case storeID = "store_id"
        case deliveryID = "delivery_id"
    }
}

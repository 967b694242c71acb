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

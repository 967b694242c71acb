import Contracts
import Foundation
import Wire

/// A connected store as the gateway keeps it, secrets included. Never encoded into a response: see `StoreView`.
struct ConnectedStore: Sendable, Equatable {
    var id: UUID
    var platform: StorePlatform
    var shopDomain: String
    var name: String
    var webhookSecret: String
    var previousWebhookSecret: String?
    var createdAt: Date

    /// The secrets a delivery's signature may be made with: the current one, and the previous one during a rotation.
    var webhookSecrets: [String] { [webhookSecret] + (previousWebhookSecret.map { [$0] } ?? []) }

    /// What callers may see of this store.
    var view: StoreView {
        StoreView(
            id: id, platform: platform, shopDomain: shopDomain, name: name,
            hasPreviousSecret: previousWebhookSecret != nil, createdAt: createdAt)
    }
}

/// A connected store in API responses: everything but the webhook secrets.
struct StoreView: Codable, Sendable, Equatable {
    var id: UUID
    var platform: StorePlatform
    var shopDomain: String
    var name: String
    /// Whether a rotation is under way (the previous webhook secret still verifies).
    var hasPreviousSecret: Bool
    var createdAt: Date
    /// Only in the reply to `POST /v1/stores`: the integration key made with the store (its secret only the first
    /// time).
    var integrationKey: IntegrationKey?

    struct IntegrationKey: Codable, Sendable, Equatable {
        var id: UUID
        var secret: String?
    }

    enum CodingKeys: String, CodingKey {
        case id, platform, name
        case shopDomain = "shop_domain"
        case hasPreviousSecret = "has_previous_secret"
        case createdAt = "created_at"
        case integrationKey = "integration_key"
    }
}

/// One page of `GET /v1/stores`.
struct StorePage: Codable, Sendable {
    var items: [StoreView]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }
}

/// A webhook secret as the platforms issue them: 16 to 512 characters, no spaces or control characters.
enum WebhookSecretRule {
    static func validate(_ secret: String, field: String = "webhook_secret") -> [FieldIssue] {
        guard (16...512).contains(secret.count) else { return [FieldIssue(field, "must be 16 to 512 characters")] }
        guard secret.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            return [FieldIssue(field, "must not contain spaces or control characters")]
        }
        return []
    }
}

/// `POST /v1/stores`.
struct CreateStore: OperationInput {
    static let fields: Set<String> = ["platform", "shop_domain", "name", "webhook_secret"]
    var platform: String
    var shopDomain: String
    var name: String
    var webhookSecret: String

    /// The platform, once `validate()` has passed.
    var storePlatform: StorePlatform? { StorePlatform(rawValue: platform) }

    func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if storePlatform == nil { issues.append(FieldIssue("platform", "must be shopify or woocommerce")) }
        issues += ShopDomain.validate(shopDomain)
        issues += Validate.text(name, field: "name", max: 200)
        issues += WebhookSecretRule.validate(webhookSecret)
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case platform, name
        case shopDomain = "shop_domain"
        case webhookSecret = "webhook_secret"
    }
}

/// `POST /v1/stores/{id}/webhook-secret`.
struct RotateWebhookSecret: OperationInput {
    static let fields: Set<String> = ["webhook_secret"]
    var webhookSecret: String

    func validate() -> [FieldIssue] { WebhookSecretRule.validate(webhookSecret) }

    enum CodingKeys: String, CodingKey {
        case webhookSecret = "webhook_secret"
    }
}

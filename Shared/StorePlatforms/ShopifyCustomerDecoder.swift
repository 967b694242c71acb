import Contracts
import Foundation

/// Shopify customer bodies (`customers/*`, an order's `customer`) and the mandatory compliance webhooks.
enum ShopifyCustomerDecoder {
    /// Who and what a `customers/data_request` or `customers/redact` body names.
    struct ComplianceRequest: Equatable {
        var customerID: Int64?
        var email: String?
        var phone: String?
        var orderIDs: [Int64]
    }

    /// A customer. `requireID` is true for the `customers/*` topics (an order's embedded customer may lack one).
    ///
    /// Addresses are `default_address` first, then `addresses` without repeating it. Consent is
    /// `email_marketing_consent.state == "subscribed"` with its `consent_updated_at` (or, from older payloads,
    /// `accepts_marketing` and `accepts_marketing_updated_at`), and the same for `sms_marketing_consent`.
    static func customer(_ object: PayloadObject, requireID: Bool) throws -> StoreCustomer {
        let id = requireID ? try object.requiredID("id") : try object.id("id")
        var addresses: [PostalAddress] = []
        if let address = try ShopifyAddress.decode(object.object("default_address")) {
            addresses.append(address)
        }
        for element in try object.objects("addresses") {
            if let address = try ShopifyAddress.decode(element), !addresses.contains(address) {
                addresses.append(address)
            }
        }
        var acceptsEmail: Bool?
        var emailUpdatedAt: Date?
        if let consent = try object.object("email_marketing_consent") {
            acceptsEmail = try consent.text("state").map { $0 == "subscribed" }
            emailUpdatedAt = try consent.date("consent_updated_at")
        } else {
            acceptsEmail = try object.bool("accepts_marketing")
            emailUpdatedAt = try object.date("accepts_marketing_updated_at")
        }
        let sms = try object.object("sms_marketing_consent")
        return StoreCustomer(
            platformCustomerID: id, email: try object.text("email"), firstName: try object.text("first_name"),
            lastName: try object.text("last_name"), phone: try object.text("phone"),
            tags: try ShopifyAddress.tags(object), note: try object.text("note"), locale: try object.text("locale"),
            addresses: addresses, acceptsEmailMarketing: acceptsEmail, emailConsentUpdatedAt: emailUpdatedAt,
            acceptsSMSMarketing: try sms?.text("state").map { $0 == "subscribed" },
            smsConsentUpdatedAt: try sms?.date("consent_updated_at"), createdAt: try object.date("created_at"),
            updatedAt: try object.date("updated_at"))
    }

    /// A compliance body: `{shop_id, shop_domain, customer {id, email, phone}, <ordersKey>: [ids]}`.
    static func compliance(_ object: PayloadObject, ordersKey: String) throws -> ComplianceRequest {
        let customer = try object.object("customer")
        return ComplianceRequest(
            customerID: try customer?.id("id"), email: try customer?.text("email"), phone: try customer?.text("phone"),
            orderIDs: try object.ids(ordersKey))
    }
}

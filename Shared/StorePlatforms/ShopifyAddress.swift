import Contracts
import Foundation

/// Shopify's address objects (`billing_address`, `shipping_address`, `default_address`, `addresses[]`).
enum ShopifyAddress {
    /// The address, or nil when it has no part at all. The name is `name`, else `first_name` + `last_name`.
    static func decode(_ object: PayloadObject?) throws -> PostalAddress? {
        guard let object else { return nil }
        let address = PostalAddress(
            name: try personName(object), company: try object.text("company"), line1: try object.text("address1"),
            line2: try object.text("address2"), city: try object.text("city"), province: try object.text("province"),
            provinceCode: try object.text("province_code"), postalCode: try object.text("zip"),
            country: try object.text("country"), countryCode: try object.text("country_code"),
            phone: try object.text("phone"))
        return address == PostalAddress() ? nil : address
    }

    /// `name`, else `first_name` and `last_name` joined by a space; nil when all are empty.
    static func personName(_ object: PayloadObject) throws -> String? {
        if let name = try object.text("name") { return name }
        let parts = [try object.text("first_name"), try object.text("last_name")].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// Shopify's comma-separated `tags` (`"a, b"`), trimmed, empty ones dropped.
    static func tags(_ object: PayloadObject) throws -> [String] {
        guard let text = try object.string("tags") else { return [] }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter {
            !$0.isEmpty
        }
    }
}

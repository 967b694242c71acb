import Contracts
import Foundation

/// Normalises identity values so that the same contact always produces the same key in `customers.identities`.
///
/// - Emails: trimmed and lower-cased.
/// - Phones: spaces, dashes, dots and parentheses stripped, a leading `00` becomes `+`; the result is E.164 when the
///   number carried a country code (`+` and 8 to 15 digits), otherwise the bare digits.
/// - Social handles: trimmed, lower-cased, without a leading `@`.
/// - Platform customer ids: trimmed; they need a store id (their scope).
public enum IdentityNormalizer {
    /// The normalised email, or nil when nothing is left.
    public static func email(_ value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return trimmed.isEmpty || trimmed.contains("\u{0}") ? nil : trimmed
    }

    /// The phone in E.164 form when possible, the bare digits otherwise; nil when the value is not a phone number.
    public static func phone(_ value: String) -> String? {
        var text = value.trimmingCharacters(in: .whitespacesAndNewlines)
        text.removeAll { " -.()\t\u{00A0}/".contains($0) }
        var plus = false
        if text.hasPrefix("+") {
            plus = true
            text.removeFirst()
        } else if text.hasPrefix("00") {
            plus = true
            text.removeFirst(2)
        }
        guard !text.isEmpty, text.count <= 15, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return plus ? "+" + text : text
    }

    /// True when `phone` (already normalised) is an E.164 number.
    public static func isE164(_ phone: String) -> Bool {
        Validate.phone(phone).isEmpty
    }

    /// The social handle lower-cased without a leading `@`, or nil when nothing is left.
    public static func handle(_ value: String) -> String? {
        var text = value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        while text.hasPrefix("@") { text.removeFirst() }
        guard !text.isEmpty, !text.contains(where: \.isWhitespace), !text.contains("\u{0}") else { return nil }
        return text
    }

    /// The identity with its value normalised, or nil when it cannot be used (empty value, platform id without a
    /// store).
    public static func normalize(_ identity: CustomerIdentity) -> CustomerIdentity? {
        switch identity.kind {
        case .email:
            return email(identity.value).map { CustomerIdentity(kind: .email, value: $0) }
        case .phone:
            return phone(identity.value).map { CustomerIdentity(kind: .phone, value: $0) }
        case .facebook, .instagram, .x:
            return handle(identity.value).map { CustomerIdentity(kind: identity.kind, value: $0) }
        case .shopify, .woocommerce:
            let value = identity.value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let storeID = identity.storeID, !value.isEmpty, !value.contains("\u{0}") else { return nil }
            return CustomerIdentity(kind: identity.kind, value: value, storeID: storeID)
        }
    }

    /// The `scope` column of an identity: the lower-case store id for platform ids, empty otherwise.
    public static func scope(of identity: CustomerIdentity) -> String {
        identity.storeID?.uuidString.lowercased() ?? ""
    }
}

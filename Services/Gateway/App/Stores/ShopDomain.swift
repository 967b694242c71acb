import Contracts
import Foundation

/// A store's domain in the one form used for storage and look-ups: lower-case host name, no scheme, user, port,
/// path or trailing slash (`https://Shop.Example.com:443/` becomes `shop.example.com`).
enum ShopDomain {
    /// The normalised host of `text` (a bare host name or a URL), or nil when it has no usable host.
    static func normalise(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 300, !trimmed.contains(where: { $0.isWhitespace || $0 == "\u{0}" })
        else { return nil }
        let url = trimmed.contains("://") ? trimmed : "https://" + trimmed
        guard let components = URLComponents(string: url), components.user == nil, components.password == nil,
            let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
            var host = components.host?.lowercased()
        else { return nil }
        if host.hasSuffix(".") { host.removeLast() }
        return isHostName(host) ? host : nil
    }

    /// Dotted labels of letters, digits and inner hyphens (1 to 63 each, 253 in all); `localhost` also passes.
    static func isHostName(_ host: String) -> Bool {
        guard (1...253).contains(host.count) else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 || host == "localhost" else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// The issues with a `shop_domain` input (empty when it normalises).
    static func validate(_ text: String, field: String = "shop_domain") -> [FieldIssue] {
        normalise(text) == nil
            ? [FieldIssue(field, "must be a host name such as shop.example.com (a URL's host is taken)")] : []
    }
}

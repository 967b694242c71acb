import Foundation

/// One reason of the return-reason taxonomy.
public struct ReturnReason: Codable, Sendable, Equatable {
    /// `group.detail`, for example `size.too_small`.
    public var code: String
    public var label: String
    /// The group's label (`Size`).
    public var group: String
    /// Shopify's `ReturnReason` value it maps onto (`SIZE_TOO_SMALL`), for a platform sync.
    public var shopify: String

    public init(code: String, label: String, group: String, shopify: String) {
        self.code = code
        self.label = label
        self.group = group
        self.shopify = shopify
    }
}

/// The return-reason taxonomy: two levels (group > detail), every reason mapped onto one of Shopify's
/// `ReturnReason` values (COLOR, DEFECTIVE, NOT_AS_DESCRIBED, OTHER, SIZE_TOO_LARGE, SIZE_TOO_SMALL, STYLE,
/// UNWANTED, WRONG_ITEM, UNKNOWN), so that more detail here never loses the platform's view.
public enum ReturnReasons {
    public static let all: [ReturnReason] = [
        ReturnReason(code: "size.too_small", label: "Too small", group: "Size", shopify: "SIZE_TOO_SMALL"),
        ReturnReason(code: "size.too_large", label: "Too large", group: "Size", shopify: "SIZE_TOO_LARGE"),
        ReturnReason(code: "style.color", label: "Colour not as expected", group: "Style", shopify: "COLOR"),
        ReturnReason(code: "style.not_my_style", label: "Not my style", group: "Style", shopify: "STYLE"),
        ReturnReason(code: "quality.defective", label: "Defective or faulty", group: "Quality", shopify: "DEFECTIVE"),
        ReturnReason(
            code: "quality.damaged_in_transit", label: "Arrived damaged", group: "Quality", shopify: "DEFECTIVE"),
        ReturnReason(
            code: "description.not_as_described", label: "Not as described", group: "Description",
            shopify: "NOT_AS_DESCRIBED"),
        ReturnReason(code: "order.wrong_item", label: "Wrong item sent", group: "Order", shopify: "WRONG_ITEM"),
        ReturnReason(
            code: "preference.changed_mind", label: "Changed my mind", group: "Preference", shopify: "UNWANTED"),
        ReturnReason(
            code: "preference.found_cheaper", label: "Found it cheaper", group: "Preference", shopify: "UNWANTED"),
        ReturnReason(code: "other", label: "Other", group: "Other", shopify: "OTHER"),
        ReturnReason(code: "unknown", label: "Unknown", group: "Other", shopify: "UNKNOWN"),
    ]

    /// The reason with `code`; nil when the taxonomy has none.
    public static func reason(_ code: String) -> ReturnReason? { all.first { $0.code == code } }
}

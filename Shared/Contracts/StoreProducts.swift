import Foundation

/// A product of a connected store as its platform describes it (Shopify `products/create|update`, WooCommerce
/// `product.created|updated|restored`): what the mirror needs to give order lines their product tags and categories.
public struct StoreProduct: Codable, Sendable, Equatable {
    public var platformProductID: Int64
    public var title: String?
    /// The merchant's tags, as written (Shopify's comma-separated `tags`, WooCommerce's `tags[].name`).
    public var tags: [String]
    /// The product's categories: Shopify's `product_type` and taxonomy `category.name`, WooCommerce's
    /// `categories[].name`.
    public var categories: [String]
    /// `active`, `draft`, `archived` (Shopify) or `publish`, `draft`, `private` (WooCommerce), when sent.
    public var status: String?
    /// When the platform last changed the product (the stale rule compares it).
    public var updatedAt: Date?

    public init(
        platformProductID: Int64, title: String?, tags: [String], categories: [String], status: String? = nil,
        updatedAt: Date?
    ) {
        self.platformProductID = platformProductID
        self.title = title
        self.tags = tags
        self.categories = categories
        self.status = status
        self.updatedAt = updatedAt
    }
}

import Contracts

/// Shopify and WooCommerce product bodies (`products/create|update`, `product.created|updated|restored`): the id,
/// title, tags, categories, status and platform update time. Everything but the id may be missing.
enum ProductDecoder {
    /// A Shopify product: `tags` is one comma-separated string; the categories are `product_type` and the
    /// Standard Product Taxonomy `category.name` (sent by newer API versions), whichever are present.
    static func shopify(_ object: PayloadObject) throws -> StoreProduct {
        var categories: [String] = []
        if let type = try object.text("product_type") { categories.append(type) }
        if let name = try object.object("category")?.text("name") { categories.append(name) }
        return StoreProduct(
            platformProductID: try object.requiredID("id"), title: try object.text("title"),
            tags: unique(try ShopifyAddress.tags(object)), categories: unique(categories),
            status: try object.text("status")?.lowercased(), updatedAt: try object.date("updated_at"))
    }

    /// A WooCommerce product: `tags` and `categories` are arrays of `{id, name, slug}`; the time is `date_modified_gmt` (UTC without a zone).
    static func wooCommerce(_ object: PayloadObject) throws -> StoreProduct {
        let tags = try object.objects("tags").compactMap { try $0.text("name") }
        let categories = try object.objects("categories").compactMap { try $0.text("name") }
        return StoreProduct(
            platformProductID: try object.requiredID("id"), title: try object.text("name"), tags: unique(tags),
            categories: unique(categories), status: try object.text("status")?.lowercased(),
            updatedAt: try object.date("date_modified_gmt"))
    }

    /// `values` without repeats (compared case-insensitively), first spelling kept, in order.
    static func unique(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0.lowercased()).inserted }
    }
}

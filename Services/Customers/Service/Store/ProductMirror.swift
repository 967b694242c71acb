import Contracts
import Foundation
import Logging
import PostgresNIO

/// Writes store products into `customers.products`, whose tags and categories reach the lines of mirrored orders.
///
/// The stale rule is the orders' one: a product whose stored platform `updated_at` is newer than the incoming one
/// (the delivery's trigger time when the body has none) keeps its fields.
struct ProductMirror: Sendable {
    /// Writes `product` unless the stored version is newer; false when it was kept.
    func write(_ product: StoreProduct, delivery: StoredDelivery, on connection: PostgresConnection, logger: Logger)
        async throws -> Bool
    {
        let incoming = product.updatedAt ?? delivery.triggeredAt
        let rows = try await connection.query(
            """
            INSERT INTO customers.products
                (store_id, platform_product_id, title, tags, categories, status, platform_updated_at)
            VALUES (\(delivery.storeID), \(product.platformProductID), \(product.title), \(product.tags),
                    \(product.categories), \(product.status), \(incoming))
            ON CONFLICT (store_id, platform_product_id) DO UPDATE SET
                title = EXCLUDED.title, tags = EXCLUDED.tags, categories = EXCLUDED.categories,
                status = EXCLUDED.status,
                platform_updated_at = coalesce(EXCLUDED.platform_updated_at, customers.products.platform_updated_at),
                deleted_at = NULL, updated_at = now()
            WHERE customers.products.platform_updated_at IS NULL OR EXCLUDED.platform_updated_at IS NULL
               OR EXCLUDED.platform_updated_at >= customers.products.platform_updated_at
            RETURNING platform_product_id
            """, logger: logger)
        for try await _ in rows.decode(Int64.self) { return true }
        return false
    }

    /// Marks a mirrored product deleted (its tags stay for the orders that hold it); false when it is not mirrored.
    func markDeleted(storeID: UUID, platformProductID: Int64, on connection: PostgresConnection, logger: Logger)
        async throws -> Bool
    {
        let rows = try await connection.query(
            """
            UPDATE customers.products SET deleted_at = coalesce(deleted_at, now()), updated_at = now()
            WHERE store_id = \(storeID) AND platform_product_id = \(platformProductID)
            RETURNING platform_product_id
            """, logger: logger)
        for try await _ in rows.decode(Int64.self) { return true }
        return false
    }
}

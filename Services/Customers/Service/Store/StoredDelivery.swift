import Contracts
import Foundation
import Logging
import PostgresNIO

/// A delivery as `customers.receive_delivery` stored it, loaded (and locked) by the store-sync consumer.
struct StoredDelivery: Sendable {
    var id: UUID
    var storeID: UUID
    var platform: StorePlatform
    var topic: String
    var triggeredAt: Date?
    var body: String
    var appliedAt: Date?
    var outcome: String?

    /// The delivery with `id`, locked for the caller's transaction; nil when there is none.
    static func load(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> StoredDelivery? {
        let rows = try await connection.query(
            """
            SELECT store_id, platform, topic, triggered_at, body, applied_at, outcome
            FROM customers.store_deliveries WHERE id = \(id) FOR UPDATE
            """, logger: logger)
        for try await row in rows.decode((UUID, String, String, Date?, String, Date?, String?).self) {
            guard let platform = StorePlatform(rawValue: row.1) else { return nil }
            return StoredDelivery(
                id: id, storeID: row.0, platform: platform, topic: row.2, triggeredAt: row.3, body: row.4,
                appliedAt: row.5, outcome: row.6)
        }
        return nil
    }

    /// Records how applying the delivery ended.
    func finish(
        outcome: StoreSyncOutcome, error: String? = nil, customerID: UUID? = nil, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.query(
            """
            UPDATE customers.store_deliveries
            SET applied_at = now(), outcome = \(outcome.rawValue), error = \(error), customer_id = \(customerID)
            WHERE id = \(id)
            """, logger: logger)
    }
}

/// How applying one delivery ended (`customers.store_deliveries.outcome`).
enum StoreSyncOutcome: String, Sendable {
    /// Applied as it came.
    case applied
    /// Older than what is stored: the stored fields were kept (new refunds, fulfillments and lines still count).
    case stale
    /// A partial order body (no `updated_at`) over a stored order: only its new lines, fulfillments and refunds
    /// were added.
    case merged
    /// Nothing to apply (a ping, a topic Concierge does not act on).
    case ignored
    /// Signed but unusable (the body could not be decoded, or applying it was refused); `error` says why.
    case failed
    /// Its body was erased by a shop redact before it was applied.
    case redacted
}

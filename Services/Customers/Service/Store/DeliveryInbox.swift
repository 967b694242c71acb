import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The store-delivery inbox: `customers.receive_delivery` stores each verified webhook delivery exactly as received,
/// once, and announces it with `store.delivery_received`; the `customers.store_sync` consumer applies it later.
public struct DeliveryInbox: Sendable {
    public init() {}

    /// Refuses customer keys, and integration keys of another store than the delivery's.
    public func authorize(_ input: ReceiveStoreDelivery, context: OperationContext) throws {
        try context.requireStaff()
        let principal = context.principal
        if principal.role == .integration, let storeID = principal.storeID, storeID != input.storeID {
            throw Problem.forbidden("an integration key may only deliver for its own store")
        }
    }

    /// Stores `input` unless the same delivery (same store and delivery key, or same store, Shopify event id and
    /// topic) is already stored. A new delivery records `store.delivery_received` in the same transaction; a
    /// duplicate records nothing and answers the stored delivery's id.
    public func receive(_ input: ReceiveStoreDelivery, context: OperationContext, on connection: PostgresConnection)
        async throws -> StoreDeliveryReceipt
    {
        let logger = context.logger
        let id = UUID()
        let (platform, eventID) = (input.platform.rawValue, input.eventID.flatMap { $0.isEmpty ? nil : $0 })
        // One store's deliveries append to one event aggregate (`store`, the store id), whose next version comes
        // from the log: deliveries of one store arriving together take turns instead of colliding on it.
        let lockKey = "concierge.store.\(input.storeID.uuidString)"
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))", logger: logger)
        let inserted = try await connection.query(
            """
            INSERT INTO customers.store_deliveries
                (id, store_id, platform, shop_domain, topic, delivery_key, event_id, triggered_at, body)
            VALUES (\(id), \(input.storeID), \(platform), \(input.shopDomain), \(input.topic), \(input.deliveryKey),
                    \(eventID), \(input.triggeredAt), \(input.body))
            ON CONFLICT DO NOTHING
            RETURNING id
            """, logger: logger)
        var stored = false
        for try await _ in inserted.decode(UUID.self) { stored = true }
        guard stored else {
            let existing = try await connection.query(
                """
                SELECT id FROM customers.store_deliveries
                WHERE store_id = \(input.storeID)
                  AND (delivery_key = \(input.deliveryKey) OR (event_id = \(eventID) AND topic = \(input.topic)))
                ORDER BY received_at
                LIMIT 1
                """, logger: logger)
            for try await existingID in existing.decode(UUID.self) {
                logger.info(
                    "store delivery already received",
                    metadata: [
                        "delivery_id": "\(existingID)", "store_id": "\(input.storeID)", "topic": "\(input.topic)",
                    ])
                return StoreDeliveryReceipt(deliveryID: existingID, duplicate: true)
            }
            throw Problem.internal("a conflicting store delivery could not be found")
        }
        try await context.record(
            NewEvent(
                type: EventType.storeDeliveryReceived, aggregateType: "store", aggregateID: input.storeID.uuidString,
                payload: StoreDeliveryReceived(
                    deliveryID: id, storeID: input.storeID, platform: input.platform, topic: input.topic)),
            on: connection)
        logger.info(
            "store delivery received",
            metadata: [
                "delivery_id": "\(id)", "store_id": "\(input.storeID)", "platform": "\(platform)",
                "topic": "\(input.topic)",
            ])
        return StoreDeliveryReceipt(deliveryID: id, duplicate: false)
    }
}

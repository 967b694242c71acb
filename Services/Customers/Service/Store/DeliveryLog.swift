import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// What operators see of the store-delivery inbox: a store's deliveries and their outcomes
/// (`customers.list_deliveries`), and applying a failed one again (`customers.retry_delivery`).
struct DeliveryLog: Sendable {
    private static let columns = """
        id, store_id, platform, topic, delivery_key, event_id, triggered_at, received_at, applied_at, outcome, error,
        customer_id, (extract(epoch FROM received_at) * 1000000)::bigint
        """
    private typealias Row = (
        UUID, UUID, String, String, String, String?, Date?, Date, Date?, String?, String?, UUID?, Int64
    )

    /// A page of `input.storeID`'s deliveries, newest received first.
    func page(_ input: ListStoreDeliveries, on connection: PostgresConnection, logger: Logger) async throws
        -> Page<StoreDeliverySummary>
    {
        let cursor = input.cursor.flatMap(KeysetCursor.init(encoded:))
        let afterMicros = cursor?.createdAtMicros ?? Int64.max
        let afterID =
            cursor?.id ?? UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
        let limit = input.limit ?? 50
        let pending = input.outcome == "pending"
        let outcome = pending ? nil : input.outcome
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM customers.store_deliveries
            WHERE store_id = \(input.storeID)
              AND (\(outcome)::text IS NULL OR outcome = \(outcome))
              AND (NOT \(pending) OR applied_at IS NULL)
              AND (received_at, id) < (CASE WHEN \(afterMicros) = \(Int64.max) THEN 'infinity'::timestamptz
                                            ELSE 'epoch'::timestamptz + \(afterMicros) * interval '1 microsecond' END,
                                       \(afterID))
            ORDER BY received_at DESC, id DESC
            LIMIT \(limit + 1)
            """, logger: logger)
        var found: [(StoreDeliverySummary, Int64)] = []
        for try await row in rows.decode(Row.self) { found.append((Self.summary(row), row.12)) }
        let page = Array(found.prefix(limit))
        let next =
            found.count > limit ? page.last.map { KeysetCursor(createdAtMicros: $0.1, id: $0.0.id).encoded } : nil
        return Page(items: page.map(\.0), nextCursor: next)
    }

    /// Makes the failed delivery `input.deliveryID` pending again and announces it, so the store-sync consumer applies
    /// it anew; a pending one is answered as it is.
    func retry(_ input: RetryStoreDelivery, context: OperationContext, on connection: PostgresConnection)
        async throws -> StoreDeliverySummary
    {
        let logger = context.logger
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM customers.store_deliveries
            WHERE id = \(input.deliveryID) AND store_id = \(input.storeID)
            FOR UPDATE
            """, logger: logger)
        var stored: StoreDeliverySummary?
        for try await row in rows.decode(Row.self) { stored = Self.summary(row) }
        guard var delivery = stored else {
            throw Problem.notFound("store \(input.storeID) has no delivery \(input.deliveryID)")
        }
        if delivery.appliedAt == nil { return delivery }
        guard delivery.outcome == "failed" else {
            throw Problem.conflict(
                "delivery \(delivery.id) ended \(delivery.outcome ?? "unknown"); only a failed delivery is retried",
                code: "delivery_not_failed")
        }
        try await connection.query(
            """
            UPDATE customers.store_deliveries SET applied_at = NULL, outcome = NULL, error = NULL
            WHERE id = \(delivery.id)
            """, logger: logger)
        try await context.record(
            NewEvent(
                type: EventType.storeDeliveryReceived, aggregateType: "store", aggregateID: input.storeID.uuidString,
                payload: StoreDeliveryReceived(
                    deliveryID: delivery.id, storeID: delivery.storeID, platform: delivery.platform,
                    topic: delivery.topic)),
            on: connection)
        logger.info(
            "store delivery queued again", metadata: ["delivery_id": "\(delivery.id)", "topic": "\(delivery.topic)"])
        (delivery.appliedAt, delivery.outcome, delivery.error) = (nil, nil, nil)
        return delivery
    }

    private static func summary(_ row: Row) -> StoreDeliverySummary {
        StoreDeliverySummary(
            id: row.0, storeID: row.1, platform: StorePlatform(rawValue: row.2) ?? .shopify, topic: row.3,
            deliveryKey: row.4, eventID: row.5, triggeredAt: row.6, receivedAt: row.7, appliedAt: row.8,
            outcome: row.9, error: row.10, customerID: row.11)
    }
}

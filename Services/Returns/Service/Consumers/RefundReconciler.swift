import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The `returns.refunds` consumer: `order.refunded` (the platform's webhook, mirrored by customers) records the
/// platform's refund and confirms the oldest refund of this service awaiting the platform for the same order,
/// amount and currency. A refund nobody here started is recorded too: it lowers what is left to refund.
enum RefundReconciler {
    static func handlers() -> EventHandlers {
        var handlers = EventHandlers()
        handlers.on(EventType.orderRefunded) { event, connection, logger in
            let payload = try event.decode(OrderEvent.self)
            guard let platformRefundID = payload.platformRefundID else { return }
            try await reconcile(payload, platformRefundID: platformRefundID, on: connection, logger: logger)
        }
        return handlers
    }

    static func reconcile(
        _ payload: OrderEvent, platformRefundID: Int64, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let inserted = try await connection.query(
            """
            INSERT INTO returns.platform_refunds (order_id, platform_refund_id, amount_minor, currency)
            VALUES (\(payload.orderID), \(platformRefundID), \(payload.amount.amountMinor), \(payload.amount.currency))
            ON CONFLICT DO NOTHING RETURNING platform_refund_id
            """, logger: logger)
        var fresh = false
        for try await _ in inserted.decode(Int64.self) { fresh = true }
        guard fresh else { return }
        let rows = try await connection.query(
            """
            WITH candidate AS (
                SELECT id FROM returns.refunds
                WHERE order_id = \(payload.orderID) AND status = 'awaiting_platform'
                  AND amount_minor = \(payload.amount.amountMinor) AND currency = \(payload.amount.currency)
                ORDER BY created_at, id LIMIT 1 FOR UPDATE)
            UPDATE returns.refunds f SET status = 'confirmed', platform_refund_id = \(platformRefundID),
                confirmed_at = now()
            FROM candidate WHERE f.id = candidate.id
            RETURNING f.id
            """, logger: logger)
        var matched: UUID?
        for try await id in rows.decode(UUID.self) { matched = id }
        guard let matched else {
            logger.info(
                "platform refund recorded (not started here)",
                metadata: ["order_id": "\(payload.orderID)", "platform_refund_id": "\(platformRefundID)"])
            return
        }
        try await connection.query(
            """
            UPDATE returns.platform_refunds SET refund_id = \(matched)
            WHERE order_id = \(payload.orderID) AND platform_refund_id = \(platformRefundID)
            """, logger: logger)
        logger.info(
            "refund confirmed by the platform",
            metadata: ["refund_id": "\(matched)", "platform_refund_id": "\(platformRefundID)"])
    }
}

/// The `returns.sales` consumer: `order.paid` records the order's lines as sold, the denominator of the return
/// and refund rates (returns reads no other schema).
enum SalesLedger {
    static func handlers() -> EventHandlers {
        var handlers = EventHandlers()
        handlers.on(EventType.orderPaid) { event, connection, logger in
            let payload = try event.decode(OrderEvent.self)
            for line in payload.lines {
                try await connection.query(
                    """
                    INSERT INTO returns.sold_lines (
                        order_id, platform_line_id, store_id, customer_id, sku, quantity, amount_minor, currency, sold_at)
                    VALUES (
                        \(payload.orderID), \(line.platformLineID), \(payload.storeID), \(payload.customerID), \(line.sku),
                        \(line.quantity), \(line.amountMinor), \(payload.amount.currency), \(event.occurredAt))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
        }
        return handlers
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// Publishes the order events each mirrored order is due, exactly once each: the order's `*_emitted_at` columns and
/// each refund's `emitted_at` remember what was published, in the same transaction as the event, so replays and
/// re-deliveries publish nothing.
struct OrderEventEmitter: Sendable {
    let events = EventStore(source: "customers")

    private struct State {
        var id: UUID
        var number: String
        var customerID: UUID?
        var currency: String
        var totalMinor: Int64
        var financialStatus: String?
        var fulfillmentStatus: String?
        var state: String
        var paid: Bool
        var fulfilled: Bool
        var cancelled: Bool
    }

    /// The financial statuses that mean the order was paid at some point.
    static let paidStatuses: Set<String> = ["paid", "partially_refunded", "refunded"]

    /// Appends what the order of `platformOrderID` is due: `order.created` when `created`, then `order.paid`,
    /// `order.fulfilled`, one `order.refunded` per refund not yet published, `order.cancelled`. Nothing when the
    /// order is not mirrored yet (its refunds are published once it is). Returns the types appended.
    @discardableResult
    func emitDue(
        storeID: UUID, platform: StorePlatform, platformOrderID: Int64, created: Bool,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> [String] {
        guard let order = try await state(storeID: storeID, platformOrderID: platformOrderID, connection, logger)
        else { return [] }
        let lines = try await lines(storeID: storeID, platformOrderID: platformOrderID, connection, logger)
        let allLines = lines.map {
            OrderEventLine(
                platformLineID: $0.id, sku: $0.sku, quantity: $0.quantity,
                amountMinor: $0.unitPriceMinor * Int64($0.quantity) - $0.discountMinor, productID: $0.productID,
                tags: $0.tags, categories: $0.categories)
        }
        func event(
            amount: Int64, lines: [OrderEventLine], refundID: Int64? = nil, tracking: (String?, String?) = (nil, nil)
        ) -> OrderEvent {
            OrderEvent(
                orderID: order.id, storeID: storeID, platform: platform, platformOrderID: platformOrderID,
                number: order.number, customerID: order.customerID,
                amount: Money(amountMinor: amount, currency: order.currency), lines: lines,
                platformRefundID: refundID, trackingNumber: tracking.0, trackingURL: tracking.1)
        }
        var emitted: [String] = []
        func append(_ type: String, _ payload: OrderEvent) async throws {
            _ = try await events.append(
                NewEvent(type: type, aggregateType: "order", aggregateID: order.id.uuidString, payload: payload),
                traceparent: nil, on: connection, logger: logger)
            emitted.append(type)
        }
        if created {
            try await append(EventType.orderCreated, event(amount: order.totalMinor, lines: allLines))
        }
        if !order.paid, let status = order.financialStatus, Self.paidStatuses.contains(status) {
            try await append(EventType.orderPaid, event(amount: order.totalMinor, lines: allLines))
            try await mark("paid_emitted_at", order.id, connection, logger)
        }
        if !order.fulfilled, order.fulfillmentStatus == "fulfilled" {
            let tracking = try await newestTracking(
                storeID: storeID, platformOrderID: platformOrderID, connection, logger)
            try await append(
                EventType.orderFulfilled, event(amount: order.totalMinor, lines: allLines, tracking: tracking))
            try await mark("fulfilled_emitted_at", order.id, connection, logger)
        }
        let byID = Dictionary(lines.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for refund in try await unpublishedRefunds(
            storeID: storeID, platformOrderID: platformOrderID, connection, logger)
        {
            let refundLines = refund.lines.map {
                let line = byID[$0.platformLineID]
                return OrderEventLine(
                    platformLineID: $0.platformLineID, sku: line?.sku, quantity: $0.quantity,
                    amountMinor: $0.amountMinor ?? 0, productID: line?.productID, tags: line?.tags ?? [],
                    categories: line?.categories ?? [])
            }
            try await append(
                EventType.orderRefunded, event(amount: refund.amountMinor, lines: refundLines, refundID: refund.id))
            try await connection.query(
                """
                UPDATE customers.refunds SET emitted_at = now()
                WHERE store_id = \(storeID) AND platform_order_id = \(platformOrderID)
                  AND platform_refund_id = \(refund.id)
                """, logger: logger)
        }
        if !order.cancelled, order.state == OrderState.cancelled.rawValue {
            try await append(EventType.orderCancelled, event(amount: order.totalMinor, lines: allLines))
            try await mark("cancelled_emitted_at", order.id, connection, logger)
        }
        if !emitted.isEmpty {
            logger.info(
                "order events appended",
                metadata: ["order_id": "\(order.id)", "types": "\(emitted.joined(separator: ","))"])
        }
        return emitted
    }

    private func state(storeID: UUID, platformOrderID: Int64, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> State?
    {
        let rows = try await connection.query(
            """
            SELECT id, number, customer_id, currency, total_minor, financial_status, fulfillment_status, state,
                   paid_emitted_at IS NOT NULL, fulfilled_emitted_at IS NOT NULL, cancelled_emitted_at IS NOT NULL
            FROM customers.orders WHERE store_id = \(storeID) AND platform_order_id = \(platformOrderID)
            """, logger: logger)
        for try await row in rows.decode(
            (UUID, String, UUID?, String, Int64, String?, String?, String, Bool, Bool, Bool).self)
        {
            return State(
                id: row.0, number: row.1, customerID: row.2, currency: row.3, totalMinor: row.4,
                financialStatus: row.5, fulfillmentStatus: row.6, state: row.7, paid: row.8, fulfilled: row.9,
                cancelled: row.10)
        }
        return nil
    }

    private struct Line {
        var id: Int64
        var sku: String?
        var quantity: Int
        var unitPriceMinor: Int64
        var discountMinor: Int64
        var productID: Int64?
        var tags: [String]
        var categories: [String]
    }

    private func lines(storeID: UUID, platformOrderID: Int64, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> [Line]
    {
        let rows = try await connection.query(
            """
            SELECT l.platform_line_id, l.sku, l.quantity, l.unit_price_minor, l.discount_minor, l.product_id,
                   coalesce(p.tags, '{}'), coalesce(p.categories, '{}')
            FROM customers.order_lines l
            LEFT JOIN customers.products p ON p.store_id = l.store_id AND p.platform_product_id = l.product_id
            WHERE l.store_id = \(storeID) AND l.platform_order_id = \(platformOrderID)
            ORDER BY l.platform_line_id
            """, logger: logger)
        var lines: [Line] = []
        for try await row in rows.decode((Int64, String?, Int, Int64, Int64, Int64?, [String], [String]).self) {
            lines.append(
                Line(
                    id: row.0, sku: row.1, quantity: row.2, unitPriceMinor: row.3, discountMinor: row.4,
                    productID: row.5, tags: row.6, categories: row.7))
        }
        return lines
    }

    private func newestTracking(
        storeID: UUID, platformOrderID: Int64, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> (String?, String?) {
        let rows = try await connection.query(
            """
            SELECT tracking_number, tracking_url FROM customers.fulfillments
            WHERE store_id = \(storeID) AND platform_order_id = \(platformOrderID)
            ORDER BY created_at DESC NULLS LAST, platform_fulfillment_id DESC
            LIMIT 1
            """, logger: logger)
        for try await row in rows.decode((String?, String?).self) { return row }
        return (nil, nil)
    }

    private struct Refund {
        var id: Int64
        var amountMinor: Int64
        var lines: [LineQuantity]
    }

    private func unpublishedRefunds(
        storeID: UUID, platformOrderID: Int64, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [Refund] {
        let rows = try await connection.query(
            """
            SELECT platform_refund_id, amount_minor, lines::text FROM customers.refunds
            WHERE store_id = \(storeID) AND platform_order_id = \(platformOrderID) AND emitted_at IS NULL
            ORDER BY refunded_at NULLS LAST, platform_refund_id
            FOR UPDATE
            """, logger: logger)
        var refunds: [Refund] = []
        for try await row in rows.decode((Int64, Int64, String).self) {
            refunds.append(
                Refund(
                    id: row.0, amountMinor: row.1,
                    lines: try JSONDecoder().decode([LineQuantity].self, from: Data(row.2.utf8))))
        }
        return refunds
    }

    private func mark(_ column: String, _ orderID: UUID, _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        try await connection.query(
            "UPDATE customers.orders SET \(unescaped: column) = now() WHERE id = \(orderID)", logger: logger)
    }
}

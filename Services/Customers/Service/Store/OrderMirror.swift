import Contracts
import Foundation
import Logging
import PostgresNIO

/// Writes store orders, their lines, fulfillments and refunds into the mirror (`customers.orders` and friends).
///
/// The stale rule: an order whose stored platform `updated_at` is newer than the incoming one (the delivery's
/// trigger time when the body has none) keeps its fields; refunds, fulfillments and lines not yet known are still
/// added, keyed by their platform ids, never twice. An order of the same platform version as the stored one keeps
/// its fields as well (without being stale), and so does a partial body (one without `updated_at`) over a stored
/// order: it can only add lines, fulfillments and refunds.
struct OrderMirror: Sendable {
    /// What writing an order did.
    struct Result: Sendable {
        /// Why the stored fields were kept.
        enum Kept: Sendable {
            /// The stored version is newer.
            case stale
            /// The same platform version again.
            case sameVersion
            /// The body has no `updated_at` of its own.
            case partial
        }
        var orderID: UUID
        var inserted: Bool
        /// Nil when the incoming order's fields were written.
        var kept: Kept?
    }

    /// The stored order's id and platform `updated_at`, locked for the caller's transaction.
    func existing(storeID: UUID, platformOrderID: Int64, on connection: PostgresConnection, logger: Logger)
        async throws -> (UUID, Date?)?
    {
        let rows = try await connection.query(
            """
            SELECT id, platform_updated_at FROM customers.orders
            WHERE store_id = \(storeID) AND platform_order_id = \(platformOrderID)
            FOR UPDATE
            """, logger: logger)
        for try await row in rows.decode((UUID, Date?).self) { return row }
        return nil
    }

    /// True when an order stored with `stored` as its platform time must not be overwritten by one of `incoming`.
    static func isStale(stored: Date?, incoming: Date?) -> Bool {
        guard let stored, let incoming else { return false }
        return stored.timeIntervalSince(incoming) > Self.resolution
    }

    /// True when both times are known and the same instant (to PostgreSQL's microsecond).
    static func isSameVersion(stored: Date?, incoming: Date?) -> Bool {
        guard let stored, let incoming else { return false }
        return abs(stored.timeIntervalSince(incoming)) <= Self.resolution
    }

    /// Half of PostgreSQL's microsecond: times that went through a `timestamptz` compare equal within it.
    private static let resolution: TimeInterval = 0.000_000_5

    /// Writes `order` (see the stale rule above) with `customerID` as its customer when that is known.
    func write(
        _ order: StoreOrder, customerID: UUID?, delivery: StoredDelivery, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Result {
        let incoming = order.updatedAt ?? delivery.triggeredAt
        let current = try await existing(
            storeID: delivery.storeID, platformOrderID: order.platformOrderID, on: connection, logger: logger)
        // The same platform version again (a re-sent webhook, or `orders/paid` beside `orders/updated`) holds
        // nothing new: it keeps the stored fields too, so state derived since (a fulfillment) is not undone.
        let sameVersion = Self.isSameVersion(stored: current?.1, incoming: incoming)
        // A body without its own `updated_at` is partial (a hand-made or truncated payload): it cannot be ordered
        // against the stored version and its missing fields decode as empty, so over a stored order it only adds.
        let partial = order.updatedAt == nil
        if let current, partial || sameVersion || Self.isStale(stored: current.1, incoming: incoming) {
            try await insertLines(order, storeID: delivery.storeID, replace: false, on: connection, logger: logger)
            for fulfillment in order.fulfillments {
                _ = try await upsert(
                    fulfillment, platformOrderID: order.platformOrderID, storeID: delivery.storeID, overwrite: false,
                    on: connection, logger: logger)
            }
            try await insertRefunds(order, storeID: delivery.storeID, on: connection, logger: logger)
            try await recomputeRefunded(
                storeID: delivery.storeID, platformOrderID: order.platformOrderID, on: connection, logger: logger)
            let kept: Result.Kept = sameVersion ? .sameVersion : partial ? .partial : .stale
            return Result(orderID: current.0, inserted: false, kept: kept)
        }
        let id = current?.0 ?? UUID()
        let shipping = try order.shippingAddress.map(Self.json)
        let billing = try order.billingAddress.map(Self.json)
        let placedAt = order.createdAt ?? delivery.triggeredAt ?? Date()
        let keepPlacedAt = order.createdAt == nil && current != nil
        let platform = delivery.platform.rawValue
        let presentmentCurrency = order.presentmentTotal?.currency
        let presentmentMinor = order.presentmentTotal?.amountMinor
        try await connection.query(
            """
            INSERT INTO customers.orders
                (id, store_id, platform, platform_order_id, number, customer_id, email, phone, state,
                 financial_status, fulfillment_status, currency, subtotal_minor, tax_minor, shipping_minor,
                 discount_minor, total_minor, presentment_currency, presentment_total_minor, shipping_address,
                 billing_address, tags, placed_at, platform_updated_at, cancelled_at, cancel_reason)
            VALUES (\(id), \(delivery.storeID), \(platform), \(order.platformOrderID), \(order.number), \(customerID),
                    \(order.email), \(order.phone), \(order.state.rawValue), \(order.financialStatus),
                    \(order.fulfillmentStatus), \(order.currency), \(order.subtotalMinor), \(order.taxMinor),
                    \(order.shippingMinor), \(order.discountMinor), \(order.totalMinor), \(presentmentCurrency),
                    \(presentmentMinor), \(shipping)::jsonb, \(billing)::jsonb, \(order.tags), \(placedAt),
                    \(incoming), \(order.cancelledAt), \(order.cancelReason))
            ON CONFLICT (store_id, platform_order_id) DO UPDATE SET
                number = EXCLUDED.number,
                customer_id = coalesce(EXCLUDED.customer_id, customers.orders.customer_id),
                email = EXCLUDED.email, phone = EXCLUDED.phone, state = EXCLUDED.state,
                financial_status = EXCLUDED.financial_status, fulfillment_status = EXCLUDED.fulfillment_status,
                currency = EXCLUDED.currency, subtotal_minor = EXCLUDED.subtotal_minor, tax_minor = EXCLUDED.tax_minor,
                shipping_minor = EXCLUDED.shipping_minor, discount_minor = EXCLUDED.discount_minor,
                total_minor = EXCLUDED.total_minor, presentment_currency = EXCLUDED.presentment_currency,
                presentment_total_minor = EXCLUDED.presentment_total_minor,
                shipping_address = EXCLUDED.shipping_address, billing_address = EXCLUDED.billing_address,
                tags = EXCLUDED.tags,
                placed_at = CASE WHEN \(keepPlacedAt) THEN customers.orders.placed_at ELSE EXCLUDED.placed_at END,
                platform_updated_at = coalesce(EXCLUDED.platform_updated_at, customers.orders.platform_updated_at),
                cancelled_at = EXCLUDED.cancelled_at, cancel_reason = EXCLUDED.cancel_reason,
                updated_at = now()
            """, logger: logger)
        try await insertLines(order, storeID: delivery.storeID, replace: true, on: connection, logger: logger)
        for fulfillment in order.fulfillments {
            _ = try await upsert(
                fulfillment, platformOrderID: order.platformOrderID, storeID: delivery.storeID, overwrite: true,
                on: connection, logger: logger)
        }
        try await insertRefunds(order, storeID: delivery.storeID, on: connection, logger: logger)
        try await recomputeRefunded(
            storeID: delivery.storeID, platformOrderID: order.platformOrderID, on: connection, logger: logger)
        return Result(orderID: id, inserted: current == nil, kept: nil)
    }

    /// Marks a mirrored order `deleted` (WooCommerce `order.deleted`); false when it is not mirrored. Its lines,
    /// refunds and fulfillments stay, and a later full version of the order sets its state again.
    func markDeleted(storeID: UUID, platformOrderID: Int64, on connection: PostgresConnection, logger: Logger)
        async throws -> Bool
    {
        let rows = try await connection.query(
            """
            UPDATE customers.orders SET state = 'deleted', updated_at = now()
            WHERE store_id = \(storeID) AND platform_order_id = \(platformOrderID)
            RETURNING id
            """, logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// Inserts or (when `overwrite` and not older than the stored one) updates a fulfillment; false when the stored
    /// one was kept.
    func upsert(
        _ fulfillment: StoreFulfillment, platformOrderID: Int64, storeID: UUID, overwrite: Bool,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let lines = try Self.json(fulfillment.lines)
        let rows = try await connection.query(
            """
            INSERT INTO customers.fulfillments
                (store_id, platform_order_id, platform_fulfillment_id, status, shipment_status, carrier,
                 tracking_number, tracking_url, delivered_at, created_at, updated_at, lines)
            VALUES (\(storeID), \(platformOrderID), \(fulfillment.platformFulfillmentID), \(fulfillment.status),
                    \(fulfillment.shipmentStatus), \(fulfillment.carrier), \(fulfillment.trackingNumber),
                    \(fulfillment.trackingURL), \(fulfillment.deliveredAt), \(fulfillment.createdAt),
                    \(fulfillment.updatedAt), \(lines)::jsonb)
            ON CONFLICT (store_id, platform_order_id, platform_fulfillment_id) DO UPDATE SET
                status = EXCLUDED.status, shipment_status = EXCLUDED.shipment_status, carrier = EXCLUDED.carrier,
                tracking_number = EXCLUDED.tracking_number, tracking_url = EXCLUDED.tracking_url,
                delivered_at = EXCLUDED.delivered_at,
                created_at = coalesce(EXCLUDED.created_at, customers.fulfillments.created_at),
                updated_at = coalesce(EXCLUDED.updated_at, customers.fulfillments.updated_at),
                lines = EXCLUDED.lines
            WHERE \(overwrite)
              AND (customers.fulfillments.updated_at IS NULL OR EXCLUDED.updated_at IS NULL
                   OR EXCLUDED.updated_at >= customers.fulfillments.updated_at)
            RETURNING platform_fulfillment_id
            """, logger: logger)
        var written = false
        for try await _ in rows.decode(Int64.self) { written = true }
        return written
    }

    /// Inserts a refund unless it is known (refunds do not change once made).
    func insert(
        _ refund: StoreRefund, platformOrderID: Int64, storeID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let lines = try Self.json(refund.lines)
        try await connection.query(
            """
            INSERT INTO customers.refunds
                (store_id, platform_order_id, platform_refund_id, amount_minor, reason, refunded_at, lines)
            VALUES (\(storeID), \(platformOrderID), \(refund.platformRefundID), \(refund.amountMinor), \(refund.reason),
                    \(refund.createdAt), \(lines)::jsonb)
            ON CONFLICT (store_id, platform_order_id, platform_refund_id) DO NOTHING
            """, logger: logger)
    }

    /// Sets the order's `refunded_minor` to the sum of its refunds (nothing when the order is not mirrored yet).
    func recomputeRefunded(storeID: UUID, platformOrderID: Int64, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        try await connection.query(
            """
            UPDATE customers.orders o
            SET refunded_minor = (SELECT coalesce(sum(r.amount_minor), 0)::bigint FROM customers.refunds r
                                  WHERE r.store_id = o.store_id AND r.platform_order_id = o.platform_order_id)
            WHERE o.store_id = \(storeID) AND o.platform_order_id = \(platformOrderID)
            """, logger: logger)
    }

    /// After a fulfillment: marks the order `partial` or `fulfilled` from the quantities its live fulfillments
    /// cover. Only ever moves forward (never undoes the platform's own `fulfilled`).
    func deriveFulfillmentStatus(
        storeID: UUID, platformOrderID: Int64, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let rows = try await connection.query(
            """
            WITH shipped AS (
                SELECT (l ->> 'platform_line_id')::bigint AS line, sum((l ->> 'quantity')::int) AS quantity
                FROM customers.fulfillments f, jsonb_array_elements(f.lines) l
                WHERE f.store_id = \(storeID) AND f.platform_order_id = \(platformOrderID)
                  AND coalesce(f.status, 'success') NOT IN ('cancelled', 'error', 'failure')
                GROUP BY 1)
            SELECT count(*)::bigint, count(*) FILTER (WHERE coalesce(s.quantity, 0) < ol.quantity)::bigint,
                   count(s.line)::bigint
            FROM customers.order_lines ol LEFT JOIN shipped s ON s.line = ol.platform_line_id
            WHERE ol.store_id = \(storeID) AND ol.platform_order_id = \(platformOrderID)
            """, logger: logger)
        var counts: (Int64, Int64, Int64) = (0, 0, 0)
        for try await row in rows.decode((Int64, Int64, Int64).self) { counts = row }
        let (lines, short, touched) = counts
        guard lines > 0, touched > 0 else { return }
        let status = short == 0 ? "fulfilled" : "partial"
        try await connection.query(
            """
            UPDATE customers.orders SET fulfillment_status = \(status), updated_at = now()
            WHERE store_id = \(storeID) AND platform_order_id = \(platformOrderID)
              AND coalesce(fulfillment_status, 'unfulfilled') <> 'fulfilled'
              AND (\(status) = 'fulfilled' OR coalesce(fulfillment_status, 'unfulfilled') = 'unfulfilled')
            """, logger: logger)
    }

    private func insertLines(
        _ order: StoreOrder, storeID: UUID, replace: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws {
        if replace {
            try await connection.query(
                """
                DELETE FROM customers.order_lines
                WHERE store_id = \(storeID) AND platform_order_id = \(order.platformOrderID)
                """, logger: logger)
        }
        for line in order.lines {
            try await connection.query(
                """
                INSERT INTO customers.order_lines
                    (store_id, platform_order_id, platform_line_id, product_id, variant_id, sku, title, variant_title,
                     quantity, unit_price_minor, discount_minor)
                VALUES (\(storeID), \(order.platformOrderID), \(line.platformLineID), \(line.productID),
                        \(line.variantID), \(line.sku), \(line.title), \(line.variantTitle), \(line.quantity),
                        \(line.unitPriceMinor), \(line.discountMinor))
                ON CONFLICT (store_id, platform_order_id, platform_line_id) DO NOTHING
                """, logger: logger)
        }
    }

    private func insertRefunds(_ order: StoreOrder, storeID: UUID, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        for refund in order.refunds {
            try await insert(
                refund, platformOrderID: order.platformOrderID, storeID: storeID, on: connection, logger: logger)
        }
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}

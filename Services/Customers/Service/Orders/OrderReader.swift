import Contracts
import Foundation
import Logging
import PostgresNIO
import Wire

/// Reads mirrored orders (the read model of `customers.get_order`, `find_order` and `list_orders`).
public struct OrderReader: Sendable {
    public init() {}

    private static let columns = """
        id, store_id, platform, platform_order_id, number, customer_id, email, state, financial_status,
        fulfillment_status, currency,
        ARRAY[subtotal_minor, tax_minor, shipping_minor, discount_minor, total_minor, refunded_minor],
        presentment_currency, presentment_total_minor, shipping_address::text, tags, placed_at, platform_updated_at,
        cancelled_at, (extract(epoch FROM placed_at) * 1000000)::bigint
        """

    private typealias Header = (
        UUID, UUID, String, Int64, String, UUID?, String?, String, String?, String?, String, [Int64], String?, Int64?,
        String?, [String], Date, Date?, Date?, Int64
    )

    /// The order with `id`, or nil.
    public func find(id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Order? {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM customers.orders WHERE id = \(id)", logger: logger)
        return try await orders(rows, on: connection, logger: logger).first?.0
    }

    /// The order numbered `number` (case-insensitive, with or without a leading `#`) whose email is `email`
    /// (case-insensitive); the most recently placed one when several stores share a number.
    public func find(number: String, email: String, on connection: PostgresConnection, logger: Logger) async throws
        -> Order?
    {
        let bare = Self.bareNumber(number).lowercased()
        let candidates = [bare, "#" + bare]
        let normalizedEmail = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM customers.orders
            WHERE lower(number) = ANY(\(candidates)) AND lower(email) = \(normalizedEmail)
            ORDER BY placed_at DESC, id DESC
            LIMIT 1
            """, logger: logger)
        return try await orders(rows, on: connection, logger: logger).first?.0
    }

    /// A page of `customerID`'s orders, newest placed first.
    public func page(
        customerID: UUID, limit: Int, after cursor: KeysetCursor?, on connection: PostgresConnection, logger: Logger
    ) async throws -> Page<Order> {
        let afterMicros = cursor?.createdAtMicros ?? Int64.max
        let afterID =
            cursor?.id ?? UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
        let fetch = limit + 1
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM customers.orders
            WHERE customer_id = \(customerID)
              AND (placed_at, id) < (CASE WHEN \(afterMicros) = \(Int64.max) THEN 'infinity'::timestamptz
                                          ELSE 'epoch'::timestamptz + \(afterMicros) * interval '1 microsecond' END,
                                     \(afterID))
            ORDER BY placed_at DESC, id DESC
            LIMIT \(fetch)
            """, logger: logger)
        let found = try await orders(rows, on: connection, logger: logger)
        let page = Array(found.prefix(limit))
        let next =
            found.count > limit
            ? page.last.map { KeysetCursor(createdAtMicros: $0.1, id: $0.0.id).encoded } : nil
        return Page(items: page.map(\.0), nextCursor: next)
    }

    /// `#1001`, `1001` and ` #1001 ` all become `1001`.
    static func bareNumber(_ number: String) -> String {
        var text = number.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasPrefix("#") { text.removeFirst() }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func orders(_ rows: PostgresRowSequence, on connection: PostgresConnection, logger: Logger) async throws
        -> [(Order, Int64)]
    {
        var headers: [Header] = []
        for try await row in rows.decode(Header.self) { headers.append(row) }
        var result: [(Order, Int64)] = []
        for header in headers {
            result.append((try await order(header, on: connection, logger: logger), header.19))
        }
        return result
    }

    private func order(_ row: Header, on connection: PostgresConnection, logger: Logger) async throws -> Order {
        let (storeID, platformOrderID, currency) = (row.1, row.3, row.10)
        func money(_ index: Int) -> Money {
            Money(amountMinor: row.11.indices.contains(index) ? row.11[index] : 0, currency: currency)
        }
        var presentment: Money?
        if let presentmentCurrency = row.12, let presentmentMinor = row.13 {
            presentment = Money(amountMinor: presentmentMinor, currency: presentmentCurrency)
        }
        let address = try row.14.map { try JSONDecoder().decode(PostalAddress?.self, from: Data($0.utf8)) } ?? nil
        return Order(
            id: row.0, storeID: storeID, platform: StorePlatform(rawValue: row.2) ?? .shopify,
            platformOrderID: platformOrderID, number: row.4, customerID: row.5, email: row.6,
            state: OrderState(rawValue: row.7) ?? .open, financialStatus: row.8, fulfillmentStatus: row.9,
            subtotal: money(0), tax: money(1), shipping: money(2), discount: money(3), total: money(4),
            refunded: money(5), presentmentTotal: presentment,
            lines: try await lines(storeID, platformOrderID, currency: currency, on: connection, logger: logger),
            fulfillments: try await fulfillments(storeID, platformOrderID, on: connection, logger: logger),
            refunds: try await refunds(storeID, platformOrderID, currency: currency, on: connection, logger: logger),
            shippingAddress: address, tags: row.15, placedAt: row.16, updatedAt: row.17, cancelledAt: row.18)
    }

    private func lines(
        _ storeID: UUID, _ platformOrderID: Int64, currency: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> [OrderLine] {
        let rows = try await connection.query(
            """
            SELECT l.platform_line_id, l.product_id, l.variant_id, l.sku, l.title, l.variant_title, l.quantity,
                   l.unit_price_minor, l.discount_minor, coalesce(p.tags, '{}'), coalesce(p.categories, '{}')
            FROM customers.order_lines l
            LEFT JOIN customers.products p ON p.store_id = l.store_id AND p.platform_product_id = l.product_id
            WHERE l.store_id = \(storeID) AND l.platform_order_id = \(platformOrderID)
            ORDER BY l.platform_line_id
            """, logger: logger)
        var lines: [OrderLine] = []
        for try await row in rows.decode(
            (Int64, Int64?, Int64?, String?, String, String?, Int, Int64, Int64, [String], [String]).self)
        {
            lines.append(
                OrderLine(
                    platformLineID: row.0, productID: row.1, variantID: row.2, sku: row.3, title: row.4,
                    variantTitle: row.5, quantity: row.6, unitPrice: Money(amountMinor: row.7, currency: currency),
                    discount: Money(amountMinor: row.8, currency: currency), tags: row.9, categories: row.10))
        }
        return lines
    }

    private func fulfillments(
        _ storeID: UUID, _ platformOrderID: Int64, on connection: PostgresConnection, logger: Logger
    ) async throws -> [OrderFulfillment] {
        let rows = try await connection.query(
            """
            SELECT platform_fulfillment_id, status, shipment_status, carrier, tracking_number, tracking_url,
                   delivered_at, created_at, lines::text
            FROM customers.fulfillments
            WHERE store_id = \(storeID) AND platform_order_id = \(platformOrderID)
            ORDER BY created_at NULLS LAST, platform_fulfillment_id
            """, logger: logger)
        var fulfillments: [OrderFulfillment] = []
        for try await row in rows.decode(
            (Int64, String?, String?, String?, String?, String?, Date?, Date?, String).self)
        {
            fulfillments.append(
                OrderFulfillment(
                    platformFulfillmentID: row.0, status: row.1, shipmentStatus: row.2, carrier: row.3,
                    trackingNumber: row.4, trackingURL: row.5, deliveredAt: row.6, createdAt: row.7,
                    lines: try JSONDecoder().decode([LineQuantity].self, from: Data(row.8.utf8))))
        }
        return fulfillments
    }

    private func refunds(
        _ storeID: UUID, _ platformOrderID: Int64, currency: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> [OrderRefund] {
        let rows = try await connection.query(
            """
            SELECT platform_refund_id, amount_minor, reason, refunded_at, lines::text
            FROM customers.refunds
            WHERE store_id = \(storeID) AND platform_order_id = \(platformOrderID)
            ORDER BY refunded_at NULLS LAST, platform_refund_id
            """, logger: logger)
        var refunds: [OrderRefund] = []
        for try await row in rows.decode((Int64, Int64, String?, Date?, String).self) {
            refunds.append(
                OrderRefund(
                    platformRefundID: row.0, amount: Money(amountMinor: row.1, currency: currency), reason: row.2,
                    refundedAt: row.3, lines: try JSONDecoder().decode([LineQuantity].self, from: Data(row.4.utf8))))
        }
        return refunds
    }
}

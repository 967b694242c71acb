import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// `order.paid` earns pending points per the rules in force; refunds reverse them pro rata per line.
///
/// Earning basis: each line's `amount_minor` (unit price × quantity − the line's discounts: shipping and tax are
/// not in it), or with `include_shipping_and_tax` the order total, whose extra part earns at the base rate only.
public struct OrderEarning: Sendable {
    let ledger = Ledger()
    let rules = RuleStore()
    let tiers = TierEvaluator()

    public init() {}

    /// Earns the order's points once (a replay finds the order's row and changes nothing). Returns the points.
    @discardableResult
    public func earn(
        _ order: OrderEvent, paidAt: Date, events: LoyaltyEventSink, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Int64 {
        guard let customerID = order.customerID else { return 0 }
        let version = try await rules.current(on: connection, logger: logger)
        let calculator = EarnCalculator(rules: version.rules)
        let tierPercent = try await tiers.earnPercent(
            customerID: customerID, rules: version.rules, on: connection, logger: logger)
        let campaignPercent = calculator.campaignPercent(at: paidAt)
        var linePoints: [(OrderEventLine, Int64)] = []
        for line in order.lines {
            linePoints.append(
                (
                    line,
                    calculator.points(
                        amountMinor: line.amountMinor, linePercent: calculator.linePercent(line),
                        tierPercent: tierPercent, campaignPercent: campaignPercent)
                ))
        }
        let linesTotal = order.lines.reduce(Int64(0)) { $0 + $1.amountMinor }
        var basis = linesTotal
        var extraPoints: Int64 = 0
        if version.rules.includeShippingAndTax, order.amount.amountMinor > linesTotal {
            basis = order.amount.amountMinor
            extraPoints = calculator.points(
                amountMinor: order.amount.amountMinor - linesTotal, linePercent: 100, tierPercent: tierPercent,
                campaignPercent: campaignPercent)
        }
        let total = linePoints.reduce(extraPoints) { $0 + $1.1 }
        let claimed = try await connection.query(
            """
            INSERT INTO loyalty.order_earnings (order_id, customer_id, number, rule_version, tier_percent, currency,
                                                points, paid_at)
            VALUES (\(order.orderID), \(customerID), \(order.number), \(version.version), \(tierPercent),
                    \(order.amount.currency), \(total), \(paidAt))
            ON CONFLICT (order_id) DO NOTHING RETURNING order_id
            """, logger: logger)
        var first = false
        for try await _ in claimed.decode(UUID.self) { first = true }
        guard first else { return 0 }
        try await connection.query(
            """
            INSERT INTO loyalty.order_payments (order_id, customer_id, number, paid_at)
            VALUES (\(order.orderID), \(customerID), \(order.number), \(paidAt)) ON CONFLICT DO NOTHING
            """, logger: logger)
        for (line, points) in linePoints {
            try await connection.query(
                """
                INSERT INTO loyalty.order_lines (order_id, platform_line_id, sku, quantity, amount_minor, points)
                VALUES (\(order.orderID), \(line.platformLineID), \(line.sku), \(line.quantity), \(line.amountMinor),
                        \(points))
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
        guard total > 0 else { return 0 }
        let entry = NewLedgerEntry(
            customerID: customerID, kind: "earn", source: "order", sourceID: order.orderID.uuidString,
            from: LedgerAccount.issued, to: LedgerAccount.pending, amount: total,
            key: "earn:order:\(order.orderID)", lifetimeDelta: total, spendMinorDelta: basis,
            ruleVersion: version.version, orderID: order.orderID,
            memo: "order \(order.number), rules v\(version.version)")
        guard let posted = try await ledger.post(entry, on: connection, logger: logger) else { return 0 }
        try await events.entry(entry, posted, summary: "Earned \(total) points (pending) on order \(order.number)")
        try await tiers.evaluate(
            customerID: customerID, rules: version.rules, now: Date(), events: events, on: connection, logger: logger)
        logger.info("order points earned", metadata: ["order_id": "\(order.orderID)", "points": "\(total)"])
        return total
    }

    /// Counts a refund of `lines` (quantities per platform line) by `source` once under `refundKey`, then reverses
    /// what the counts now call for.
    ///
    /// A refund made through the returns service comes back from the platform as `order.refunded` too; so each
    /// line's target is the larger of the two sources' refunded quantities (never their sum), capped at the line's
    /// quantity, and only what exceeds the quantity already reversed is reversed now.
    @discardableResult
    public func refund(
        orderID: UUID, lines: [(platformLineID: Int64, quantity: Int)], byReturns: Bool, refundKey: String,
        sourceID: String, cancelled: Bool = false, events: LoyaltyEventSink, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Int64 {
        let earning = try await connection.query(
            """
            SELECT customer_id, number, rule_version, released_at IS NOT NULL FROM loyalty.order_earnings
            WHERE order_id = \(orderID) FOR UPDATE
            """, logger: logger)
        var found: (UUID, String, Int, Bool)?
        for try await row in earning.decode((UUID, String, Int, Bool).self) { found = row }
        guard let (customerID, number, ruleVersion, released) = found else { return 0 }
        let claimed = try await connection.query(
            """
            INSERT INTO loyalty.refunds_applied (refund_key, order_id) VALUES (\(refundKey), \(orderID))
            ON CONFLICT DO NOTHING RETURNING order_id
            """, logger: logger)
        var first = false
        for try await _ in claimed.decode(UUID.self) { first = true }
        guard first else { return 0 }
        for line in lines where line.quantity > 0 {
            if byReturns {
                try await connection.query(
                    """
                    UPDATE loyalty.order_lines SET refunded_by_returns = refunded_by_returns + \(line.quantity)
                    WHERE order_id = \(orderID) AND platform_line_id = \(line.platformLineID)
                    """, logger: logger)
            } else {
                try await connection.query(
                    """
                    UPDATE loyalty.order_lines SET refunded_by_platform = refunded_by_platform + \(line.quantity)
                    WHERE order_id = \(orderID) AND platform_line_id = \(line.platformLineID)
                    """, logger: logger)
            }
        }
        // Reverse up to the target, pro rata: the cumulative share points × target / quantity, rounded down, so
        // a fully refunded line reverses exactly what it earned however the refunds were split.
        let rows = try await connection.query(
            """
            WITH due AS (
                SELECT platform_line_id, points, quantity, amount_minor, reversed_quantity AS old_quantity,
                       reversed_points AS old_points,
                       least(quantity, greatest(refunded_by_returns, refunded_by_platform)) AS target
                FROM loyalty.order_lines WHERE order_id = \(orderID)
            )
            UPDATE loyalty.order_lines l
            SET reversed_quantity = d.target, reversed_points = (d.points * d.target) / greatest(d.quantity, 1)
            FROM due d
            WHERE l.order_id = \(orderID) AND l.platform_line_id = d.platform_line_id AND d.target > d.old_quantity
            RETURNING (d.points * d.target) / greatest(d.quantity, 1) - d.old_points,
                      d.target - d.old_quantity,
                      (d.amount_minor * d.target) / greatest(d.quantity, 1)
                        - (d.amount_minor * d.old_quantity) / greatest(d.quantity, 1)
            """, logger: logger)
        var points: Int64 = 0
        var units = 0
        var spend: Int64 = 0
        for try await row in rows.decode((Int64, Int, Int64).self) {
            points += row.0
            units += row.1
            spend += row.2
        }
        guard points > 0 else { return 0 }
        let entry = NewLedgerEntry(
            customerID: customerID, kind: "reverse", source: byReturns ? "return" : "order", sourceID: sourceID,
            from: released ? LedgerAccount.available : LedgerAccount.pending, to: LedgerAccount.issued,
            amount: points, key: "reverse:\(refundKey)", lifetimeDelta: -points, spendMinorDelta: -spend,
            ruleVersion: ruleVersion, orderID: orderID,
            memo: "order \(number), \(units) unit(s) \(cancelled ? "cancelled" : "refunded")")
        guard let posted = try await ledger.post(entry, on: connection, logger: logger) else { return 0 }
        let owed = posted.balances.available < 0 ? " (\(-posted.balances.available) points owed)" : ""
        try await events.entry(
            entry, posted,
            summary:
                "Reversed \(points) points on order \(number): \(cancelled ? "order cancelled" : "\(units) unit(s) refunded")\(owed)"
        )
        let current = try await rules.current(on: connection, logger: logger)
        try await tiers.evaluate(
            customerID: customerID, rules: current.rules, now: Date(), events: events, on: connection, logger: logger)
        return points
    }
}

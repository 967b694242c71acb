import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `returns.analytics` (staff): return and refund rates by product, reason, period or customer; time from
/// request to refund; top reasons; customers with unusual return behaviour. Definitions: docs/returns.md
/// "Analytics".
enum ReturnAnalyticsQuery {
    /// Unusual: at least this many returns in the period ...
    static let unusualMinimumReturns = 3
    /// ... and at least this share of the units they bought in it sent back (or bought nothing in it).
    static let unusualShare = 0.5

    static func register(_ router: inout OperationRouter, _ database: Database) {
        router.query(Operation.Returns.analytics, GetReturnAnalytics.self) { input, context in
            try context.requireStaff()
            return try await database.withConnection { connection in
                try await analytics(input, on: connection, logger: context.logger)
            }
        }
    }

    static func analytics(_ input: GetReturnAnalytics, on connection: PostgresConnection, logger: Logger) async throws
        -> ReturnAnalytics
    {
        let overall =
            try await stats(input, key: nil, on: connection, logger: logger).first
            ?? ReturnStats(
                key: nil, unitsSold: 0, unitsReturned: 0, returns: 0, soldMinor: 0, refundedMinor: 0,
                meanSecondsToRefund: nil)
        var groups: [ReturnStats] = []
        if let key = input.groupBy { groups = try await stats(input, key: key, on: connection, logger: logger) }
        return ReturnAnalytics(
            from: input.from, to: input.to, overall: overall, groups: groups,
            topReasons: try await reasons(input, on: connection, logger: logger),
            unusualCustomers: try await unusual(input, on: connection, logger: logger))
    }

    /// The SQL key of a grouping over sold lines `s` and return lines `l` of returns `r`.
    static func keys(_ groupBy: String?) -> (sold: String, returned: String) {
        switch groupBy {
        case "product": ("coalesce(s.sku, '(no sku)')", "coalesce(l.sku, '(no sku)')")
        case "reason": ("NULL::text", "coalesce(l.reason_code, r.reason_code, 'unknown')")
        case "period":
            ("to_char(s.sold_at AT TIME ZONE 'UTC', 'YYYY-MM')", "to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM')")
        case "customer": ("s.customer_id::text", "r.customer_id::text")
        default: ("'all'::text", "'all'::text")
        }
    }

    static func stats(_ input: GetReturnAnalytics, key: String?, on connection: PostgresConnection, logger: Logger)
        async throws -> [ReturnStats]
    {
        let (soldKey, returnedKey) = keys(key)
        let rows = try await connection.query(
            """
            WITH sold AS (
                SELECT \(unescaped: soldKey) AS k, sum(s.quantity)::bigint AS units, sum(s.amount_minor)::bigint AS amount
                FROM returns.sold_lines s
                WHERE s.sold_at >= \(input.from) AND s.sold_at < \(input.to)
                  AND (\(input.storeID)::uuid IS NULL OR s.store_id = \(input.storeID))
                GROUP BY 1),
            returned AS (
                SELECT \(unescaped: returnedKey) AS k, sum(l.quantity)::bigint AS units, count(DISTINCT r.id)::bigint AS n,
                       coalesce(sum(l.refund_minor) FILTER (WHERE f.resolution IN ('refund', 'store_credit')), 0)::bigint
                           AS refunded,
                       avg(extract(epoch FROM f.created_at - r.created_at))
                           FILTER (WHERE f.resolution IN ('refund', 'store_credit'))::float8 AS seconds
                FROM returns.returns r
                JOIN returns.return_lines l ON l.return_id = r.id
                LEFT JOIN returns.refunds f ON f.return_id = r.id
                WHERE r.created_at >= \(input.from) AND r.created_at < \(input.to)
                  AND r.status NOT IN ('declined', 'cancelled')
                  AND (\(input.storeID)::uuid IS NULL OR r.store_id = \(input.storeID))
                GROUP BY 1)
            SELECT coalesce(sold.k, returned.k), coalesce(sold.units, 0)::bigint, coalesce(returned.units, 0)::bigint,
                   coalesce(returned.n, 0)::bigint, coalesce(sold.amount, 0)::bigint,
                   coalesce(returned.refunded, 0)::bigint, returned.seconds
            FROM sold FULL JOIN returned ON sold.k = returned.k
            WHERE coalesce(sold.k, returned.k) IS NOT NULL
            ORDER BY coalesce(returned.units, 0) DESC, 1
            LIMIT 500
            """, logger: logger)
        var stats: [ReturnStats] = []
        for try await row in rows.decode((String, Int64, Int64, Int64, Int64, Int64, Double?).self) {
            stats.append(
                ReturnStats(
                    key: key == nil ? nil : row.0, unitsSold: Int(row.1), unitsReturned: Int(row.2),
                    returns: Int(row.3),
                    soldMinor: row.4, refundedMinor: row.5, meanSecondsToRefund: row.6))
        }
        return stats
    }

    static func reasons(_ input: GetReturnAnalytics, on connection: PostgresConnection, logger: Logger) async throws
        -> [ReasonCount]
    {
        let rows = try await connection.query(
            """
            SELECT coalesce(l.reason_code, r.reason_code, 'unknown'), count(*)::bigint
            FROM returns.returns r JOIN returns.return_lines l ON l.return_id = r.id
            WHERE r.created_at >= \(input.from) AND r.created_at < \(input.to)
              AND r.status NOT IN ('declined', 'cancelled')
              AND (\(input.storeID)::uuid IS NULL OR r.store_id = \(input.storeID))
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10
            """, logger: logger)
        var reasons: [ReasonCount] = []
        for try await (reason, count) in rows.decode((String, Int64).self) {
            reasons.append(ReasonCount(reason: reason, lines: Int(count)))
        }
        return reasons
    }

    static func unusual(_ input: GetReturnAnalytics, on connection: PostgresConnection, logger: Logger) async throws
        -> [UnusualReturner]
    {
        let rows = try await connection.query(
            """
            WITH returned AS (
                SELECT r.customer_id, count(DISTINCT r.id)::bigint AS n, sum(l.quantity)::bigint AS units
                FROM returns.returns r JOIN returns.return_lines l ON l.return_id = r.id
                WHERE r.created_at >= \(input.from) AND r.created_at < \(input.to)
                  AND r.status NOT IN ('declined', 'cancelled')
                  AND (\(input.storeID)::uuid IS NULL OR r.store_id = \(input.storeID))
                GROUP BY 1),
            bought AS (
                SELECT s.customer_id, sum(s.quantity)::bigint AS units FROM returns.sold_lines s
                WHERE s.sold_at >= \(input.from) AND s.sold_at < \(input.to) AND s.customer_id IS NOT NULL
                GROUP BY 1)
            SELECT returned.customer_id, returned.n, returned.units, coalesce(bought.units, 0)::bigint
            FROM returned LEFT JOIN bought ON bought.customer_id = returned.customer_id
            WHERE returned.n >= \(unusualMinimumReturns)
              AND (coalesce(bought.units, 0) = 0 OR returned.units::float8 / bought.units >= \(unusualShare))
            ORDER BY returned.n DESC, returned.customer_id LIMIT 100
            """, logger: logger)
        var customers: [UnusualReturner] = []
        for try await (customer, count, returned, bought) in rows.decode((UUID, Int64, Int64, Int64).self) {
            let share =
                bought > 0 ? " of \(bought) bought (\(returned * 100 / bought) %)" : ", none bought in the period"
            customers.append(
                UnusualReturner(
                    customerID: customer, returns: Int(count), unitsReturned: Int(returned), unitsBought: Int(bought),
                    why: "\(count) returns, \(returned) units sent back\(share)"))
        }
        return customers
    }
}

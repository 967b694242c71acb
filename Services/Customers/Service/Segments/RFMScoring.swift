import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// The batch pass that gives every customer with counted orders its RFM quintiles (`ntile(5)` over all of them,
/// formulas in `ProfileSQL`), run by the `customers.rfm` job every `CONCIERGE_CUSTOMERS_RFM_INTERVAL_S`.
///
/// Quintiles are relative to every customer, so they cannot be kept per customer the way the totals are; one pass
/// over `customers.order_totals` (one row per customer with orders, never the orders themselves) costs what a
/// single customer read used to.
struct RFMScoring: Sendable {
    /// Scores every customer; returns how many scores changed.
    @discardableResult
    func run(on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(
            """
            WITH scored AS (
                SELECT customer_id,
                       ntile(5) OVER (ORDER BY last_at, customer_id) AS recency,
                       ntile(5) OVER (ORDER BY order_count, customer_id) AS frequency,
                       ntile(5) OVER (ORDER BY main_ltv, customer_id) AS monetary
                FROM customers.order_totals),
            changed AS (
                UPDATE customers.order_totals t
                SET recency = s.recency, frequency = s.frequency, monetary = s.monetary, scored_at = now()
                FROM scored s
                WHERE s.customer_id = t.customer_id
                  AND (t.recency, t.frequency, t.monetary) IS DISTINCT FROM (s.recency, s.frequency, s.monetary)
                RETURNING 1)
            SELECT count(*)::bigint FROM changed
            """, logger: logger)
        var changed = 0
        for try await count in rows.decode(Int64.self) { changed = Int(count) }
        if changed > 0 { logger.info("RFM scores refreshed", metadata: ["changed": "\(changed)"]) }
        return changed
    }

    /// The periodic job.
    func job(interval: Duration) -> PeriodicJob {
        PeriodicJob(name: "customers.rfm", interval: interval) { connection, logger in
            try await run(on: connection, logger: logger)
        }
    }
}

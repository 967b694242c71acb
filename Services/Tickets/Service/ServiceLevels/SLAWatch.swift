import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// The periodic job that raises SLA events: `ticket.sla_near_breach` when a running target passes its near-breach
/// instant and `ticket.sla_breached` when it passes its due instant, each once per due instant (a target whose
/// deadline moved, after a pause, is announced again for the new one).
struct SLAWatch: Sendable {
    var batch = 500

    func job(interval: Duration) -> PeriodicJob {
        PeriodicJob(name: "tickets.sla_watch", interval: interval) { connection, logger in
            _ = try await run(now: Date(), on: connection, logger: logger)
        }
    }

    /// Publishes what is due at `now`; returns the events' types and tickets.
    func run(now: Date, on connection: PostgresConnection, logger: Logger) async throws -> [(String, UUID)] {
        let events = EventStore(source: TicketsService.schema)
        let rows = try await connection.query(
            """
            SELECT s.ticket_id, s.metric, s.policy, s.due_at, s.near_breach_at <= \(now), s.due_at <= \(now),
                   t.number, t.customer_id, t.priority, t.assignee_id, t.group_name
            FROM tickets.sla_targets s JOIN tickets.tickets t ON t.id = s.ticket_id
            WHERE s.phase = 'running' AND s.due_at IS NOT NULL
              AND ((s.near_breach_at <= \(now) AND s.near_breach_notified_for IS DISTINCT FROM s.due_at)
                   OR (s.due_at <= \(now) AND s.breach_notified_for IS DISTINCT FROM s.due_at))
            ORDER BY s.due_at
            LIMIT \(batch)
            FOR UPDATE OF s SKIP LOCKED
            """, logger: logger)
        typealias Row = (UUID, String, String, Date, Bool, Bool, Int64, UUID, String, UUID?, String?)
        var due: [Row] = []
        for try await row in rows.decode(Row.self) { due.append(row) }
        var published: [(String, UUID)] = []
        for row in due {
            let (ticketID, metric, policy, dueAt, near, breached) = (row.0, row.1, row.2, row.3, row.4, row.5)
            let payload = SLAEvent(
                ticketID: ticketID, number: row.6, customerID: row.7, priority: row.8, assigneeID: row.9,
                group: row.10, metric: metric, policy: policy, dueAt: dueAt)
            let type = breached ? EventType.ticketSLABreached : EventType.ticketSLANearBreach
            guard breached || near else { continue }
            _ = try await events.append(
                try NewEvent(
                    type: type, aggregateType: "ticket", aggregateID: ticketID.uuidString, payload: payload),
                traceparent: nil, on: connection, logger: logger)
            try await connection.query(
                """
                UPDATE tickets.sla_targets SET near_breach_notified_for = due_at,
                    breach_notified_for = CASE WHEN \(breached) THEN due_at ELSE breach_notified_for END,
                    breached_at = CASE WHEN \(breached) THEN coalesce(breached_at, due_at) ELSE breached_at END
                WHERE ticket_id = \(ticketID) AND metric = \(metric)
                """, logger: logger)
            published.append((type, ticketID))
        }
        if !published.isEmpty { logger.info("SLA events published", metadata: ["count": "\(published.count)"]) }
        return published
    }
}

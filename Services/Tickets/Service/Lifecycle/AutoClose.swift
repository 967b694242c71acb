import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime

/// Closes tickets that have been solved for longer than `after` (`CONCIERGE_TICKETS_AUTO_CLOSE_HOURS`, default 96):
/// each becomes `closed` with a system note, `ticket.updated` and `ticket.closed`. At most `batch` tickets a round;
/// tickets another transaction holds are left for the next round.
struct AutoClose: Sendable {
    var after: Duration
    var batch = 500

    /// The periodic job that runs it every `interval`.
    func job(interval: Duration) -> PeriodicJob {
        PeriodicJob(name: "tickets.auto_close", interval: interval) { connection, logger in
            _ = try await run(now: Date(), on: connection, logger: logger)
        }
    }

    /// Closes what is due at `now`; returns the tickets closed.
    func run(now: Date, on connection: PostgresConnection, logger: Logger) async throws -> [Ticket] {
        let repository = PostgresTicketRepository()
        let events = EventStore(source: TicketsService.schema)
        let cutoff = now.addingTimeInterval(-Self.seconds(after))
        let rows = try await connection.query(
            """
            SELECT \(unescaped: PostgresTicketRepository.ticketJSON) FROM tickets.tickets t
            WHERE t.status = 'solved' AND t.solved_at <= \(cutoff)
            ORDER BY t.solved_at, t.id
            LIMIT \(batch)
            FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var due: [Ticket] = []
        for try await text in rows.decode(String.self) {
            due.append(try PostgresTicketRepository.decode(Ticket.self, text))
        }
        var closed: [Ticket] = []
        for ticket in due {
            var next = ticket
            next.status = .closed
            next.closedAt = now
            let saved = try await repository.save(next, on: connection, logger: logger)
            try await repository.note(
                "Status: solved → closed (automatically, \(Self.hours(after)) hours after it was solved)",
                ticket: saved, on: connection, logger: logger)
            for event in try TicketEvents.events(before: ticket, after: saved, changes: ["status"]) {
                _ = try await events.append(event, traceparent: nil, on: connection, logger: logger)
            }
            try await SLATracker().refresh(ticketID: saved.id, on: connection, logger: logger)
            closed.append(saved)
        }
        if !closed.isEmpty { logger.info("solved tickets closed", metadata: ["count": "\(closed.count)"]) }
        return closed
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let parts = duration.components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }

    static func hours(_ duration: Duration) -> String {
        let hours = seconds(duration) / 3600
        return hours == hours.rounded() ? String(Int(hours)) : String(format: "%.2f", hours)
    }
}

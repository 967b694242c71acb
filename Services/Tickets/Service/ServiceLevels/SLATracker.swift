import Contracts
import Foundation
import Logging
import PostgresNIO
import SLA
import ServiceRuntime
import Wire

/// Keeps `tickets.sla_targets` in step with each ticket: after every change of a ticket its SLA clock (Shared/SLA,
/// rules in docs/sla.md) is evaluated from its status history and public messages, and the running targets' due
/// and near-breach instants are stored for the queues and the breach watcher (`SLAWatch`).
struct SLATracker: Sendable {
    /// Evaluates `ticketID`'s SLA now and stores it; nothing is stored when no SLA is defined or no policy matches.
    /// Returns the report.
    @discardableResult
    func refresh(ticketID: UUID, now: Date = Date(), on connection: PostgresConnection, logger: Logger) async throws
        -> SLAReport?
    {
        guard let (configuration, _) = try await SLAConfiguration.load(on: connection, logger: logger) else {
            return nil
        }
        let report = try await evaluate(
            ticketID: ticketID, configuration: configuration, now: now, on: connection, logger: logger)
        try await connection.query("DELETE FROM tickets.sla_targets WHERE ticket_id = \(ticketID)", logger: logger)
        guard let report else { return nil }
        var states: [SLAMetricState] = []
        if let first = report.firstReply { states.append(first) }
        if let next = report.nextReply { states.append(next) }
        if let resolution = report.resolution { states.append(resolution) }
        for state in states {
            try await connection.query(
                """
                INSERT INTO tickets.sla_targets
                    (ticket_id, metric, policy, phase, due_at, near_breach_at, breached_at, achieved_at,
                     near_breach_notified_for, breach_notified_for)
                VALUES (\(ticketID), \(state.metric.rawValue), \(report.policyID), \(state.phase.rawValue),
                        \(state.dueAt), \(state.nearBreachAt), \(state.breachedAt), \(state.achievedAt),
                        \(state.isNearBreach || state.isBreached ? state.dueAt : nil),
                        \(state.isBreached ? state.dueAt : nil))
                """, logger: logger)
        }
        return report
    }

    /// The SLA report of a ticket at `now` (nil without a matching policy).
    func evaluate(
        ticketID: UUID, configuration: SLAConfiguration, now: Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> SLAReport? {
        let rows = try await connection.query(
            """
            SELECT priority, channel, created_at, customer_segments FROM tickets.tickets WHERE id = \(ticketID)
            """, logger: logger)
        var found: (String, String, Date, [String])?
        for try await row in rows.decode((String, String, Date, [String]).self) { found = row }
        guard let (priorityName, channel, createdAt, segments) = found,
            let priority = SLAPriority(rawValue: priorityName),
            let policy = configuration.policies.policy(priority: priority, segments: Set(segments), channel: channel)
        else { return nil }
        let calendar: BusinessCalendar
        do {
            calendar = try BusinessCalendar(configuration.calendar)
        } catch {
            throw Problem.internal("the stored SLA calendar is not valid: \(error)")
        }
        var facts: [TicketFact] = []
        let changes = try await connection.query(
            """
            SELECT to_status, changed_at FROM tickets.status_changes
            WHERE ticket_id = \(ticketID) AND from_status IS NOT NULL ORDER BY changed_at, id
            """, logger: logger)
        for try await (status, at) in changes.decode((String, Date).self) {
            facts.append(.status(Self.clockStatus(status), at: at))
        }
        let messages = try await connection.query(
            """
            SELECT author_type, created_at FROM tickets.messages
            WHERE ticket_id = \(ticketID) AND public AND author_type <> 'system' ORDER BY created_at, id
            """, logger: logger)
        for try await (author, at) in messages.decode((String, Date).self) {
            facts.append(author == "agent" ? .agentReply(at: at) : .customerMessage(at: at))
        }
        facts.sort { $0.at < $1.at }
        let timeline = TicketTimeline(createdAt: createdAt, initialStatus: .new, facts: facts)
        return SLAClock(policy: policy, calendar: calendar).evaluate(timeline, at: now)
    }

    /// The clock's view of a status (`merged` stops it like `closed`).
    static func clockStatus(_ status: String) -> SLATicketStatus {
        if status == TicketStatus.merged.rawValue { return .closed }
        return SLATicketStatus(rawValue: status) ?? .open
    }
}

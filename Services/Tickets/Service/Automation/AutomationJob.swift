import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The time-based automations' job: every interval, each active automation looks at the tickets it waits for
/// (in a status for its hours, or with an SLA target near or past due) and applies its actions once per ticket and
/// occasion (the status change it waited on, or the target's due instant), recorded in `tickets.automation_runs`.
/// A refused action (a lifecycle rule) is recorded as the run's outcome and not retried.
///
/// With the process's broker client (`services`), a macro an automation applies fills its customer and order
/// placeholders (asked inside the job's transaction: a background round, not a request, holds that connection);
/// without one they stay empty and a macro that needs an order value is refused as for an agent.
struct AutomationJob: Sendable {
    var batch = 200
    var services: ServiceClient? = nil

    func job(interval: Duration) -> PeriodicJob {
        PeriodicJob(name: "tickets.automations", interval: interval) { connection, logger in
            _ = try await run(now: Date(), on: connection, logger: logger)
        }
    }

    /// One round at `now`: the (automation, ticket, outcome) of every run.
    func run(now: Date, on connection: PostgresConnection, logger: Logger) async throws -> [(String, UUID, String)] {
        let context = OperationContext.background(
            operation: "tickets.automations", source: TicketsService.schema, logger: logger, services: services)
        var runs: [(String, UUID, String)] = []
        for automation in try await RuleStore().automations(activeOnly: true, on: connection, logger: logger) {
            for (ticketID, occasion) in try await candidates(automation, now: now, on: connection, logger: logger) {
                let claimed = try await connection.query(
                    """
                    INSERT INTO tickets.automation_runs (automation_id, ticket_id, occasion, outcome)
                    VALUES (\(automation.id), \(ticketID), \(occasion), 'running')
                    ON CONFLICT DO NOTHING RETURNING ticket_id
                    """, logger: logger)
                var fresh = false
                for try await _ in claimed.decode(UUID.self) { fresh = true }
                guard fresh else { continue }
                let outcome = try await apply(automation, to: ticketID, context: context, on: connection)
                try await connection.query(
                    """
                    UPDATE tickets.automation_runs SET outcome = \(outcome)
                    WHERE automation_id = \(automation.id) AND ticket_id = \(ticketID) AND occasion = \(occasion)
                    """, logger: logger)
                runs.append((automation.name, ticketID, outcome))
            }
        }
        if !runs.isEmpty { logger.info("automations ran", metadata: ["runs": "\(runs.count)"]) }
        return runs
    }

    private func apply(
        _ automation: Automation, to ticketID: UUID, context: OperationContext, on connection: PostgresConnection
    ) async throws -> String {
        let repository = PostgresTicketRepository()
        guard let ticket = try await repository.lock(id: ticketID, on: connection, logger: context.logger) else {
            return "ticket gone"
        }
        guard RuleMatcher.matches(automation.conditions, ticket: ticket, message: nil) else {
            return "conditions not met"
        }
        try await connection.query("SAVEPOINT automation_run", logger: context.logger)
        do {
            try await RuleActionsRunner.apply(
                automation.actions, rule: "automation \(automation.name)", to: ticketID, context: context,
                on: connection)
            try await connection.query("RELEASE SAVEPOINT automation_run", logger: context.logger)
            return "applied"
        } catch let problem as Problem {
            try await connection.query("ROLLBACK TO SAVEPOINT automation_run", logger: context.logger)
            return "refused: \(problem.code)"
        }
    }

    /// The tickets `automation` waits for at `now`, with the occasion of each.
    private func candidates(_ automation: Automation, now: Date, on connection: PostgresConnection, logger: Logger)
        async throws -> [(UUID, Date)]
    {
        let rows: PostgresRowSequence
        switch automation.when {
        case .hoursInStatus:
            guard let status = automation.status, let hours = automation.hours else { return [] }
            let cutoff = now.addingTimeInterval(-Double(hours) * 3600)
            rows = try await connection.query(
                """
                SELECT t.id, sc.changed_at FROM tickets.tickets t
                JOIN LATERAL (SELECT changed_at FROM tickets.status_changes c WHERE c.ticket_id = t.id
                              ORDER BY c.changed_at DESC, c.id DESC LIMIT 1) sc ON true
                WHERE t.status = \(status.rawValue) AND sc.changed_at <= \(cutoff)
                  AND NOT EXISTS (SELECT 1 FROM tickets.automation_runs r WHERE r.automation_id = \(automation.id)
                                  AND r.ticket_id = t.id AND r.occasion = sc.changed_at)
                ORDER BY sc.changed_at LIMIT \(batch)
                """, logger: logger)
        case .slaNearBreach, .slaBreached:
            let column = automation.when == .slaNearBreach ? "near_breach_at" : "due_at"
            rows = try await connection.query(
                """
                SELECT s.ticket_id, min(s.due_at) FROM tickets.sla_targets s
                WHERE s.phase = 'running' AND s.\(unescaped: column) <= \(now)
                  AND NOT EXISTS (SELECT 1 FROM tickets.automation_runs r WHERE r.automation_id = \(automation.id)
                                  AND r.ticket_id = s.ticket_id AND r.occasion = s.due_at)
                GROUP BY s.ticket_id ORDER BY min(s.due_at) LIMIT \(batch)
                """, logger: logger)
        }
        var list: [(UUID, Date)] = []
        for try await row in rows.decode((UUID, Date).self) { list.append(row) }
        return list
    }
}

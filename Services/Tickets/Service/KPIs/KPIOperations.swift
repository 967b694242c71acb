import Contracts
import Foundation
import Logging
import PostgresNIO
import SLA
import ServiceRuntime
import Wire

/// `tickets.kpis` (staff): the helpdesk KPIs over a period, overall and per agent, group or channel. Every
/// definition is in docs/kpis.md; calendar-time statistics and all counts are computed in SQL (`percentile_cont`),
/// business-time statistics in Swift from the same samples with the same interpolation.
enum KPIOperations {
    static func register(_ router: inout OperationRouter, _ database: Database) {
        router.query(Operation.Tickets.kpis, KPIQuery.self) { input, context in
            try context.requireStaff()
            let calendar = try input.businessCalendar()
            return try await database.withConnection { connection in
                try await KPIReporter(query: input, calendar: calendar).report(
                    on: connection, logger: context.logger)
            }
        }
    }
}

/// Computes one `KPIReport`.
struct KPIReporter: Sendable {
    var query: KPIQuery
    var calendar: BusinessCalendar

    /// The grouping key of a ticket row `t` (a fixed expression per grouping, never caller text).
    var key: String {
        switch query.groupBy {
        case .agent: "t.assignee_id::text"
        case .group: "t.group_name"
        case .channel: "t.channel"
        case nil: "NULL::text"
        }
    }

    /// Tickets that count (merged ones are duplicates of their survivor), with their key.
    var scope: String {
        """
        scope AS NOT MATERIALIZED (
            SELECT t.id, t.created_at, t.first_agent_reply_at, t.solved_at, t.reopen_count, \(key) AS k
            FROM tickets.tickets t WHERE t.status <> 'merged'
        )
        """
    }

    /// One row per measured duration: `(metric, k, started, ended)`.
    var samples: String {
        """
        WITH \(scope),
        replied AS (
            SELECT DISTINCT m.ticket_id FROM tickets.messages m
            WHERE m.public AND m.author_type = 'agent' AND m.copied_from IS NULL
              AND m.created_at >= $1 AND m.created_at < $2
        ),
        conv AS (
            SELECT m.ticket_id, m.author_type, m.created_at,
                   coalesce(sum(CASE WHEN m.author_type = 'agent' THEN 1 ELSE 0 END) OVER (
                       PARTITION BY m.ticket_id ORDER BY m.created_at, m.id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cycle
            FROM tickets.messages m
            WHERE m.ticket_id IN (SELECT ticket_id FROM replied) AND m.public AND m.copied_from IS NULL
              AND m.author_type IN ('agent', 'customer')
        ),
        waits AS (
            SELECT ticket_id, cycle, min(created_at) AS since FROM conv WHERE author_type = 'customer'
            GROUP BY ticket_id, cycle
        ),
        samples AS (
            SELECT 'first_response' AS metric, s.k, s.created_at AS started, s.first_agent_reply_at AS ended
            FROM scope s WHERE s.first_agent_reply_at >= $1 AND s.first_agent_reply_at < $2
            UNION ALL
            SELECT 'next_reply', s.k, w.since, c.created_at
            FROM conv c JOIN waits w ON w.ticket_id = c.ticket_id AND w.cycle = c.cycle JOIN scope s ON s.id = c.ticket_id
            WHERE c.author_type = 'agent' AND c.cycle >= 1 AND c.created_at >= $1 AND c.created_at < $2
            UNION ALL
            SELECT 'full_resolution', s.k, s.created_at, s.solved_at
            FROM scope s WHERE s.solved_at >= $1 AND s.solved_at < $2
        )
        """
    }

    /// Tickets whose first move to `solved` (status history) lies in the period.
    var resolved: String {
        """
        WITH \(scope),
        first_solves AS (
            SELECT sc.ticket_id, min(sc.changed_at) AS first_solved_at FROM tickets.status_changes sc
            WHERE sc.to_status = 'solved' AND sc.changed_at < $2
            GROUP BY sc.ticket_id HAVING min(sc.changed_at) >= $1
        ),
        resolved AS (
            SELECT s.id, s.k, s.reopen_count, f.first_solved_at,
                   (SELECT count(*) FROM tickets.messages m
                    WHERE m.ticket_id = s.id AND m.public AND m.author_type = 'agent' AND m.copied_from IS NULL
                      AND m.created_at <= f.first_solved_at) AS touches,
                   EXISTS (SELECT 1 FROM tickets.messages m
                    WHERE m.ticket_id = s.id AND m.public AND m.author_type = 'customer' AND m.copied_from IS NULL
                      AND m.created_at > s.first_agent_reply_at AND m.created_at <= f.first_solved_at) AS came_back
            FROM first_solves f JOIN scope s ON s.id = f.ticket_id
        )
        """
    }

    func rows(_ sql: String, on connection: PostgresConnection, logger: Logger) async throws
        -> PostgresRowSequence
    {
        try await connection.query(
            PostgresQuery(unsafeSQL: sql, binds: try PostgresBindings.values(query.from, query.to)), logger: logger)
    }

    func report(on connection: PostgresConnection, logger: Logger) async throws -> KPIReport {
        var sets: [GroupKey: Builder] = [.overall: Builder()]
        func update(_ overall: Int, _ k: String?, _ body: (inout Builder) -> Void) {
            let groupKey: GroupKey = overall == 1 ? .overall : .key(k)
            if groupKey != .overall && query.groupBy == nil { return }
            body(&sets[groupKey, default: Builder()])
        }

        // Durations in calendar seconds: SQL.
        for try await (metric, k, overall, count, mean, median, p90) in try await rows(
            samples + """
                SELECT metric, k, GROUPING(k)::int, count(*)::int, avg(secs), percentile_cont(0.5) WITHIN GROUP (ORDER BY secs),
                       percentile_cont(0.9) WITHIN GROUP (ORDER BY secs)
                FROM (SELECT metric, k, extract(epoch FROM ended - started)::float8 AS secs FROM samples) x
                GROUP BY GROUPING SETS ((metric), (metric, k))
                """, on: connection, logger: logger
        ).decode((String, String?, Int, Int, Double?, Double?, Double?).self) {
            let stats = DurationStats(count: count, mean: mean, median: median, p90: p90)
            update(overall, k) { $0.calendar[metric] = stats }
        }
        // Durations in business seconds: the same samples through the calendar.
        var business: [GroupKey: [String: [Double]]] = [:]
        for try await (metric, k, started, ended) in try await rows(
            samples + "SELECT metric, k, started, ended FROM samples", on: connection, logger: logger
        ).decode((String, String?, Date, Date).self) {
            let seconds =
                ended >= started
                ? calendar.businessTime(from: started, to: ended) : -calendar.businessTime(from: ended, to: started)
            business[.overall, default: [:]][metric, default: []].append(seconds)
            if query.groupBy != nil { business[.key(k), default: [:]][metric, default: []].append(seconds) }
        }
        for (groupKey, metrics) in business {
            for (metric, values) in metrics { sets[groupKey, default: Builder()].business[metric] = Self.stats(values) }
        }

        // Resolution rates over the tickets first solved in the period.
        for try await (k, overall, total, fcr, oneTouch, reopened) in try await rows(
            resolved + """
                SELECT k, GROUPING(k)::int, count(*)::int,
                       (count(*) FILTER (WHERE touches >= 1 AND reopen_count = 0 AND NOT came_back))::int,
                       (count(*) FILTER (WHERE touches = 1 AND reopen_count = 0))::int,
                       (count(*) FILTER (WHERE reopen_count > 0))::int
                FROM resolved GROUP BY GROUPING SETS ((), (k))
                """, on: connection, logger: logger
        ).decode((String?, Int, Int, Int, Int, Int).self) {
            update(overall, k) {
                $0.solved = total
                $0.fcr = fcr
                $0.oneTouch = oneTouch
                $0.reopened = reopened
            }
        }

        // SLA attainment over the same tickets' decided targets.
        var notes: [String] = []
        var slaDefined = false
        for try await count in try await rows(
            "SELECT count(*)::int FROM tickets.sla_config WHERE $1::timestamptz IS NOT NULL OR $2::timestamptz IS NOT NULL",
            on: connection, logger: logger
        ).decode(Int.self) {
            slaDefined = count > 0
        }
        if slaDefined {
            for try await (k, overall, met, breached) in try await rows(
                resolved + """
                    SELECT r.k, GROUPING(r.k)::int,
                           (count(st.ticket_id) FILTER (WHERE st.phase = 'achieved' AND st.breached_at IS NULL))::int,
                           (count(st.ticket_id) FILTER (WHERE st.breached_at IS NOT NULL))::int
                    FROM resolved r LEFT JOIN tickets.sla_targets st ON st.ticket_id = r.id
                    GROUP BY GROUPING SETS ((), (r.k))
                    """, on: connection, logger: logger
            ).decode((String?, Int, Int, Int).self) {
                update(overall, k) { $0.sla = SLAAttainment(met: met, breached: breached) }
            }
        } else {
            notes.append("sla_attainment: no SLA is defined (PUT /v1/sla), so no target was measured")
        }

        // Backlog at `to`, from the status history.
        for try await (k, overall, count) in try await rows(
            """
            SELECT \(key) AS k, GROUPING(\(key))::int, count(*)::int FROM tickets.tickets t
            WHERE t.created_at < $2 AND $1::timestamptz IS NOT NULL AND (
                SELECT sc.to_status FROM tickets.status_changes sc WHERE sc.ticket_id = t.id AND sc.changed_at < $2
                ORDER BY sc.changed_at DESC, sc.id DESC LIMIT 1) IN ('new', 'open', 'pending', 'on_hold')
            GROUP BY GROUPING SETS ((), (\(key)))
            """, on: connection, logger: logger
        ).decode((String?, Int, Int).self) {
            update(overall, k) { $0.backlog = count }
        }

        // CSAT over the surveys sent in the period, by their ticket.
        for try await (k, overall, sent, answered, satisfied) in try await rows(
            """
            SELECT \(key) AS k, GROUPING(\(key))::int, count(*)::int, count(c.answered_at)::int,
                   (count(*) FILTER (WHERE c.rating >= 4))::int
            FROM tickets.csat_surveys c JOIN tickets.tickets t ON t.id = c.ticket_id
            WHERE c.sent_at >= $1 AND c.sent_at < $2
            GROUP BY GROUPING SETS ((), (\(key)))
            """, on: connection, logger: logger
        ).decode((String?, Int, Int, Int, Int).self) {
            update(overall, k) { $0.csat = CSATKPI(sent: sent, answered: answered, satisfied: satisfied) }
        }

        // NPS: per customer, for the whole period only.
        for try await (sent, promoters, passives, detractors) in try await rows(
            """
            SELECT count(*)::int, (count(*) FILTER (WHERE score >= 9))::int,
                   (count(*) FILTER (WHERE score BETWEEN 7 AND 8))::int, (count(*) FILTER (WHERE score <= 6))::int
            FROM tickets.nps_surveys WHERE sent_at >= $1 AND sent_at < $2
            """, on: connection, logger: logger
        ).decode((Int, Int, Int, Int).self) {
            sets[.overall, default: Builder()].nps = NPSKPI(
                sent: sent, promoters: promoters, passives: passives, detractors: detractors)
        }
        if query.groupBy != nil { notes.append("nps: measured per customer, so reported in overall only") }

        let overall = (sets[.overall] ?? Builder()).build(overall: true, slaDefined: slaDefined)
        let groups = sets.compactMap { groupKey, builder -> KPIGroup? in
            guard case .key(let k) = groupKey else { return nil }
            return KPIGroup(key: k, kpis: builder.build(overall: false, slaDefined: slaDefined))
        }.sorted { lhs, rhs in
            switch (lhs.key, rhs.key) {
            case (let l?, let r?): l < r
            case (.some, nil): true
            default: false
            }
        }
        return KPIReport(
            from: query.from, to: query.to, groupBy: query.groupBy, timeZone: calendar.definition.timeZone,
            overall: overall, groups: groups, notes: notes)
    }

    /// Count, mean, median and 90th percentile; the percentiles interpolate linearly between the closest ranks
    /// exactly as PostgreSQL's `percentile_cont` does (position `p × (n − 1)` in the sorted values).
    static func stats(_ values: [Double]) -> DurationStats {
        guard !values.isEmpty else { return DurationStats(count: 0, mean: nil, median: nil, p90: nil) }
        let sorted = values.sorted()
        func percentile(_ p: Double) -> Double {
            let position = p * Double(sorted.count - 1)
            let lower = Int(position.rounded(.down))
            let upper = Int(position.rounded(.up))
            return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
        }
        return DurationStats(
            count: sorted.count, mean: sorted.reduce(0, +) / Double(sorted.count), median: percentile(0.5),
            p90: percentile(0.9))
    }

    enum GroupKey: Hashable {
        case overall
        case key(String?)
    }

    /// The KPIs of one set as they are collected.
    struct Builder {
        var calendar: [String: DurationStats] = [:]
        var business: [String: DurationStats] = [:]
        var solved = 0
        var fcr = 0
        var oneTouch = 0
        var reopened = 0
        var backlog = 0
        var sla: SLAAttainment?
        var csat = CSATKPI(sent: 0, answered: 0, satisfied: 0)
        var nps: NPSKPI?

        func build(overall: Bool, slaDefined: Bool) -> KPISet {
            let empty = DurationStats(count: 0, mean: nil, median: nil, p90: nil)
            func duration(_ metric: String) -> DurationKPI {
                DurationKPI(calendar: calendar[metric] ?? empty, business: business[metric] ?? empty)
            }
            return KPISet(
                firstResponseTime: duration("first_response"), nextReplyTime: duration("next_reply"),
                fullResolutionTime: duration("full_resolution"), solvedTickets: solved,
                firstContactResolution: RateKPI(count: fcr, total: solved),
                oneTouchResolution: RateKPI(count: oneTouch, total: solved),
                reopenRate: RateKPI(count: reopened, total: solved), backlog: backlog,
                slaAttainment: slaDefined ? (sla ?? SLAAttainment(met: 0, breached: 0)) : nil, csat: csat,
                nps: overall ? (nps ?? NPSKPI(sent: 0, promoters: 0, passives: 0, detractors: 0)) : nil)
        }
    }
}

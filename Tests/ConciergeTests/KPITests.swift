import Contracts
import Foundation
import PostgresNIO
import ServiceRuntime
import TestSupport
import Testing
import TicketsService
import Wire

/// The KPI formulas of docs/kpis.md on tickets written with fixed timestamps, so every expected number is exact.
///
/// The week of Monday 2 March 2026 (UTC; business hours Monday–Friday 09:00–17:00 UTC), period
/// `[2026-03-02, 2026-03-10)`:
///
/// | ticket | agent | channel | story |
/// | --- | --- | --- | --- |
/// | T1 | A | email | created Mon 10:00, reply 11:00, solved 12:00 (one touch) |
/// | T2 | A | chat | created Fri 16:00, reply Mon 10:00 (across the weekend), customer 11:00, reply 11:30, solved 12:00 |
/// | T3 | B | email | created Tue 09:00, replies 09:30 and 09:45, solved 10:00, reopened 11:00, reply 12:00, solved Wed 09:00 |
/// | T4 | B | chat | created Thu 09:00, open |
/// | T5 | A | email | created Mon 9 March 13:00, open |
/// | T6 | A | email | created Fri 27 Feb 10:00 (before the period), reply Mon 2 March 09:00, open |
@Suite("KPIs", .enabled(if: TestDatabase.isConfigured))
struct KPITests {
    static let agentA = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a))
    static let agentB = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b))

    static func seed(_ routers: Fixture.Routers) async throws {
        let a = agentA.uuidString
        let b = agentB.uuidString
        var sql = """
            INSERT INTO tickets.agents (id, name, email) VALUES ('\(a)', 'A', 'a@shop.example'), ('\(b)', 'B', 'b@shop.example');

            """
        // (name, agent, channel, status, created, first reply, solved, reopens, history, messages)
        typealias Message = (String, String)  // (author, time)
        let tickets: [(String, String, String, String, String, String?, String?, Int, [(String, String)], [Message])] =
            [
                (
                    "T1", a, "email", "solved", "2026-03-02 10:00", "2026-03-02 11:00", "2026-03-02 12:00", 0,
                    [("open", "2026-03-02 10:00"), ("solved", "2026-03-02 12:00")],
                    [("customer", "2026-03-02 10:00"), ("agent", "2026-03-02 11:00")]
                ),
                (
                    "T2", a, "chat", "solved", "2026-03-06 16:00", "2026-03-09 10:00", "2026-03-09 12:00", 0,
                    [("open", "2026-03-06 16:00"), ("solved", "2026-03-09 12:00")],
                    [
                        ("customer", "2026-03-06 16:00"), ("agent", "2026-03-09 10:00"),
                        ("customer", "2026-03-09 11:00"),
                        ("agent", "2026-03-09 11:30"),
                    ]
                ),
                (
                    "T3", b, "email", "solved", "2026-03-03 09:00", "2026-03-03 09:30", "2026-03-04 09:00", 1,
                    [
                        ("open", "2026-03-03 09:00"), ("solved", "2026-03-03 10:00"), ("open", "2026-03-03 11:00"),
                        ("solved", "2026-03-04 09:00"),
                    ],
                    [
                        ("customer", "2026-03-03 09:00"), ("agent", "2026-03-03 09:30"), ("agent", "2026-03-03 09:45"),
                        ("customer", "2026-03-03 11:00"), ("agent", "2026-03-03 12:00"),
                    ]
                ),
                (
                    "T4", b, "chat", "open", "2026-03-05 09:00", nil, nil, 0, [("open", "2026-03-05 09:00")],
                    [("customer", "2026-03-05 09:00")]
                ),
                (
                    "T5", a, "email", "open", "2026-03-09 13:00", nil, nil, 0, [("open", "2026-03-09 13:00")],
                    [("customer", "2026-03-09 13:00")]
                ),
                (
                    "T6", a, "email", "open", "2026-02-27 10:00", "2026-03-02 09:00", nil, 0,
                    [("open", "2026-02-27 10:00")],
                    [("customer", "2026-02-27 10:00"), ("agent", "2026-03-02 09:00")]
                ),
            ]
        func time(_ text: String?) -> String { text.map { "'\($0)+00'" } ?? "NULL" }
        for (index, ticket) in tickets.enumerated() {
            let id = String(format: "00000000-0000-0000-0001-%012ld", index + 1)
            sql += """
                INSERT INTO tickets.tickets (id, customer_id, subject, status, priority, channel, created_at, updated_at,
                    assignee_id, first_agent_reply_at, solved_at, reopen_count)
                VALUES ('\(id)', gen_random_uuid(), '\(ticket.0)', '\(ticket.3)', 'normal', '\(ticket.2)',
                    \(time(ticket.4)), \(time(ticket.4)), '\(ticket.1)', \(time(ticket.5)), \(time(ticket.6)), \(ticket.7));
                DELETE FROM tickets.status_changes WHERE ticket_id = '\(id)';

                """
            var previous = "NULL"
            for (status, at) in ticket.8 {
                sql += """
                    INSERT INTO tickets.status_changes (ticket_id, from_status, to_status, changed_at)
                    VALUES ('\(id)', \(previous), '\(status)', \(time(at)));

                    """
                previous = "'\(status)'"
            }
            for (author, at) in ticket.9 {
                sql += """
                    INSERT INTO tickets.messages (id, ticket_id, author_type, channel, body, public, created_at)
                    VALUES (gen_random_uuid(), '\(id)', '\(author)', '\(ticket.2)', 'text', true, \(time(at)));

                    """
            }
        }
        // An internal note never counts as a touch.
        sql += """
            INSERT INTO tickets.messages (id, ticket_id, author_type, channel, body, public, created_at)
            VALUES (gen_random_uuid(), '00000000-0000-0000-0001-000000000001', 'agent', 'email', 'note', false,
                    '2026-03-02 11:30+00');
            INSERT INTO tickets.csat_surveys (id, ticket_id, customer_id, token_hash, sent_at, expires_at, rating, answered_at)
            SELECT gen_random_uuid(), t.id, t.customer_id, sha256(t.id::text::bytea), t.solved_at, t.solved_at + interval '30 days',
                   CASE t.subject WHEN 'T1' THEN 5 WHEN 'T2' THEN 3 END,
                   CASE WHEN t.subject IN ('T1', 'T2') THEN t.solved_at + interval '1 hour' END
            FROM tickets.tickets t WHERE t.subject IN ('T1', 'T2', 'T3');
            INSERT INTO tickets.nps_surveys (id, customer_id, token_hash, sent_at, expires_at, score, answered_at)
            SELECT gen_random_uuid(), gen_random_uuid(), sha256(coalesce(s, -1)::text::bytea), '2026-03-03 12:00+00', '2026-04-01 00:00+00',
                   s, CASE WHEN s IS NULL THEN NULL ELSE '2026-03-03 13:00+00'::timestamptz END
            FROM unnest(ARRAY[10, 9, 7, 3, NULL]::int[]) AS s;
            """
        try await routers.execute(sql)
    }

    static func kpis(_ routers: Fixture.Routers, _ extra: String = "") async throws -> ReplyEnvelope {
        await routers.tickets.call(
            Operation.Tickets.kpis, json: #"{"from":"2026-03-02T00:00:00Z","to":"2026-03-10T00:00:00Z"\#(extra)}"#,
            principal: .agent)
    }

    static func close(_ value: Double?, _ expected: Double) -> Bool {
        guard let value else { return false }
        return abs(value - expected) < 1e-6
    }

    static func expect(
        _ stats: DurationStats, _ count: Int, _ mean: Double, _ median: Double, _ p90: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(stats.count == count, sourceLocation: sourceLocation)
        #expect(close(stats.mean, mean), "mean \(String(describing: stats.mean))", sourceLocation: sourceLocation)
        #expect(
            close(stats.median, median), "median \(String(describing: stats.median))", sourceLocation: sourceLocation)
        #expect(close(stats.p90, p90), "p90 \(String(describing: stats.p90))", sourceLocation: sourceLocation)
    }

    @Test func overallFormulasWithExactNumbers() async throws {
        try await Fixture.withRouters { routers in
            try await Self.seed(routers)
            let reply = try await Self.kpis(routers)
            #expect(reply.status == 200, "\(reply.bodyText)")
            let report = try reply.decoded(KPIReport.self)
            let kpis = report.overall
            #expect(report.timeZone == "UTC")
            #expect(report.groups.isEmpty)
            // First response: T1 3600, T2 237600 (66 h over the weekend; 2 business hours), T3 1800, T6 255600 (7 h).
            Self.expect(kpis.firstResponseTime.calendar, 4, 124_650, 120_600, 250_200)
            Self.expect(kpis.firstResponseTime.business, 4, 9_450, 5_400, 19_800)
            // Next replies: T2 1800 and T3 3600 (T3's 09:45 follows an agent reply, so it is no next reply).
            Self.expect(kpis.nextReplyTime.calendar, 2, 2_700, 2_700, 3_420)
            Self.expect(kpis.nextReplyTime.business, 2, 2_700, 2_700, 3_420)
            // Full resolution to the latest solve: T1 7200, T2 244800 (14400 business), T3 86400 (28800 business).
            Self.expect(kpis.fullResolutionTime.calendar, 3, 112_800, 86_400, 213_120)
            Self.expect(kpis.fullResolutionTime.business, 3, 16_800, 14_400, 25_920)
            #expect(kpis.solvedTickets == 3)
            #expect(kpis.firstContactResolution == RateKPI(count: 1, total: 3))
            #expect(kpis.oneTouchResolution == RateKPI(count: 1, total: 3))
            #expect(kpis.reopenRate == RateKPI(count: 1, total: 3))
            #expect(kpis.backlog == 3)
            #expect(kpis.slaAttainment == nil)
            #expect(report.notes.contains { $0.hasPrefix("sla_attainment") })
            #expect(kpis.csat == CSATKPI(sent: 3, answered: 2, satisfied: 1))
            #expect(kpis.csat.score == 0.5)
            #expect(kpis.nps == NPSKPI(sent: 5, promoters: 2, passives: 1, detractors: 1))
            #expect(kpis.nps?.score == 25)

            // Backlog at an earlier `to`: at Tue 3 March 10:30 T3 was solved (the history says so), T1 too; T6 open.
            let early = try await routers.tickets.call(
                Operation.Tickets.kpis, json: #"{"from":"2026-03-02T00:00:00Z","to":"2026-03-03T10:30:00Z"}"#,
                principal: .agent)
            #expect(try early.decoded(KPIReport.self).overall.backlog == 1)
        }
    }

    @Test func groupedByAgentAndChannel() async throws {
        try await Fixture.withRouters { routers in
            try await Self.seed(routers)
            let byAgent = try await Self.kpis(routers, #","group_by":"agent""#).decoded(KPIReport.self)
            #expect(
                byAgent.groups.map(\.key) == [Self.agentA.uuidString.lowercased(), Self.agentB.uuidString.lowercased()])
            let a = try #require(byAgent.groups.first?.kpis)
            let b = try #require(byAgent.groups.last?.kpis)
            Self.expect(a.firstResponseTime.calendar, 3, 165_600, 237_600, 252_000)
            Self.expect(a.firstResponseTime.business, 3, 12_000, 7_200, 21_600)
            Self.expect(b.firstResponseTime.calendar, 1, 1_800, 1_800, 1_800)
            #expect(a.solvedTickets == 2)
            #expect(a.firstContactResolution == RateKPI(count: 1, total: 2))
            #expect(a.reopenRate == RateKPI(count: 0, total: 2))
            #expect(b.reopenRate == RateKPI(count: 1, total: 1))
            #expect(a.backlog == 2)
            #expect(b.backlog == 1)
            #expect(a.csat == CSATKPI(sent: 2, answered: 2, satisfied: 1))
            #expect(a.nps == nil)
            #expect(byAgent.overall.backlog == 3)

            let byChannel = try await Self.kpis(routers, #","group_by":"channel""#).decoded(KPIReport.self)
            #expect(byChannel.groups.map(\.key) == ["chat", "email"])
            let chat = try #require(byChannel.groups.first?.kpis)
            let email = try #require(byChannel.groups.last?.kpis)
            Self.expect(chat.firstResponseTime.calendar, 1, 237_600, 237_600, 237_600)
            Self.expect(chat.firstResponseTime.business, 1, 7_200, 7_200, 7_200)
            #expect(email.firstResponseTime.calendar.count == 3)
            #expect(chat.backlog == 1)
            #expect(email.backlog == 2)
        }
    }

    @Test func businessHoursFollowTheGivenCalendarAndInputIsChecked() async throws {
        try await Fixture.withRouters { routers in
            try await Self.seed(routers)
            // Open around the clock: business time equals calendar time.
            let always = try await Self.kpis(routers, #","calendar":{"time_zone":"UTC","always_open":true}"#)
            #expect(always.status == 200, "\(always.bodyText)")
            let kpis = try always.decoded(KPIReport.self).overall
            #expect(kpis.firstResponseTime.business == kpis.firstResponseTime.calendar)

            let backwards = await routers.tickets.call(
                Operation.Tickets.kpis, json: #"{"from":"2026-03-10T00:00:00Z","to":"2026-03-02T00:00:00Z"}"#,
                principal: .agent)
            #expect(backwards.status == 422)
            let zone = try await Self.kpis(routers, #","time_zone":"Mars/Olympus""#)
            #expect(zone.status == 422)
            let grouping = try await Self.kpis(routers, #","group_by":"planet""#)
            #expect(grouping.status == 422)
            let customer = await routers.tickets.call(
                Operation.Tickets.kpis, json: #"{"from":"2026-03-02T00:00:00Z","to":"2026-03-10T00:00:00Z"}"#,
                principal: .customer(UUID()))
            #expect(customer.status == 403)
        }
    }
}

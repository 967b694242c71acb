import Foundation
import SLA
import Testing

/// The worked examples of `docs/sla.md`, one test each, with the same instants and numbers.
@Suite("SLA worked examples (docs/sla.md)")
struct WorkedExampleTests {
    /// The calendar of examples 3 to 7: Europe/Berlin, Monday to Friday 09:00–17:00.
    private let berlin = """
        {"time_zone": "Europe/Berlin",
         "weekly_hours": {"monday": [{"start": "09:00", "end": "17:00"}], "tuesday": [{"start": "09:00", "end": "17:00"}],
                          "wednesday": [{"start": "09:00", "end": "17:00"}], "thursday": [{"start": "09:00", "end": "17:00"}],
                          "friday": [{"start": "09:00", "end": "17:00"}]}}
        """

    /// The policy of examples 3 to 7: first reply 1 h, next reply 2 h, resolution 8 h, near breach at 20 %.
    private func clock() throws -> SLAClock {
        let policy = """
            {"id": "high", "priority": "high", "targets": {"first_reply": 3600, "next_reply": 7200, "resolution": 28800}}
            """
        return SLAClock(
            policy: try JSONDecoder().decode(SLAPolicy.self, from: Data(policy.utf8)),
            calendar: try JSONDecoder().decode(BusinessCalendar.self, from: Data(berlin.utf8)))
    }

    @Test("Example 1: four business hours over Christmas")
    func example1() throws {
        let json = """
            {"time_zone": "Europe/Berlin",
             "weekly_hours": {"monday": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}],
                              "tuesday": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}],
                              "wednesday": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}],
                              "thursday": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}],
                              "friday": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}]},
             "holidays": ["2026-12-24", "2026-12-25"]}
            """
        let calendar = try JSONDecoder().decode(BusinessCalendar.self, from: Data(json.utf8))
        let start = iso("2026-12-23T16:00:00+01:00")
        #expect(calendar.adding(businessSeconds: 4 * hour, to: start) == iso("2026-12-28T11:30:00+01:00"))
        #expect(calendar.businessTime(from: start, to: iso("2026-12-28T12:45:00+01:00")) == 4.5 * hour)
        #expect(!calendar.isOpen(at: iso("2026-12-28T12:30:00+01:00")))
    }

    @Test("Example 2: two business hours over a daylight-saving weekend")
    func example2() throws {
        let berlin = try JSONDecoder().decode(BusinessCalendar.self, from: Data(berlin.utf8))
        #expect(
            berlin.adding(businessSeconds: 2 * hour, to: iso("2026-03-27T16:00:00+01:00"))
                == iso("2026-03-30T10:00:00+02:00"))
        #expect(
            berlin.adding(businessSeconds: 2 * hour, to: iso("2026-10-23T16:00:00+02:00"))
                == iso("2026-10-26T10:00:00+01:00"))
        let newYork = try Calendars.newYorkNineToFive()
        #expect(
            newYork.adding(businessSeconds: 2 * hour, to: iso("2026-10-30T16:00:00-04:00"))
                == iso("2026-11-02T10:00:00-05:00"))
        // The same Friday 15:00 UTC in both calendars.
        #expect(
            berlin.adding(businessSeconds: 2 * hour, to: iso("2026-10-30T15:00:00Z"))
                == iso("2026-11-02T10:00:00+01:00"))
        #expect(
            newYork.adding(businessSeconds: 2 * hour, to: iso("2026-10-30T15:00:00Z"))
                == iso("2026-10-30T13:00:00-04:00"))
    }

    private var example3: TicketTimeline {
        timeline(
            created: "2026-06-01T10:00:00+02:00",
            [
                (.customerMessage, "2026-06-01T10:00:00+02:00"),
                (.agentReply, "2026-06-01T10:30:00+02:00"), (.status(.pending), "2026-06-01T10:30:00+02:00"),
                (.customerMessage, "2026-06-02T09:30:00+02:00"), (.status(.open), "2026-06-02T09:30:00+02:00"),
                (.agentReply, "2026-06-02T11:00:00+02:00"),
                (.status(.solved), "2026-06-02T12:00:00+02:00"),
            ])
    }

    @Test("Example 3: a ticket's life — reply, pending, customer answer, next reply, solve (mid-way)")
    func example3MidWay() throws {
        let report = try clock().evaluate(example3, at: iso("2026-06-02T10:00:00+02:00"))
        let first = try #require(report.firstReply)
        #expect(first.achievedAt == iso("2026-06-01T10:30:00+02:00") && first.elapsed == 30 * minute)
        let next = try #require(report.nextReply)
        #expect(next.phase == .running && next.dueAt == iso("2026-06-02T11:30:00+02:00"))
        #expect(next.remaining == 1.5 * hour && next.nearBreachAt == iso("2026-06-02T11:06:00+02:00"))
        let resolution = try #require(report.resolution)
        #expect(resolution.elapsed == 1 * hour && resolution.dueAt == iso("2026-06-02T17:00:00+02:00"))
        #expect(report.nextCheckAt == iso("2026-06-02T11:06:00+02:00"))
        // At creation: first reply due at 11:00, resolution at Tuesday 10:00 (7 h on Monday, 1 h on Tuesday).
        let created = try clock().evaluate(example3, at: iso("2026-06-01T10:00:00+02:00"))
        #expect(created.firstReply?.dueAt == iso("2026-06-01T11:00:00+02:00"))
        #expect(created.resolution?.dueAt == iso("2026-06-02T10:00:00+02:00"))
        // While it was pending on Monday evening: paused, with no due instant.
        let monday = try clock().evaluate(example3, at: iso("2026-06-01T18:00:00+02:00"))
        #expect(monday.resolution?.phase == .paused && monday.resolution?.dueAt == nil)
        #expect(monday.resolution?.remaining == 7.5 * hour)
    }

    @Test("Example 3: a ticket's life — the final report")
    func example3Final() throws {
        let report = try clock().evaluate(example3, at: iso("2026-06-02T12:00:00+02:00"))
        #expect(
            report.nextReply?.achievedAt == iso("2026-06-02T11:00:00+02:00") && report.nextReply?.elapsed == 1.5 * hour)
        let resolution = try #require(report.resolution)
        #expect(resolution.achievedAt == iso("2026-06-02T12:00:00+02:00"))
        #expect(resolution.elapsed == 3 * hour && resolution.remaining == 5 * hour && !resolution.isBreached)
        #expect(report.metrics.allSatisfy { $0.isAchieved && !$0.isBreached })
        #expect(report.nextCheckAt == nil)
    }

    @Test("Example 4: a message on Saturday night")
    func example4() throws {
        let ticket = timeline(created: "2026-06-06T22:00:00+02:00", [(.customerMessage, "2026-06-06T22:00:00+02:00")])
        let report = try clock().evaluate(ticket, at: iso("2026-06-07T12:00:00+02:00"))
        #expect(report.firstReply?.dueAt == iso("2026-06-08T10:00:00+02:00"))
        #expect(report.firstReply?.nearBreachAt == iso("2026-06-08T09:48:00+02:00"))
        #expect(report.resolution?.dueAt == iso("2026-06-08T17:00:00+02:00"))
        #expect(report.firstReply?.remaining == 1 * hour && report.isNearBreach == false)
    }

    @Test("Example 5: solved, reopened, breached, solved again")
    func example5() throws {
        var ticket = timeline(
            created: "2026-06-01T09:00:00+02:00",
            [
                (.customerMessage, "2026-06-01T09:00:00+02:00"), (.agentReply, "2026-06-01T09:15:00+02:00"),
                (.status(.solved), "2026-06-01T15:00:00+02:00"),
                (.customerMessage, "2026-06-03T09:00:00+02:00"), (.status(.open), "2026-06-03T09:00:00+02:00"),
            ])
        let reopened = try #require(try clock().evaluate(ticket, at: iso("2026-06-03T09:30:00+02:00")).resolution)
        #expect(reopened.elapsed == 6.5 * hour && reopened.dueAt == iso("2026-06-03T11:00:00+02:00"))
        #expect(reopened.isNearBreach && reopened.nearBreachAt == iso("2026-06-03T09:24:00+02:00"))
        ticket.facts += [
            .agentReply(at: iso("2026-06-03T11:30:00+02:00")), .status(.solved, at: iso("2026-06-03T11:30:00+02:00")),
        ]
        let report = try clock().evaluate(ticket, at: iso("2026-06-03T12:00:00+02:00"))
        let resolution = try #require(report.resolution)
        #expect(resolution.breachedAt == iso("2026-06-03T11:00:00+02:00"))
        #expect(resolution.achievedAt == iso("2026-06-03T11:30:00+02:00") && resolution.remaining == -30 * minute)
        let next = try #require(report.nextReply)
        #expect(next.elapsed == 2.5 * hour && next.breachedAt == iso("2026-06-03T11:00:00+02:00"))
    }

    @Test("Example 6: solved without a reply, then reopened")
    func example6() throws {
        var ticket = timeline(
            created: "2026-06-01T10:00:00+02:00",
            [(.customerMessage, "2026-06-01T10:00:00+02:00"), (.status(.solved), "2026-06-01T10:20:00+02:00")])
        let stopped = try #require(try clock().evaluate(ticket, at: iso("2026-06-01T12:00:00+02:00")).firstReply)
        #expect(stopped.phase == .stopped && stopped.remaining == 40 * minute && stopped.dueAt == nil)
        ticket.facts += [
            .customerMessage(at: iso("2026-06-02T10:00:00+02:00")),
            .status(.open, at: iso("2026-06-02T10:00:00+02:00")),
            .agentReply(at: iso("2026-06-02T10:30:00+02:00")),
        ]
        let report = try clock().evaluate(ticket, at: iso("2026-06-02T11:00:00+02:00"))
        #expect(
            report.firstReply?.achievedAt == iso("2026-06-02T10:30:00+02:00")
                && report.firstReply?.elapsed == 50 * minute)
        #expect(report.nextReplies.isEmpty)
        #expect(report.resolution?.elapsed == 80 * minute && report.resolution?.phase == .running)
    }

    @Test("Example 7: an outbound ticket (the agent writes first)")
    func example7() throws {
        let ticket = timeline(
            created: "2026-06-01T10:00:00+02:00",
            [
                (.agentReply, "2026-06-01T10:00:00+02:00"), (.status(.pending), "2026-06-01T10:00:00+02:00"),
                (.customerMessage, "2026-06-01T14:00:00+02:00"), (.status(.open), "2026-06-01T14:00:00+02:00"),
            ])
        let report = try clock().evaluate(ticket, at: iso("2026-06-01T15:00:00+02:00"))
        #expect(report.firstReply == nil)
        #expect(report.nextReply?.dueAt == iso("2026-06-01T16:00:00+02:00"))
        #expect(report.resolution?.elapsed == 1 * hour && report.resolution?.dueAt == iso("2026-06-02T14:00:00+02:00"))
    }

    @Test("Example 8: choosing a policy")
    func example8() throws {
        let json = """
            [{"id": "urgent", "priority": "urgent", "targets": {"first_reply": 3600}},
             {"id": "urgent-chat", "priority": "urgent", "channel": "chat", "targets": {"first_reply": 900}},
             {"id": "urgent-vip", "priority": "urgent", "segment": "vip", "targets": {"first_reply": 1800}},
             {"id": "urgent-wholesale", "priority": "urgent", "segment": "wholesale", "targets": {"first_reply": 2700}},
             {"id": "urgent-vip-chat", "priority": "urgent", "segment": "vip", "channel": "chat", "targets": {"first_reply": 300}}]
            """
        let set = try JSONDecoder().decode(SLAPolicySet.self, from: Data(json.utf8))
        #expect(set.validate().isEmpty)
        #expect(set.policy(priority: .urgent, segments: [], channel: "email")?.id == "urgent")
        #expect(set.policy(priority: .urgent, segments: [], channel: "chat")?.id == "urgent-chat")
        #expect(set.policy(priority: .urgent, segments: ["wholesale"], channel: "chat")?.id == "urgent-wholesale")
        #expect(set.policy(priority: .urgent, segments: ["vip"], channel: "chat")?.id == "urgent-vip-chat")
        #expect(set.policy(priority: .urgent, segments: ["wholesale", "vip"], channel: "email")?.id == "urgent-vip")
        #expect(set.policy(priority: .high, segments: ["vip"], channel: "chat") == nil)
    }
}

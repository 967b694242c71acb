import Foundation
import SLA
import Testing

@Suite("SLA clock: next-reply cycles")
struct NextReplyTests {
    private func clock() throws -> SLAClock {
        try makeClock(Calendars.berlinNineToFive(), firstReply: 3600, nextReply: 7200)
    }

    @Test("each customer message after an agent reply starts a new target, answered by the next agent reply")
    func cycles() throws {
        let ticket = timeline(
            created: "2026-06-01T09:00:00+02:00",
            [
                (.customerMessage, "2026-06-01T09:00:00+02:00"), (.agentReply, "2026-06-01T09:30:00+02:00"),
                (.customerMessage, "2026-06-01T10:00:00+02:00"), (.customerMessage, "2026-06-01T10:05:00+02:00"),
                (.agentReply, "2026-06-01T13:00:00+02:00"),
                (.customerMessage, "2026-06-01T16:00:00+02:00"),
            ])
        let report = try clock().evaluate(ticket, at: iso("2026-06-02T09:30:00+02:00"))
        #expect(report.firstReply?.achievedAt == iso("2026-06-01T09:30:00+02:00"))
        #expect(report.nextReplies.count == 2)
        let first = report.nextReplies[0]
        #expect(
            first.startedAt == iso("2026-06-01T10:00:00+02:00") && first.achievedAt == iso("2026-06-01T13:00:00+02:00"))
        #expect(first.breachedAt == iso("2026-06-01T12:00:00+02:00") && first.elapsed == 3 * hour)
        let current = try #require(report.nextReply)
        #expect(current.startedAt == iso("2026-06-01T16:00:00+02:00") && current.phase == .running)
        #expect(current.dueAt == iso("2026-06-02T10:00:00+02:00") && current.remaining == 30 * minute)
        #expect(!current.isNearBreach && !current.isBreached)  // 20 % of 2 h is 24 min
        #expect(current.nearBreachAt == iso("2026-06-02T09:36:00+02:00"))
    }

    @Test("agent replies without a customer message in between answer nothing and open nothing")
    func agentMonologue() throws {
        let ticket = timeline(
            created: "2026-06-01T09:00:00+02:00",
            [
                (.customerMessage, "2026-06-01T09:00:00+02:00"), (.agentReply, "2026-06-01T09:10:00+02:00"),
                (.agentReply, "2026-06-01T09:20:00+02:00"), (.agentReply, "2026-06-01T09:30:00+02:00"),
            ])
        let report = try clock().evaluate(ticket, at: iso("2026-06-01T17:00:00+02:00"))
        #expect(report.firstReply?.achievedAt == iso("2026-06-01T09:10:00+02:00"))
        #expect(report.nextReplies.isEmpty && report.nextCheckAt == nil)
    }

    @Test("a policy with only a next-reply target measures the cycles after the first reply")
    func onlyNextReply() throws {
        let clock = try makeClock(Calendars.berlinNineToFive(), nextReply: 1800)
        let ticket = timeline(
            created: "2026-06-01T09:00:00+02:00",
            [
                (.customerMessage, "2026-06-01T09:00:00+02:00"), (.agentReply, "2026-06-01T12:00:00+02:00"),
                (.customerMessage, "2026-06-01T12:10:00+02:00"), (.agentReply, "2026-06-01T12:20:00+02:00"),
            ])
        let report = clock.evaluate(ticket, at: iso("2026-06-01T13:00:00+02:00"))
        #expect(report.firstReply == nil)
        #expect(report.nextReplies.map(\.elapsed) == [10 * minute])
    }

    @Test("facts in any order give the same report; facts at one instant keep their given order")
    func ordering() throws {
        let facts: [TicketFact] = [
            .customerMessage(at: iso("2026-06-01T09:00:00+02:00")), .agentReply(at: iso("2026-06-01T09:30:00+02:00")),
            .customerMessage(at: iso("2026-06-01T10:00:00+02:00")), .agentReply(at: iso("2026-06-01T10:00:00+02:00")),
        ]
        let sorted = TicketTimeline(createdAt: iso("2026-06-01T09:00:00+02:00"), facts: facts)
        let shuffled = TicketTimeline(createdAt: sorted.createdAt, facts: [facts[2], facts[1], facts[3], facts[0]])
        let now = iso("2026-06-01T11:00:00+02:00")
        #expect(try clock().evaluate(sorted, at: now) == clock().evaluate(shuffled, at: now))
        #expect(try clock().evaluate(sorted, at: now).nextReply?.elapsed == 0)
        // The reply listed before the message at the same instant answers nothing; the message opens a cycle.
        let replyFirst = TicketTimeline(createdAt: sorted.createdAt, facts: [facts[0], facts[1], facts[3], facts[2]])
        #expect(try clock().evaluate(replyFirst, at: now).nextReply?.phase == .running)
    }
}

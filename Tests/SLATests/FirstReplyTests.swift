import Foundation
import SLA
import Testing

@Suite("SLA clock: first reply")
struct FirstReplyTests {
    private func clock(_ target: Int = 3600) throws -> SLAClock {
        try makeClock(Calendars.berlinNineToFive(), firstReply: target)
    }

    @Test("answered in time: achieved, not breached, remaining kept")
    func onTime() throws {
        let ticket = timeline(
            created: "2026-06-01T10:00:00+02:00",
            [(.customerMessage, "2026-06-01T10:00:00+02:00"), (.agentReply, "2026-06-01T10:40:00+02:00")])
        let state = try #require(try clock().evaluate(ticket, at: iso("2026-06-01T12:00:00+02:00")).firstReply)
        #expect(state.phase == .achieved && state.isAchieved && !state.isBreached)
        #expect(state.startedAt == iso("2026-06-01T10:00:00+02:00"))
        #expect(state.achievedAt == iso("2026-06-01T10:40:00+02:00"))
        #expect(state.elapsed == 40 * minute && state.remaining == 20 * minute)
        #expect(state.dueAt == nil && state.breachedAt == nil && !state.isNearBreach)
    }

    @Test("while waiting: running, due projected, remaining shrinking")
    func running() throws {
        let ticket = timeline(created: "2026-06-01T10:00:00+02:00", [(.customerMessage, "2026-06-01T10:00:00+02:00")])
        let state = try #require(try clock().evaluate(ticket, at: iso("2026-06-01T10:15:00+02:00")).firstReply)
        #expect(state.phase == .running && !state.isPaused)
        #expect(state.dueAt == iso("2026-06-01T11:00:00+02:00"))
        #expect(state.remaining == 45 * minute && state.elapsed == 15 * minute)
        #expect(state.achievedAt == nil && state.breachedAt == nil)
    }

    @Test("answered late: achieved and breached at the due instant")
    func late() throws {
        let ticket = timeline(
            created: "2026-06-01T16:30:00+02:00",
            [(.customerMessage, "2026-06-01T16:30:00+02:00"), (.agentReply, "2026-06-02T10:00:00+02:00")])
        let state = try #require(try clock().evaluate(ticket, at: iso("2026-06-02T12:00:00+02:00")).firstReply)
        #expect(state.isAchieved && state.isBreached && !state.isActiveBreach)
        #expect(state.breachedAt == iso("2026-06-02T09:30:00+02:00") && state.dueAt == state.breachedAt)
        #expect(state.elapsed == 90 * minute && state.remaining == -30 * minute)
    }

    @Test("unanswered past the due instant: an active breach with negative remaining")
    func unanswered() throws {
        let ticket = timeline(created: "2026-06-01T10:00:00+02:00", [(.customerMessage, "2026-06-01T10:00:00+02:00")])
        let report = try clock().evaluate(ticket, at: iso("2026-06-01T11:30:00+02:00"))
        let state = try #require(report.firstReply)
        #expect(state.phase == .running && state.isActiveBreach && report.hasActiveBreach)
        #expect(state.breachedAt == iso("2026-06-01T11:00:00+02:00"))
        #expect(state.remaining == -30 * minute && !state.isNearBreach)
    }

    @Test("a reply at exactly the due instant is on time; the due instant itself is a breach without one")
    func exactlyAtDue() throws {
        let due = "2026-06-01T11:00:00+02:00"
        let waiting = timeline(created: "2026-06-01T10:00:00+02:00", [(.customerMessage, "2026-06-01T10:00:00+02:00")])
        var answered = waiting
        answered.facts.append(.agentReply(at: iso(due)))
        let onTime = try #require(try clock().evaluate(answered, at: iso(due)).firstReply)
        #expect(onTime.isAchieved && !onTime.isBreached && onTime.remaining == 0)
        let breached = try #require(try clock().evaluate(waiting, at: iso(due)).firstReply)
        #expect(breached.breachedAt == iso(due) && breached.remaining == 0)
    }

    @Test("a ticket created outside business hours counts from the next opening")
    func createdOutsideHours() throws {
        let ticket = timeline(created: "2026-06-06T22:00:00+02:00", [(.customerMessage, "2026-06-06T22:00:00+02:00")])
        let sunday = try #require(try clock().evaluate(ticket, at: iso("2026-06-07T15:00:00+02:00")).firstReply)
        #expect(sunday.dueAt == iso("2026-06-08T10:00:00+02:00"))
        #expect(sunday.elapsed == 0 && sunday.remaining == hour && !sunday.isNearBreach)
        #expect(sunday.phase == .running)
    }

    @Test("further customer messages before the reply do not restart the clock")
    func followUps() throws {
        let ticket = timeline(
            created: "2026-06-01T10:00:00+02:00",
            [
                (.customerMessage, "2026-06-01T10:00:00+02:00"), (.customerMessage, "2026-06-01T10:30:00+02:00"),
                (.customerMessage, "2026-06-01T10:50:00+02:00"),
            ])
        let report = try clock().evaluate(ticket, at: iso("2026-06-01T10:55:00+02:00"))
        #expect(report.firstReply?.dueAt == iso("2026-06-01T11:00:00+02:00"))
        #expect(report.nextReplies.isEmpty)
    }

    @Test(
        "when an agent writes first (an outbound ticket) there is no first-reply target; the customer's answer starts a next-reply cycle"
    )
    func agentFirst() throws {
        let clock = try makeClock(Calendars.berlinNineToFive(), firstReply: 3600, nextReply: 7200)
        let ticket = timeline(
            created: "2026-06-01T10:00:00+02:00",
            [(.agentReply, "2026-06-01T10:00:00+02:00"), (.customerMessage, "2026-06-01T11:00:00+02:00")])
        let report = clock.evaluate(ticket, at: iso("2026-06-01T11:30:00+02:00"))
        #expect(report.firstReply == nil)
        #expect(report.nextReplies.count == 1)
        #expect(report.nextReply?.dueAt == iso("2026-06-01T13:00:00+02:00"))
    }

    @Test("the first reply clock starts at the customer's first message, even when it comes after creation")
    func startsAtCustomerMessage() throws {
        let ticket = timeline(created: "2026-06-01T09:00:00+02:00", [(.customerMessage, "2026-06-01T10:00:00+02:00")])
        let state = try #require(try clock().evaluate(ticket, at: iso("2026-06-01T10:00:00+02:00")).firstReply)
        #expect(state.startedAt == iso("2026-06-01T10:00:00+02:00") && state.dueAt == iso("2026-06-01T11:00:00+02:00"))
    }

    @Test("a policy without a first-reply target measures none")
    func noTarget() throws {
        let clock = try makeClock(Calendars.berlinNineToFive(), resolution: 36000)
        let ticket = timeline(created: "2026-06-01T10:00:00+02:00", [(.customerMessage, "2026-06-01T10:00:00+02:00")])
        let report = clock.evaluate(ticket, at: iso("2026-06-01T11:00:00+02:00"))
        #expect(report.firstReply == nil && report.nextReplies.isEmpty && report.resolution != nil)
        #expect(report.metrics.count == 1)
    }
}

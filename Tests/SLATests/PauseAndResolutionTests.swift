import Foundation
import SLA
import Testing

@Suite("SLA clock: pauses, solves and reopens")
struct PauseAndResolutionTests {
    private func clock() throws -> SLAClock {
        try makeClock(Calendars.berlinNineToFive(), firstReply: 3600, nextReply: 7200, resolution: 8 * 3600)
    }

    @Test(
        "pending pauses every target: no due instant, remaining frozen; the due instant moves on resume",
        arguments: [SLATicketStatus.pending, .onHold])
    func pause(status: SLATicketStatus) throws {
        var ticket = timeline(
            created: "2026-06-01T10:00:00+02:00",
            [(.customerMessage, "2026-06-01T10:00:00+02:00"), (.status(status), "2026-06-01T10:20:00+02:00")])
        let paused = try clock().evaluate(ticket, at: iso("2026-06-01T16:00:00+02:00"))
        let first = try #require(paused.firstReply)
        #expect(first.phase == .paused && first.isPaused && first.dueAt == nil)
        #expect(first.elapsed == 20 * minute && first.remaining == 40 * minute)
        #expect(paused.resolution?.phase == .paused && paused.resolution?.elapsed == 20 * minute)
        #expect(paused.nextCheckAt == nil)
        ticket.facts.append(.status(.open, at: iso("2026-06-02T14:00:00+02:00")))
        let resumed = try clock().evaluate(ticket, at: iso("2026-06-02T14:00:00+02:00"))
        #expect(resumed.firstReply?.dueAt == iso("2026-06-02T14:40:00+02:00"))
        #expect(resumed.firstReply?.phase == .running)
        // Resolution: 7 h 40 min left from Tuesday 14:00 -> Tuesday 3 h, Wednesday 4 h 40 min.
        #expect(resumed.resolution?.dueAt == iso("2026-06-03T13:40:00+02:00"))
    }

    @Test("a breach before the pause stands while paused")
    func breachedThenPaused() throws {
        let ticket = timeline(
            created: "2026-06-01T10:00:00+02:00",
            [(.customerMessage, "2026-06-01T10:00:00+02:00"), (.status(.onHold), "2026-06-01T11:30:00+02:00")])
        let state = try #require(try clock().evaluate(ticket, at: iso("2026-06-01T15:00:00+02:00")).firstReply)
        #expect(state.isPaused && state.isActiveBreach)
        #expect(state.breachedAt == iso("2026-06-01T11:00:00+02:00") && state.dueAt == state.breachedAt)
        #expect(state.remaining == -30 * minute)
    }

    @Test("a target that runs out exactly when the ticket is paused is breached at that instant")
    func runsOutAtPause() throws {
        let ticket = timeline(
            created: "2026-06-01T10:00:00+02:00",
            [(.customerMessage, "2026-06-01T10:00:00+02:00"), (.status(.pending), "2026-06-01T11:00:00+02:00")])
        let state = try #require(try clock().evaluate(ticket, at: iso("2026-06-01T12:00:00+02:00")).firstReply)
        #expect(state.breachedAt == iso("2026-06-01T11:00:00+02:00") && state.remaining == 0 && state.isPaused)
    }

    @Test("resolution is achieved at the solve and closing keeps the solve instant")
    func solvedThenClosed() throws {
        let ticket = timeline(
            created: "2026-06-01T10:00:00+02:00",
            [
                (.customerMessage, "2026-06-01T10:00:00+02:00"), (.status(.open), "2026-06-01T10:05:00+02:00"),
                (.agentReply, "2026-06-01T10:30:00+02:00"), (.status(.solved), "2026-06-01T12:00:00+02:00"),
                (.status(.closed), "2026-06-05T12:00:00+02:00"),
            ])
        let resolution = try #require(try clock().evaluate(ticket, at: iso("2026-06-08T12:00:00+02:00")).resolution)
        #expect(resolution.achievedAt == iso("2026-06-01T12:00:00+02:00"))
        #expect(resolution.elapsed == 2 * hour && resolution.remaining == 6 * hour && resolution.dueAt == nil)
    }

    @Test("solved while pending: achieved at the solve, the pending time not counted")
    func solvedWhilePaused() throws {
        let ticket = timeline(
            created: "2026-06-01T10:00:00+02:00",
            [
                (.customerMessage, "2026-06-01T10:00:00+02:00"), (.agentReply, "2026-06-01T10:30:00+02:00"),
                (.status(.pending), "2026-06-01T10:30:00+02:00"), (.status(.solved), "2026-06-04T09:00:00+02:00"),
            ])
        let report = try clock().evaluate(ticket, at: iso("2026-06-04T09:00:00+02:00"))
        let resolution = try #require(report.resolution)
        #expect(resolution.achievedAt == iso("2026-06-04T09:00:00+02:00") && resolution.elapsed == 30 * minute)
        #expect(!resolution.isBreached && report.nextCheckAt == nil)
    }

    @Test("a reopen resumes the same resolution clock; a second solve achieves it, late here")
    func reopen() throws {
        var ticket = timeline(
            created: "2026-06-01T09:00:00+02:00",
            [
                (.customerMessage, "2026-06-01T09:00:00+02:00"), (.agentReply, "2026-06-01T09:15:00+02:00"),
                (.status(.solved), "2026-06-01T15:00:00+02:00"),
                (.customerMessage, "2026-06-03T09:00:00+02:00"), (.status(.open), "2026-06-03T09:00:00+02:00"),
            ])
        let reopened = try clock().evaluate(ticket, at: iso("2026-06-03T10:00:00+02:00"))
        let running = try #require(reopened.resolution)
        // Monday 09:00–15:00 used 6 of the 8 hours; the remaining 2 run from Wednesday 09:00.
        #expect(running.phase == .running && running.achievedAt == nil && running.breachedAt == nil)
        #expect(running.elapsed == 7 * hour && running.dueAt == iso("2026-06-03T11:00:00+02:00"))
        #expect(running.isNearBreach && running.nearBreachAt == iso("2026-06-03T09:24:00+02:00"))
        #expect(reopened.nextReply?.startedAt == iso("2026-06-03T09:00:00+02:00"))
        ticket.facts += [
            .agentReply(at: iso("2026-06-03T11:30:00+02:00")), .status(.solved, at: iso("2026-06-03T11:30:00+02:00")),
        ]
        let solved = try #require(try clock().evaluate(ticket, at: iso("2026-06-03T12:00:00+02:00")).resolution)
        #expect(
            solved.achievedAt == iso("2026-06-03T11:30:00+02:00")
                && solved.breachedAt == iso("2026-06-03T11:00:00+02:00"))
        #expect(solved.elapsed == 8.5 * hour && solved.remaining == -30 * minute && !solved.isActiveBreach)
    }

    @Test("solved without a reply: the reply target stops, unachieved; a reopen resumes it; a reply achieves it")
    func solvedWithoutReply() throws {
        var ticket = timeline(
            created: "2026-06-01T10:00:00+02:00",
            [(.customerMessage, "2026-06-01T10:00:00+02:00"), (.status(.solved), "2026-06-01T10:20:00+02:00")])
        let stopped = try #require(try clock().evaluate(ticket, at: iso("2026-06-02T10:00:00+02:00")).firstReply)
        #expect(
            stopped.phase == .stopped && !stopped.isAchieved && stopped.dueAt == nil && stopped.elapsed == 20 * minute)
        ticket.facts += [
            .customerMessage(at: iso("2026-06-02T10:00:00+02:00")),
            .status(.open, at: iso("2026-06-02T10:00:00+02:00")),
        ]
        let reopened = try clock().evaluate(ticket, at: iso("2026-06-02T10:00:00+02:00"))
        #expect(
            reopened.firstReply?.phase == .running && reopened.firstReply?.dueAt == iso("2026-06-02T10:40:00+02:00"))
        #expect(reopened.nextReplies.isEmpty)  // the new message falls inside the still unanswered first cycle
        ticket.facts.append(.agentReply(at: iso("2026-06-02T10:30:00+02:00")))
        let answered = try #require(try clock().evaluate(ticket, at: iso("2026-06-02T11:00:00+02:00")).firstReply)
        #expect(answered.isAchieved && answered.elapsed == 50 * minute && !answered.isBreached)
    }

    @Test("a ticket created solved (a logged call) achieves resolution at once")
    func createdSolved() throws {
        let ticket = timeline(created: "2026-06-01T10:00:00+02:00", initialStatus: .solved, [])
        let report = try clock().evaluate(ticket, at: iso("2026-06-01T11:00:00+02:00"))
        #expect(report.resolution?.achievedAt == iso("2026-06-01T10:00:00+02:00") && report.resolution?.elapsed == 0)
        #expect(report.firstReply == nil)
    }

    @Test("facts after now are ignored; a ticket created after now has no targets; early facts count at creation")
    func evaluationInstant() throws {
        let ticket = timeline(
            created: "2026-06-01T10:00:00+02:00",
            [(.customerMessage, "2026-06-01T09:00:00+02:00"), (.agentReply, "2026-06-01T10:30:00+02:00")])
        let before = try clock().evaluate(ticket, at: iso("2026-06-01T10:10:00+02:00"))
        #expect(
            before.firstReply?.phase == .running && before.firstReply?.startedAt == iso("2026-06-01T10:00:00+02:00"))
        #expect(try clock().evaluate(ticket, at: iso("2026-06-01T10:40:00+02:00")).firstReply?.isAchieved == true)
        let early = try clock().evaluate(ticket, at: iso("2026-06-01T09:59:59+02:00"))
        #expect(early.metrics.isEmpty && early.nextCheckAt == nil)
    }
}

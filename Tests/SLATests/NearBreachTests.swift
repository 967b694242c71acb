import Foundation
import SLA
import Testing

@Suite("SLA clock: near breach and the next check")
struct NearBreachTests {
    private let waiting = timeline(
        created: "2026-06-01T10:00:00+02:00", [(.customerMessage, "2026-06-01T10:00:00+02:00")])

    @Test(
        "20 % of a one-hour target: near breach from 12 minutes before the due instant",
        arguments: [
            ("2026-06-01T10:47:59+02:00", false), ("2026-06-01T10:48:00+02:00", true),
            ("2026-06-01T10:59:59+02:00", true), ("2026-06-01T11:00:00+02:00", false),
        ])
    func fraction(now: String, near: Bool) throws {
        let clock = try makeClock(Calendars.berlinNineToFive(), firstReply: 3600, nearBreach: .fraction(0.2))
        let report = clock.evaluate(waiting, at: iso(now))
        #expect(report.firstReply?.isNearBreach == near && report.isNearBreach == near)
        #expect(report.firstReply?.nearBreachAt == iso("2026-06-01T10:48:00+02:00"))
    }

    @Test("a fixed threshold of five minutes, and the default of 20 %")
    func fixedAndDefault() throws {
        let fixed = try makeClock(Calendars.berlinNineToFive(), firstReply: 3600, nearBreach: .seconds(300))
        #expect(fixed.evaluate(waiting, at: iso("2026-06-01T10:54:59+02:00")).isNearBreach == false)
        #expect(fixed.evaluate(waiting, at: iso("2026-06-01T10:55:00+02:00")).isNearBreach == true)
        let standard = try makeClock(Calendars.berlinNineToFive(), firstReply: 3600)
        #expect(standard.evaluate(waiting, at: iso("2026-06-01T10:48:00+02:00")).firstReply?.isNearBreach == true)
    }

    @Test("the threshold is business time: near breach arrives after the night")
    func overnight() throws {
        let clock = try makeClock(Calendars.berlinNineToFive(), firstReply: 3600)
        let late = timeline(created: "2026-06-01T16:30:00+02:00", [(.customerMessage, "2026-06-01T16:30:00+02:00")])
        let evening = try #require(clock.evaluate(late, at: iso("2026-06-01T22:00:00+02:00")).firstReply)
        #expect(!evening.isNearBreach && evening.remaining == 30 * minute)
        #expect(
            evening.nearBreachAt == iso("2026-06-02T09:18:00+02:00")
                && evening.dueAt == iso("2026-06-02T09:30:00+02:00"))
    }

    @Test("a threshold at or above the target makes the target near breach from its start")
    func thresholdAboveTarget() throws {
        let clock = try makeClock(Calendars.berlinNineToFive(), firstReply: 600, nearBreach: .seconds(900))
        let state = try #require(clock.evaluate(waiting, at: iso("2026-06-01T10:00:00+02:00")).firstReply)
        #expect(state.isNearBreach && state.nearBreachAt == iso("2026-06-01T10:00:00+02:00"))
    }

    @Test("achieved or breached targets are not near breach; paused ones still are")
    func states() throws {
        let clock = try makeClock(Calendars.berlinNineToFive(), firstReply: 3600)
        var answered = waiting
        answered.facts.append(.agentReply(at: iso("2026-06-01T10:55:00+02:00")))
        #expect(clock.evaluate(answered, at: iso("2026-06-01T10:56:00+02:00")).isNearBreach == false)
        #expect(clock.evaluate(waiting, at: iso("2026-06-01T11:01:00+02:00")).isNearBreach == false)
        var paused = waiting
        paused.facts.append(.status(.pending, at: iso("2026-06-01T10:50:00+02:00")))
        let state = try #require(clock.evaluate(paused, at: iso("2026-06-01T15:00:00+02:00")).firstReply)
        #expect(state.isPaused && state.isNearBreach && state.remaining == 10 * minute)
    }

    @Test("the next check is the next near-breach or due instant of a running target")
    func nextCheck() throws {
        let clock = try makeClock(Calendars.berlinNineToFive(), firstReply: 3600, resolution: 4 * 3600)
        #expect(
            clock.evaluate(waiting, at: iso("2026-06-01T10:00:00+02:00")).nextCheckAt
                == iso("2026-06-01T10:48:00+02:00"))
        #expect(
            clock.evaluate(waiting, at: iso("2026-06-01T10:48:00+02:00")).nextCheckAt
                == iso("2026-06-01T11:00:00+02:00"))
        // After the first reply's due instant: the resolution target's near breach (3 h 12 min of business time).
        #expect(
            clock.evaluate(waiting, at: iso("2026-06-01T11:00:00+02:00")).nextCheckAt
                == iso("2026-06-01T13:12:00+02:00"))
        #expect(clock.evaluate(waiting, at: iso("2026-06-01T14:00:00+02:00")).nextCheckAt == nil)
    }
}

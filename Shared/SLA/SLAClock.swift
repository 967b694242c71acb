import Foundation

/// Computes a ticket's SLA targets from its timeline under one policy and one business calendar.
///
/// The rules (when each clock starts, runs, pauses, stops and ends) are in `docs/sla.md`. In short: clocks run only
/// while the ticket is `new` or `open`, and only during the calendar's business hours; `pending` and `on_hold` pause
/// them; `solved` and `closed` stop them and achieve resolution; a reopen resumes the same clocks.
public struct SLAClock: Sendable {
    /// The policy whose targets are measured.
    public let policy: SLAPolicy
    /// The calendar whose business hours count (``BusinessCalendar/twentyFourSeven`` for calendar time).
    public let calendar: BusinessCalendar

    /// A clock for `policy` over `calendar`.
    public init(policy: SLAPolicy, calendar: BusinessCalendar) {
        self.policy = policy
        self.calendar = calendar
    }

    /// Every target of the ticket as of `now`. Facts dated after `now` are ignored; a ticket created after `now`
    /// has no targets yet.
    public func evaluate(_ timeline: TicketTimeline, at now: Date) -> SLAReport {
        var report = SLAReport(
            policyID: policy.id, evaluatedAt: now, firstReply: nil, nextReplies: [], resolution: nil)
        guard timeline.createdAt <= now else { return report }
        // Clamp to the creation, sort by time keeping the given order at equal instants, drop the future.
        let facts = timeline.facts
            .map { TicketFact($0.kind, at: max($0.at, timeline.createdAt)) }
            .enumerated()
            .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
            .map(\.element)
            .filter { $0.at <= now }
        let history = StatusHistory(
            initialStatus: timeline.initialStatus, createdAt: timeline.createdAt, facts: facts)
        let running = history.runningSpans
        let evaluator = TargetEvaluator(calendar: calendar, threshold: policy.nearBreachThreshold, now: now)

        for cycle in ReplyCycle.cycles(in: facts) {
            guard let target = policy.targets.seconds(for: cycle.metric) else { continue }
            let state = evaluator.evaluate(
                metric: cycle.metric, target: target, start: cycle.start, end: cycle.end, running: running,
                current: history.current)
            if cycle.metric == .firstReply { report.firstReply = state } else { report.nextReplies.append(state) }
        }
        if let target = policy.targets.resolution {
            report.resolution = evaluator.evaluate(
                metric: .resolution, target: target, start: timeline.createdAt, end: history.currentStopStart,
                running: running, current: history.current)
        }
        return report
    }
}

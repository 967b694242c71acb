import Foundation

/// Evaluates one target over the spans during which its clock runs.
struct TargetEvaluator {
    let calendar: BusinessCalendar
    let threshold: NearBreachThreshold
    let now: Date

    /// The state of a target of `target` business seconds that started at `start`, ended (was achieved) at `end`,
    /// whose clock runs during `running` (the ticket's running spans), with the ticket now in `current`.
    func evaluate(
        metric: SLAMetric, target: Int, start: Date, end: Date?, running: [ClockSpan], current: SLATicketStatus
    ) -> SLAMetricState {
        let spans = running.compactMap { $0.clipped(from: start, until: end) }
        let due = instant(whereCounted: Double(target), over: spans, from: start)
        let nearDue = instant(
            whereCounted: Double(target) - threshold.seconds(forTarget: target), over: spans, from: start)
        let elapsed = spans.reduce(0.0) { total, span in
            guard span.start < now else { return total }
            return total + calendar.businessTime(from: span.start, to: min(span.end ?? now, now))
        }
        let phase: SLAPhase =
            if end != nil {
                .achieved
            } else {
                switch current.clock {
                case .runs: .running
                case .pauses: .paused
                case .stops: .stopped
                }
            }
        let onTime = end.map { ended in due.map { ended <= $0 } ?? true } ?? false
        let breachedAt = onTime ? nil : due.flatMap { $0 <= now ? $0 : nil }
        let remaining = Double(target) - elapsed
        return SLAMetricState(
            metric: metric, target: target, startedAt: start, phase: phase, achievedAt: end, breachedAt: breachedAt,
            dueAt: onTime ? nil : due, nearBreachAt: nearDue, elapsed: elapsed, remaining: remaining,
            isNearBreach: phase != .achieved && breachedAt == nil
                && remaining <= threshold.seconds(forTarget: target))
    }

    /// The earliest instant at which `amount` business seconds have been counted over `spans`; nil when the spans
    /// end first. An amount of zero or less is reached at `start`.
    private func instant(whereCounted amount: Double, over spans: [ClockSpan], from start: Date) -> Date? {
        guard amount > 0 else { return start }
        var counted = 0.0
        for span in spans {
            guard let end = span.end else {
                return calendar.adding(businessSeconds: amount - counted, to: span.start)
            }
            let available = calendar.businessTime(from: span.start, to: end)
            if counted + available >= amount {
                return min(calendar.adding(businessSeconds: amount - counted, to: span.start), end)
            }
            counted += available
        }
        return nil
    }
}

import Foundation

/// A ticket's statuses over time, as of one instant, and the spans during which SLA clocks run.
struct StatusHistory {
    /// Status runs in time order: each lasts until the next one starts; the last lasts on.
    private(set) var runs: [(start: Date, status: SLATicketStatus)]

    /// The statuses of `timeline` up to `now` (facts already sorted and clamped by the caller).
    init(initialStatus: SLATicketStatus, createdAt: Date, facts: [TicketFact]) {
        runs = [(createdAt, initialStatus)]
        for fact in facts {
            guard case .status(let status) = fact.kind, let last = runs.last, status != last.status else { continue }
            if last.start == fact.at {
                runs[runs.count - 1].status = status
            } else {
                runs.append((fact.at, status))
            }
        }
    }

    /// The status in force at the end of the history.
    var current: SLATicketStatus { runs.last?.status ?? .new }

    /// The spans during which the status is `new` or `open`, in time order, the last one open-ended when the ticket
    /// is running now.
    var runningSpans: [ClockSpan] {
        var spans: [ClockSpan] = []
        for (index, run) in runs.enumerated() where run.status.clock == .runs {
            let end = index + 1 < runs.count ? runs[index + 1].start : nil
            spans.append(ClockSpan(start: run.start, end: end))
        }
        return spans
    }

    /// When the current stretch of `solved`/`closed` began (the solve instant), or nil when the ticket is not
    /// stopped now.
    var currentStopStart: Date? {
        guard current.clock == .stops else { return nil }
        var start = runs.last?.start
        for run in runs.reversed() {
            guard run.status.clock == .stops else { break }
            start = run.start
        }
        return start
    }
}

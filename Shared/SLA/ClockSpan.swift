import Foundation

/// A stretch of real time during which a target's clock runs, `start` inclusive to `end` exclusive; `end` nil
/// means "from `start` on, for as long as nothing new happens".
struct ClockSpan: Equatable {
    var start: Date
    var end: Date?

    /// The part of this span inside `[from, until)` (`until` nil: unbounded), or nil when they do not meet.
    func clipped(from: Date, until: Date?) -> ClockSpan? {
        let start = max(self.start, from)
        let end: Date? =
            switch (self.end, until) {
            case (let a?, let b?): min(a, b)
            case (let a?, nil): a
            case (nil, let b?): b
            case (nil, nil): nil
            }
        if let end, end <= start { return nil }
        return ClockSpan(start: start, end: end)
    }
}

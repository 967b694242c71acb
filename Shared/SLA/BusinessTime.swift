import Foundation

extension BusinessCalendar {
    /// The business time, in seconds, between two instants: how much of `[start, end)` falls inside open blocks.
    /// Zero when `end` is not after `start`.
    public func businessTime(from start: Date, to end: Date) -> TimeInterval {
        guard end > start else { return 0 }
        if isContinuous { return end.timeIntervalSince(start) }
        let from = start.timeIntervalSince1970
        let to = end.timeIntervalSince1970
        var total: TimeInterval = 0
        forEachOpenInterval(from: start) { interval in
            let open = TimeInterval(interval.start)
            guard open < to else { return false }
            let overlap = min(TimeInterval(interval.end), to) - max(open, from)
            if overlap > 0 { total += overlap }
            return true
        }
        return total
    }

    /// The earliest instant at which `businessSeconds` of business time have elapsed after `start`.
    ///
    /// Zero (or less) returns `start` itself, open or not. Otherwise the result is always inside an open block or at
    /// its end: one hour added at 16:30 to a block that closes at 17:30 gives 17:30 of the same day, not the next
    /// opening. A start outside business hours counts from the next opening.
    public func adding(businessSeconds: TimeInterval, to start: Date) -> Date {
        guard businessSeconds > 0 else { return start }
        if isContinuous { return start.addingTimeInterval(businessSeconds) }
        let from = start.timeIntervalSince1970
        var remaining = businessSeconds
        var result = start
        forEachOpenInterval(from: start) { interval in
            let begin = max(TimeInterval(interval.start), from)
            let available = TimeInterval(interval.end) - begin
            guard available > 0 else { return true }
            if remaining <= available {
                result = Date(timeIntervalSince1970: begin + remaining)
                return false
            }
            remaining -= available
            return true
        }
        return result
    }

    /// Whether `instant` is inside an open block (a block's start is inside, its end is not).
    public func isOpen(at instant: Date) -> Bool {
        if isContinuous { return true }
        let at = instant.timeIntervalSince1970
        var open = false
        forEachOpenInterval(from: instant) { interval in
            guard TimeInterval(interval.start) <= at else { return false }
            if at < TimeInterval(interval.end) {
                open = true
                return false
            }
            return true
        }
        return open
    }
}

import Foundation

/// One stretch of real time during which a calendar is open, in whole seconds since 1970, `start` inclusive to
/// `end` exclusive.
struct OpenInterval: Equatable {
    var start: Int
    var end: Int
}

extension BusinessCalendar {
    /// Calls `body` with every open interval of the calendar, in time order, starting with the local day before the
    /// one that contains `date` (so that nothing overlapping `date` is missed), until `body` returns false.
    ///
    /// A block on local day D covers the real instants from its start wall time to its end wall time, both mapped by
    /// ``WallClock``'s rule, so a block spanning a transition is an hour longer or shorter in real time. A block
    /// ending at 24:00 ends where the next day's 00:00 maps. Blocks that a transition reduces to nothing are skipped.
    /// The calendar must have at least one block (validation ensures it), otherwise this never returns.
    func forEachOpenInterval(from date: Date, _ body: (OpenInterval) -> Bool) {
        let clock = wallClock
        var day = clock.localDay(at: date) - 1
        while true {
            if let blocks = weeklyHours[Weekday(dayNumber: day)], !holidayDays.contains(day) {
                let midnight = day * Civil.secondsPerDay
                for block in blocks {
                    let start = clock.instant(forLocalSeconds: midnight + block.start.minutes * 60)
                    let end = clock.instant(forLocalSeconds: midnight + block.end.minutes * 60)
                    if end > start, !body(OpenInterval(start: start, end: end)) { return }
                }
            }
            day += 1
        }
    }

    /// True when every instant is business time (always open, no holidays), so the arithmetic is plain.
    var isContinuous: Bool { isAlwaysOpen && holidays.isEmpty }
}

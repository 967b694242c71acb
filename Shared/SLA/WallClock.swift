import Foundation

/// Converts between instants (whole seconds since 1970-01-01T00:00:00Z) and local wall-clock time in one time
/// zone. "Local seconds" are the wall-clock reading written as seconds since local 1970-01-01 00:00, so that the
/// local day is `localSeconds / 86400` and the time of day the remainder.
///
/// The rule for wall times that a daylight-saving transition skips or repeats: a wall time maps to the *earliest
/// instant whose wall-clock reading is at or after it*. A skipped time (02:30 on the night the clocks go forward)
/// therefore maps to the transition itself (03:00 new time), and a repeated time (02:30 on the night the clocks go
/// back) to its first occurrence.
struct WallClock: Sendable {
    let timeZone: TimeZone

    /// The zone's offset from UTC, in seconds, at an instant.
    func offset(atInstant instant: Int) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// The wall-clock reading at an instant, as local seconds.
    func localSeconds(atInstant instant: Int) -> Int {
        instant + offset(atInstant: instant)
    }

    /// The local day number (days since local 1970-01-01) at an instant.
    func localDay(at date: Date) -> Int {
        let instant = Int(date.timeIntervalSince1970.rounded(.down))
        return Civil.floorDivide(localSeconds(atInstant: instant), Civil.secondsPerDay)
    }

    /// The earliest instant whose wall-clock reading is at or after `local` (see the type's rule).
    func instant(forLocalSeconds local: Int) -> Int {
        // Offsets in force around that wall time; real zones change offset at most once within a day either side.
        let offsets = Set([-Civil.secondsPerDay, 0, Civil.secondsPerDay].map { offset(atInstant: local + $0) })
        let valid = offsets.map { local - $0 }.filter { offset(atInstant: $0) == local - $0 }
        if let earliest = valid.min() { return earliest }
        // Skipped by a forward transition: find the transition, the first instant that reads at or after `local`.
        var low = local - (offsets.max() ?? 0)
        var high = local - (offsets.min() ?? 0)
        if low > high { swap(&low, &high) }
        while low < high {
            let middle = low + (high - low) / 2
            if localSeconds(atInstant: middle) >= local { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

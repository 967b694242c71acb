/// One stretch of opening hours on a weekday, `start` inclusive to `end` exclusive, in the calendar's local time
/// (`09:00`–`12:00`). A block never crosses midnight: write `22:00–24:00` and `00:00–02:00` on the next day.
public struct OpenBlock: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// When the block opens.
    public let start: TimeOfDay
    /// When the block closes; after `start`, at most 24:00.
    public let end: TimeOfDay

    /// The block `start`–`end`, or nil when `end` is not after `start` or `start` is 24:00.
    public init?(start: TimeOfDay, end: TimeOfDay) {
        guard start < end else { return nil }
        self.start = start
        self.end = end
    }

    /// `HH:MM–HH:MM`.
    public var description: String { "\(start)–\(end)" }

    /// Earlier blocks first.
    public static func < (lhs: OpenBlock, rhs: OpenBlock) -> Bool {
        (lhs.start, lhs.end) < (rhs.start, rhs.end)
    }
}

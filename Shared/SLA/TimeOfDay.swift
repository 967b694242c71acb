/// A wall-clock time of day with minute precision, from 00:00 to 24:00 (24:00 is the end of the day and is only
/// valid as the end of an open block).
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Minutes since local midnight, 0 to 1440.
    public let minutes: Int

    /// The time `hour:minute`, or nil outside 00:00…24:00.
    public init?(hour: Int, minute: Int) {
        guard (0...24).contains(hour), (0...59).contains(minute), hour < 24 || minute == 0 else { return nil }
        minutes = hour * 60 + minute
    }

    /// Parses exactly `HH:MM` (two digits each, 00:00 to 24:00); nil for anything else (`9:00`, `09:60`, `25:00`).
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"), let hour = Digits.value(bytes[0..<2]),
            let minute = Digits.value(bytes[3..<5])
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    /// `HH:MM`.
    public var description: String { Digits.padded(minutes / 60, 2) + ":" + Digits.padded(minutes % 60, 2) }

    /// Earlier times first.
    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.minutes < rhs.minutes }
}

extension TimeOfDay {
    /// 00:00.
    static let midnight = TimeOfDay(minutes: 0)
    /// 24:00, the end of the day.
    static let endOfDay = TimeOfDay(minutes: 1440)

    private init(minutes: Int) { self.minutes = minutes }
}

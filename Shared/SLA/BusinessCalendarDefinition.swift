import Foundation

/// The JSON form of a business calendar, exactly as an administrator writes it; turn it into a
/// ``BusinessCalendar`` with ``BusinessCalendar/init(_:)``, which validates it.
///
/// ```json
/// {
///   "time_zone": "Europe/Berlin",
///   "weekly_hours": {
///     "monday": [{ "start": "09:00", "end": "12:00" }, { "start": "13:00", "end": "17:30" }],
///     "saturday": [{ "start": "10:00", "end": "14:00" }]
///   },
///   "holidays": ["2026-12-25", "2026-12-26"]
/// }
/// ```
///
/// A 24/7 calendar is `{"time_zone": "UTC", "always_open": true}` (holidays still close it when given).
public struct BusinessCalendarDefinition: Codable, Sendable, Equatable {
    /// An IANA time zone identifier (`Europe/Berlin`, `America/New_York`, `UTC`).
    public var timeZone: String
    /// Open around the clock, every day except the holidays; `weekly_hours` must then be empty.
    public var alwaysOpen: Bool?
    /// Open blocks by lower-case weekday name; a weekday that is missing (or has no blocks) is closed all day.
    public var weeklyHours: [String: [OpenBlockDefinition]]?
    /// Local dates (`YYYY-MM-DD`) on which the calendar is closed all day.
    public var holidays: [String]?

    /// A definition; see the type's documentation for the meaning of each field.
    public init(
        timeZone: String, alwaysOpen: Bool? = nil, weeklyHours: [String: [OpenBlockDefinition]]? = nil,
        holidays: [String]? = nil
    ) {
        self.timeZone = timeZone
        self.alwaysOpen = alwaysOpen
        self.weeklyHours = weeklyHours
        self.holidays = holidays
    }

    enum CodingKeys: String, CodingKey {
        case timeZone = "time_zone"
        case alwaysOpen = "always_open"
        case weeklyHours = "weekly_hours"
        case holidays
    }

    /// Everything wrong with the definition, each issue named by its JSON path; empty when it is valid.
    public func validate() -> [SLAFieldIssue] {
        var issues: [SLAFieldIssue] = []
        _ = parse(into: &issues)
        return issues
    }

    /// The parsed parts, collecting issues; nil when there was any issue.
    func parse(into issues: inout [SLAFieldIssue]) -> Parsed? {
        let zone = Self.parseTimeZone(timeZone, into: &issues)
        let schedule = parseWeeklyHours(into: &issues)
        let closed = parseHolidays(into: &issues)
        guard issues.isEmpty, let zone else { return nil }
        return Parsed(timeZone: zone, schedule: schedule, holidays: closed)
    }

    /// What a valid definition means.
    struct Parsed {
        var timeZone: TimeZone
        var schedule: [Weekday: [OpenBlock]]
        var holidays: Set<LocalDate>
    }

    private static func parseTimeZone(_ identifier: String, into issues: inout [SLAFieldIssue]) -> TimeZone? {
        let trimmed = identifier.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed == identifier, let zone = TimeZone(identifier: identifier) else {
            issues.append(
                SLAFieldIssue(
                    "time_zone", "unknown time zone '\(identifier)'; use an IANA identifier such as Europe/Berlin"))
            return nil
        }
        return zone
    }

    private func parseWeeklyHours(into issues: inout [SLAFieldIssue]) -> [Weekday: [OpenBlock]] {
        let hours = weeklyHours ?? [:]
        let blockCount = hours.values.reduce(0) { $0 + $1.count }
        if alwaysOpen == true {
            if blockCount > 0 {
                issues.append(SLAFieldIssue("weekly_hours", "must be empty when always_open is true"))
            }
            let allDay = OpenBlock(start: TimeOfDay.midnight, end: TimeOfDay.endOfDay)
            return Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0, allDay.map { [$0] } ?? []) })
        }
        if blockCount == 0 {
            issues.append(
                SLAFieldIssue("weekly_hours", "must contain at least one open block unless always_open is true"))
        }
        var schedule: [Weekday: [OpenBlock]] = [:]
        for name in hours.keys.sorted() {
            let path = "weekly_hours.\(name)"
            guard let weekday = Weekday(rawValue: name) else {
                let names = Weekday.allCases.map(\.rawValue).joined(separator: ", ")
                issues.append(SLAFieldIssue(path, "unknown weekday '\(name)'; expected one of \(names)"))
                continue
            }
            schedule[weekday] = Self.parseBlocks(hours[name] ?? [], path: path, into: &issues)
        }
        return schedule
    }

    private static func parseBlocks(
        _ definitions: [OpenBlockDefinition], path: String, into issues: inout [SLAFieldIssue]
    ) -> [OpenBlock] {
        var blocks: [(index: Int, block: OpenBlock)] = []
        for (index, definition) in definitions.enumerated() {
            if let block = definition.parse(path: "\(path)[\(index)]", into: &issues) {
                blocks.append((index, block))
            }
        }
        blocks.sort { $0.block < $1.block }
        // Compare each block with the one reaching furthest so far, which catches non-neighbouring overlaps too.
        var widest = blocks.first
        for next in blocks.dropFirst() {
            guard let reach = widest else { break }
            if next.block.start < reach.block.end {
                let (first, second) = reach.index < next.index ? (reach, next) : (next, reach)
                issues.append(
                    SLAFieldIssue(
                        "\(path)[\(second.index)]",
                        "block \(second.block) overlaps \(path)[\(first.index)] (\(first.block))"))
            }
            if next.block.end > reach.block.end { widest = next }
        }
        return blocks.map(\.block)
    }

    private func parseHolidays(into issues: inout [SLAFieldIssue]) -> Set<LocalDate> {
        var dates: Set<LocalDate> = []
        for (index, text) in (holidays ?? []).enumerated() {
            guard let date = LocalDate(text) else {
                issues.append(
                    SLAFieldIssue("holidays[\(index)]", "'\(text)' must be an existing date written YYYY-MM-DD"))
                continue
            }
            dates.insert(date)
        }
        return dates
    }
}

/// The JSON form of one open block: `{"start": "09:00", "end": "12:00"}`.
public struct OpenBlockDefinition: Codable, Sendable, Equatable {
    /// When the block opens, `HH:MM` from 00:00 to 23:59.
    public var start: String
    /// When the block closes, `HH:MM` after `start`, at most 24:00.
    public var end: String

    /// A block from `start` to `end`.
    public init(start: String, end: String) {
        self.start = start
        self.end = end
    }

    /// The block, collecting issues under `path`; nil when there was any.
    func parse(path: String, into issues: inout [SLAFieldIssue]) -> OpenBlock? {
        let opening = TimeOfDay(start)
        let closing = TimeOfDay(end)
        if opening == nil {
            issues.append(SLAFieldIssue("\(path).start", "'\(start)' must be a time written HH:MM (00:00 to 23:59)"))
        } else if opening == TimeOfDay.endOfDay {
            issues.append(SLAFieldIssue("\(path).start", "must be before 24:00"))
        }
        if closing == nil {
            issues.append(SLAFieldIssue("\(path).end", "'\(end)' must be a time written HH:MM (00:01 to 24:00)"))
        }
        guard let opening, let closing, opening != TimeOfDay.endOfDay else { return nil }
        guard let block = OpenBlock(start: opening, end: closing) else {
            issues.append(
                SLAFieldIssue(
                    "\(path).end",
                    "end \(closing) must be after start \(opening); a block that crosses midnight is written as two "
                        + "blocks (…–24:00, then 00:00–… on the next day)"))
            return nil
        }
        return block
    }
}

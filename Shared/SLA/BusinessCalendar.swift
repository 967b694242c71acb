import Foundation

/// When a support team works: a time zone, open blocks per weekday and full-day holidays, or around the clock.
///
/// Build it from a ``BusinessCalendarDefinition`` (its JSON form), which is validated, or decode it directly from
/// that JSON. The business-time operations (``businessTime(from:to:)``, ``adding(businessSeconds:to:)``,
/// ``isOpen(at:)``) are exact across daylight-saving transitions; the rules are in `docs/sla.md`.
public struct BusinessCalendar: Sendable, Equatable, Codable {
    /// The definition this calendar was built from (encoded back unchanged).
    public let definition: BusinessCalendarDefinition
    /// The calendar's time zone.
    public let timeZone: TimeZone
    /// Open blocks by weekday, sorted and non-overlapping; a weekday without blocks is closed.
    public let weeklyHours: [Weekday: [OpenBlock]]
    /// Local dates on which the calendar is closed all day.
    public let holidays: Set<LocalDate>
    /// The holidays as day numbers, for lookups while iterating days.
    let holidayDays: Set<Int>

    /// Validates `definition`; throws ``SLAValidationError`` with every issue found.
    public init(_ definition: BusinessCalendarDefinition) throws(SLAValidationError) {
        var issues: [SLAFieldIssue] = []
        guard let parsed = definition.parse(into: &issues) else { throw SLAValidationError(issues: issues) }
        self.definition = definition
        timeZone = parsed.timeZone
        weeklyHours = parsed.schedule
        holidays = parsed.holidays
        holidayDays = Set(parsed.holidays.map(\.dayNumber))
    }

    /// A calendar that is open around the clock in UTC with no holidays: business time equals elapsed time.
    public static let twentyFourSeven: BusinessCalendar = {
        let definition = BusinessCalendarDefinition(timeZone: "UTC", alwaysOpen: true)
        do {
            return try BusinessCalendar(definition)
        } catch {
            preconditionFailure("the 24/7 UTC calendar is valid: \(error)")
        }
    }()

    /// Open every minute of every day that is not a holiday.
    public var isAlwaysOpen: Bool { definition.alwaysOpen == true }

    /// Decodes the JSON form and validates it; an invalid definition throws ``SLAValidationError``.
    public init(from decoder: any Decoder) throws {
        try self.init(BusinessCalendarDefinition(from: decoder))
    }

    /// Encodes the definition.
    public func encode(to encoder: any Encoder) throws {
        try definition.encode(to: encoder)
    }

    /// Calendars are equal when their definitions are.
    public static func == (lhs: BusinessCalendar, rhs: BusinessCalendar) -> Bool {
        lhs.definition == rhs.definition
    }

    var wallClock: WallClock { WallClock(timeZone: timeZone) }
}

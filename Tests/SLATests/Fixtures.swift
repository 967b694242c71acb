import Foundation
import SLA
import Testing

/// An instant from an ISO 8601 string with an explicit offset (`2026-06-01T10:00:00+02:00`); records an issue and
/// returns the distant past when the text does not parse.
func iso(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions =
        text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
    guard let date = formatter.date(from: text) else {
        Issue.record("not an ISO 8601 instant: \(text)")
        return .distantPast
    }
    return date
}

/// A calendar from a time zone, blocks per weekday name and holidays; throws when the definition is invalid.
func makeCalendar(
    _ timeZone: String, _ hours: [String: [(String, String)]], holidays: [String] = []
) throws -> BusinessCalendar {
    try BusinessCalendar(
        BusinessCalendarDefinition(
            timeZone: timeZone,
            weeklyHours: hours.mapValues { $0.map { OpenBlockDefinition(start: $0.0, end: $0.1) } },
            holidays: holidays))
}

/// The same blocks on Monday to Friday.
func weekdays(_ blocks: [(String, String)]) -> [String: [(String, String)]] {
    Dictionary(uniqueKeysWithValues: ["monday", "tuesday", "wednesday", "thursday", "friday"].map { ($0, blocks) })
}

enum Calendars {
    /// Berlin office: Monday to Friday 09:00–12:00 and 13:00–17:30 (7.5 h a day), closed 24 and 25 December 2026.
    static func berlinOffice() throws -> BusinessCalendar {
        try makeCalendar(
            "Europe/Berlin", weekdays([("09:00", "12:00"), ("13:00", "17:30")]), holidays: ["2026-12-24", "2026-12-25"])
    }

    /// Berlin, Monday to Friday 09:00–17:00.
    static func berlinNineToFive() throws -> BusinessCalendar {
        try makeCalendar("Europe/Berlin", weekdays([("09:00", "17:00")]))
    }

    /// New York, Monday to Friday 09:00–17:00.
    static func newYorkNineToFive() throws -> BusinessCalendar {
        try makeCalendar("America/New_York", weekdays([("09:00", "17:00")]))
    }
}

/// One hour, in seconds.
let hour: TimeInterval = 3600
/// One minute, in seconds.
let minute: TimeInterval = 60

/// A clock over `calendar` with a policy of the given targets (business seconds) and near-breach threshold.
func makeClock(
    _ calendar: BusinessCalendar, firstReply: Int? = nil, nextReply: Int? = nil, resolution: Int? = nil,
    nearBreach: NearBreachThreshold? = nil
) -> SLAClock {
    SLAClock(
        policy: SLAPolicy(
            id: "test", priority: .high,
            targets: SLATargets(firstReply: firstReply, nextReply: nextReply, resolution: resolution),
            nearBreach: nearBreach),
        calendar: calendar)
}

/// A timeline from facts written as `(kind, ISO 8601 instant)`.
func timeline(
    created: String, initialStatus: SLATicketStatus = .new, _ facts: [(TicketFact.Kind, String)]
) -> TicketTimeline {
    TicketTimeline(
        createdAt: iso(created), initialStatus: initialStatus, facts: facts.map { TicketFact($0.0, at: iso($0.1)) })
}

import Contracts
import Foundation
import SLA
import Wire

/// `tickets.kpis`'s input: the period `[from, to)`, an optional grouping and the business calendar (given, or
/// Monday–Friday 09:00–17:00 in `time_zone`, UTC by default). Definitions: docs/kpis.md.
struct KPIQuery: OperationInput, Codable, Equatable {
    static let fields: Set<String> = ["from", "to", "group_by", "time_zone", "calendar"]
    static let nestedFields: [String: Set<String>] = [
        "calendar": ["time_zone", "always_open", "weekly_hours", "holidays"]
    ]
    /// The longest period one request may cover.
    static let maxDays = 400

    var from: Date
    var to: Date
    var groupBy: KPIGrouping?
    var timeZone: String?
    var calendar: BusinessCalendarDefinition?

    enum CodingKeys: String, CodingKey {
        case from, to, calendar
        case groupBy = "group_by"
        case timeZone = "time_zone"
    }

    func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if to <= from { issues.append(FieldIssue("to", "must be after from")) }
        if to.timeIntervalSince(from) > Double(Self.maxDays) * 86400 {
            issues.append(FieldIssue("to", "the period may cover at most \(Self.maxDays) days"))
        }
        if let timeZone, TimeZone(identifier: timeZone) == nil || timeZone.isEmpty {
            issues.append(FieldIssue("time_zone", "must be an IANA time zone such as Europe/Berlin"))
        }
        if let calendar {
            issues += calendar.validate().map { FieldIssue("calendar.\($0.field)", $0.message) }
            if let timeZone, timeZone != calendar.timeZone {
                issues.append(FieldIssue("time_zone", "must equal calendar.time_zone or be left out"))
            }
        }
        return issues
    }

    /// The calendar business hours are measured in.
    func businessCalendar() throws -> BusinessCalendar {
        let definition =
            calendar
            ?? BusinessCalendarDefinition(
                timeZone: timeZone ?? "UTC",
                weeklyHours: Dictionary(
                    uniqueKeysWithValues: ["monday", "tuesday", "wednesday", "thursday", "friday"].map {
                        ($0, [OpenBlockDefinition(start: "09:00", end: "17:00")])
                    }))
        do {
            return try BusinessCalendar(definition)
        } catch {
            throw Problem.validation(
                error.issues.map { .init(field: "calendar.\($0.field)", message: $0.message) })
        }
    }
}

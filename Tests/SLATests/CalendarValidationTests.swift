import Foundation
import SLA
import Testing

@Suite("SLA calendar validation")
struct CalendarValidationTests {
    private func issues(
        zone: String = "Europe/Berlin", alwaysOpen: Bool? = nil, _ hours: [String: [(String, String)]]?,
        holidays: [String]? = nil
    ) -> [SLAFieldIssue] {
        BusinessCalendarDefinition(
            timeZone: zone, alwaysOpen: alwaysOpen,
            weeklyHours: hours?.mapValues { $0.map { OpenBlockDefinition(start: $0.0, end: $0.1) } },
            holidays: holidays
        ).validate()
    }

    @Test("a calendar with several blocks a day, adjacent blocks and holidays is valid")
    func valid() {
        let hours = [
            "monday": [("13:00", "17:30"), ("09:00", "12:00"), ("12:00", "13:00")], "sunday": [("22:00", "24:00")],
        ]
        #expect(issues(hours, holidays: ["2026-12-25", "2026-12-25"]).isEmpty)
        #expect(issues(zone: "America/New_York", ["friday": [("00:00", "24:00")]]).isEmpty)
        #expect(issues(zone: "UTC", alwaysOpen: true, nil).isEmpty)
    }

    @Test(
        "unknown or padded time zones are refused",
        arguments: ["Mars/Olympus_Mons", "", " Europe/Berlin", "Europe/Berln"])
    func unknownTimeZone(zone: String) {
        let found = issues(zone: zone, ["monday": [("09:00", "17:00")]])
        #expect(found.map(\.field) == ["time_zone"])
        #expect(found.first?.message.contains("unknown time zone") == true)
    }

    @Test("unknown weekdays are refused with the expected names")
    func unknownWeekday() {
        let found = issues([
            "funday": [("09:00", "17:00")], "Monday": [("09:00", "17:00")], "tuesday": [("09:00", "17:00")],
        ])
        #expect(found.map(\.field) == ["weekly_hours.Monday", "weekly_hours.funday"])
        #expect(found.first?.message.contains("monday, tuesday, wednesday") == true)
    }

    @Test("times that are not HH:MM are refused on the field that holds them")
    func badTimes() {
        let found = issues(["monday": [("9:00", "12:00"), ("13:00", "17:61")], "friday": [("24:00", "24:00")]])
        #expect(
            found.map(\.field) == [
                "weekly_hours.friday[0].start", "weekly_hours.monday[0].start", "weekly_hours.monday[1].end",
            ])
        #expect(found.first?.message == "must be before 24:00")
    }

    @Test("a block that ends before (or when) it starts is refused, with a hint for blocks across midnight")
    func endBeforeStart() {
        let found = issues(["monday": [("22:00", "02:00"), ("10:00", "10:00")]])
        #expect(found.map(\.field) == ["weekly_hours.monday[0].end", "weekly_hours.monday[1].end"])
        #expect(found.first?.message.contains("must be after start 22:00") == true)
        #expect(found.first?.message.contains("24:00") == true)
    }

    @Test("overlapping blocks are refused, including an overlap with a non-neighbouring block")
    func overlaps() {
        let found = issues([
            "monday": [("09:00", "12:00"), ("11:00", "13:00")],
            "tuesday": [("09:00", "17:00"), ("10:00", "11:00"), ("12:00", "13:00")],
        ])
        #expect(found.map(\.field) == ["weekly_hours.monday[1]", "weekly_hours.tuesday[1]", "weekly_hours.tuesday[2]"])
        #expect(found.first?.message == "block 11:00–13:00 overlaps weekly_hours.monday[0] (09:00–12:00)")
    }

    @Test("a calendar with no open block, or with blocks and always_open, is refused")
    func emptyOrContradictory() {
        #expect(issues(nil).map(\.field) == ["weekly_hours"])
        #expect(issues(["monday": []]).map(\.field) == ["weekly_hours"])
        #expect(issues(alwaysOpen: true, ["monday": [("09:00", "17:00")]]).map(\.field) == ["weekly_hours"])
    }

    @Test("holidays must be existing YYYY-MM-DD dates")
    func holidays() {
        let found = issues(["monday": [("09:00", "17:00")]], holidays: ["2026-12-25", "2026-02-30", "24.12.2026"])
        #expect(found.map(\.field) == ["holidays[1]", "holidays[2]"])
    }

    @Test("every issue is reported at once, and the initializer throws them")
    func allIssues() {
        let definition = BusinessCalendarDefinition(
            timeZone: "Nowhere/Else", weeklyHours: ["someday": [], "monday": [.init(start: "10", end: "09:00")]],
            holidays: ["tomorrow"])
        let expected = ["time_zone", "weekly_hours.monday[0].start", "weekly_hours.someday", "holidays[0]"]
        #expect(definition.validate().map(\.field) == expected)
        #expect(throws: SLAValidationError(issues: definition.validate())) { try BusinessCalendar(definition) }
    }
}

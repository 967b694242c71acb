import Foundation
import SLA
import Testing

@Suite("SLA calendar JSON")
struct CalendarCodingTests {
    @Test("decodes snake_case JSON and encodes it back")
    func roundTrip() throws {
        let json = """
            {"time_zone": "Europe/Berlin",
             "weekly_hours": {"monday": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}]},
             "holidays": ["2026-12-25"]}
            """
        let calendar = try JSONDecoder().decode(BusinessCalendar.self, from: Data(json.utf8))
        #expect(calendar.timeZone.identifier == "Europe/Berlin")
        #expect(calendar.weeklyHours[.monday]?.map(\.description) == ["09:00–12:00", "13:00–17:30"])
        #expect(calendar.weeklyHours[.tuesday] == nil)
        #expect(calendar.holidays == Set([LocalDate("2026-12-25")].compactMap { $0 }))
        let encoded = try JSONEncoder().encode(calendar)
        let text = String(decoding: encoded, as: UTF8.self)
        #expect(text.contains("\"time_zone\"") && text.contains("\"weekly_hours\""))
        #expect(try JSONDecoder().decode(BusinessCalendar.self, from: encoded) == calendar)
    }

    @Test("decoding an invalid calendar throws its field issues")
    func invalid() {
        let json = #"{"time_zone": "Europe/Berlin", "weekly_hours": {"monday": [{"start": "17:00", "end": "09:00"}]}}"#
        #expect {
            _ = try JSONDecoder().decode(BusinessCalendar.self, from: Data(json.utf8))
        } throws: { error in
            (error as? SLAValidationError)?.issues.map(\.field) == ["weekly_hours.monday[0].end"]
        }
    }

    @Test("a 24/7 calendar needs only its time zone")
    func alwaysOpen() throws {
        let json = #"{"time_zone": "Asia/Tokyo", "always_open": true}"#
        let calendar = try JSONDecoder().decode(BusinessCalendar.self, from: Data(json.utf8))
        #expect(calendar.isAlwaysOpen)
        #expect(calendar.weeklyHours[.sunday]?.map(\.description) == ["00:00–24:00"])
    }
}

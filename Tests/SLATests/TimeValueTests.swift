import SLA
import Testing

@Suite("SLA time values")
struct TimeValueTests {
    @Test(
        "HH:MM times parse from 00:00 to 24:00",
        arguments: [("00:00", 0), ("09:30", 570), ("23:59", 1439), ("24:00", 1440)])
    func times(text: String, minutes: Int) {
        #expect(TimeOfDay(text)?.minutes == minutes)
        #expect(TimeOfDay(text)?.description == text)
    }

    @Test(
        "anything but HH:MM is refused",
        arguments: ["9:00", "09:60", "25:00", "24:01", "0900", "09:00:00", "", "ab:cd", "-1:00", "09:5"])
    func badTimes(text: String) {
        #expect(TimeOfDay(text) == nil)
    }

    @Test("YYYY-MM-DD dates parse and name their weekday")
    func dates() {
        #expect(LocalDate("2026-12-25")?.weekday == .friday)
        #expect(LocalDate("2028-02-29")?.weekday == .tuesday)
        #expect(LocalDate("1970-01-01")?.weekday == .thursday)
        #expect(LocalDate("1969-12-31")?.weekday == .wednesday)
        #expect(LocalDate("2026-03-29")?.description == "2026-03-29")
        #expect(LocalDate(year: 2026, month: 3, day: 29) == LocalDate("2026-03-29"))
    }

    @Test(
        "dates that do not exist or are not YYYY-MM-DD are refused",
        arguments: [
            "2026-02-29", "2026-13-01", "2026-04-31", "2026-1-01", "25.12.2026", "2026-12-25T00:00", "0000-01-01",
            "1900-02-29",
        ])
    func badDates(text: String) {
        #expect(LocalDate(text) == nil)
    }

    @Test("open blocks need an end after the start")
    func blocks() throws {
        let nine = try #require(TimeOfDay("09:00"))
        let noon = try #require(TimeOfDay("12:00"))
        #expect(OpenBlock(start: nine, end: noon)?.description == "09:00–12:00")
        #expect(OpenBlock(start: noon, end: nine) == nil)
        #expect(OpenBlock(start: nine, end: nine) == nil)
    }
}

import Foundation
import SLA
import Testing

@Suite("SLA business time across daylight-saving transitions")
struct DaylightSavingTests {
    @Test(
        "Berlin office hours over the spring and autumn weekends",
        arguments: [
            // Clocks go forward on Sunday 29 March 2026 (02:00 CET -> 03:00 CEST).
            ("2026-03-27T16:00:00+01:00", 2 * hour, "2026-03-30T09:30:00+02:00"),
            // Clocks go back on Sunday 25 October 2026 (03:00 CEST -> 02:00 CET).
            ("2026-10-23T16:00:00+02:00", 2 * hour, "2026-10-26T09:30:00+01:00"),
        ])
    func berlinWeekend(start: String, seconds: TimeInterval, due: String) throws {
        let calendar = try Calendars.berlinOffice()
        #expect(calendar.adding(businessSeconds: seconds, to: iso(start)) == iso(due))
        #expect(calendar.businessTime(from: iso(start), to: iso(due)) == seconds)
    }

    @Test("Berlin opens at 09:00 local time on both sides of each transition")
    func berlinOpening() throws {
        let calendar = try Calendars.berlinOffice()
        #expect(!calendar.isOpen(at: iso("2026-03-27T07:59:59Z")) && calendar.isOpen(at: iso("2026-03-27T08:00:00Z")))
        #expect(!calendar.isOpen(at: iso("2026-03-30T06:59:59Z")) && calendar.isOpen(at: iso("2026-03-30T07:00:00Z")))
        #expect(!calendar.isOpen(at: iso("2026-10-23T06:59:59Z")) && calendar.isOpen(at: iso("2026-10-23T07:00:00Z")))
        #expect(!calendar.isOpen(at: iso("2026-10-26T07:59:59Z")) && calendar.isOpen(at: iso("2026-10-26T08:00:00Z")))
        // A whole working week on either side of a transition is still 5 x 7.5 hours.
        #expect(
            calendar.businessTime(from: iso("2026-03-28T00:00:00+01:00"), to: iso("2026-04-04T00:00:00+02:00")) == 37.5
                * hour)
        #expect(
            calendar.businessTime(from: iso("2026-10-24T00:00:00+02:00"), to: iso("2026-10-31T00:00:00+01:00")) == 37.5
                * hour)
    }

    @Test(
        "New York office hours over the spring and autumn weekends",
        arguments: [
            // Clocks go forward on Sunday 8 March 2026, back on Sunday 1 November 2026.
            ("2026-03-06T16:00:00-05:00", 2 * hour, "2026-03-09T10:00:00-04:00"),
            ("2026-10-30T16:00:00-04:00", 2 * hour, "2026-11-02T10:00:00-05:00"),
            ("2026-03-06T09:00:00-05:00", 16 * hour, "2026-03-09T17:00:00-04:00"),
        ])
    func newYorkWeekend(start: String, seconds: TimeInterval, due: String) throws {
        let calendar = try Calendars.newYorkNineToFive()
        #expect(calendar.adding(businessSeconds: seconds, to: iso(start)) == iso(due))
        #expect(calendar.businessTime(from: iso(start), to: iso(due)) == seconds)
    }

    @Test("Sydney (southern hemisphere) goes back in April and forward in October")
    func sydney() throws {
        let calendar = try makeCalendar("Australia/Sydney", weekdays([("09:00", "17:00")]))
        // Sunday 5 April 2026: 03:00 AEDT -> 02:00 AEST; Sunday 4 October 2026: 02:00 AEST -> 03:00 AEDT.
        #expect(
            calendar.adding(businessSeconds: 2 * hour, to: iso("2026-04-03T16:00:00+11:00"))
                == iso("2026-04-06T10:00:00+10:00"))
        #expect(
            calendar.adding(businessSeconds: 2 * hour, to: iso("2026-10-02T16:00:00+10:00"))
                == iso("2026-10-05T10:00:00+11:00"))
    }

    @Test("a day open around the clock lasts 23 hours in spring and 25 in autumn")
    func allDayBlock() throws {
        let calendar = try makeCalendar("Europe/Berlin", ["sunday": [("00:00", "24:00")]])
        #expect(calendar.businessTime(from: iso("2026-03-28T12:00:00Z"), to: iso("2026-03-30T12:00:00Z")) == 23 * hour)
        #expect(calendar.businessTime(from: iso("2026-10-24T12:00:00Z"), to: iso("2026-10-26T12:00:00Z")) == 25 * hour)
        #expect(
            calendar.businessTime(from: iso("2026-03-22T00:00:00+01:00"), to: iso("2026-03-23T00:00:00+01:00")) == 24
                * hour)
        #expect(
            calendar.adding(businessSeconds: 23 * hour, to: iso("2026-03-29T00:00:00+01:00"))
                == iso("2026-03-30T00:00:00+02:00"))
        #expect(
            calendar.adding(businessSeconds: 25 * hour, to: iso("2026-10-25T00:00:00+02:00"))
                == iso("2026-10-26T00:00:00+01:00"))
        let newYork = try makeCalendar("America/New_York", ["sunday": [("00:00", "24:00")]])
        #expect(newYork.businessTime(from: iso("2026-03-07T12:00:00Z"), to: iso("2026-03-09T12:00:00Z")) == 23 * hour)
        #expect(newYork.businessTime(from: iso("2026-10-31T12:00:00Z"), to: iso("2026-11-02T12:00:00Z")) == 25 * hour)
    }

    @Test("a wall time skipped in spring maps to the transition; a repeated one to its first occurrence")
    func skippedAndRepeatedWallTimes() throws {
        let calendar = try makeCalendar(
            "Europe/Berlin", ["sunday": [("02:30", "04:00")], "saturday": [("01:00", "02:30")]])
        // 29 March: 02:30 does not exist, so the block starts at 03:00 CEST (01:00Z) and lasts one hour.
        #expect(calendar.businessTime(from: iso("2026-03-29T00:00:00Z"), to: iso("2026-03-29T06:00:00Z")) == 1 * hour)
        #expect(!calendar.isOpen(at: iso("2026-03-29T00:59:59Z")) && calendar.isOpen(at: iso("2026-03-29T01:00:00Z")))
        // A normal Sunday: 90 minutes.
        #expect(calendar.businessTime(from: iso("2026-03-22T00:00:00Z"), to: iso("2026-03-22T06:00:00Z")) == 1.5 * hour)
        // 25 October: from the first 02:30 (CEST, 00:30Z) to 04:00 CET (03:00Z), the repeated hour included.
        #expect(calendar.businessTime(from: iso("2026-10-25T00:00:00Z"), to: iso("2026-10-25T06:00:00Z")) == 2.5 * hour)
        #expect(calendar.isOpen(at: iso("2026-10-25T02:15:00+01:00")))  // the second 02:15, inside the stretch
        #expect(!calendar.isOpen(at: iso("2026-10-25T02:15:00+02:00")))  // the first 02:15, before 02:30
        #expect(
            calendar.adding(businessSeconds: 1 * hour, to: iso("2026-10-25T00:00:00Z"))
                == iso("2026-10-25T02:30:00+01:00"))
    }

    @Test("a block ending inside the spring gap ends at the transition")
    func blockEndingInGap() throws {
        let calendar = try makeCalendar("Europe/Berlin", ["sunday": [("01:00", "02:30")]])
        #expect(
            calendar.businessTime(from: iso("2026-03-29T00:00:00+01:00"), to: iso("2026-03-29T12:00:00+02:00")) == 1
                * hour)
        #expect(
            calendar.adding(businessSeconds: 1 * hour, to: iso("2026-03-29T00:00:00+01:00"))
                == iso("2026-03-29T03:00:00+02:00"))
    }
}

import Foundation
import SLA
import Testing

@Suite("SLA business time across blocks, nights, weekends and holidays")
struct BusinessTimeTests {
    @Test(
        "elapsed business time between two instants",
        arguments: [
            ("2026-06-01T09:30:00+02:00", "2026-06-01T11:00:00+02:00", 1.5 * hour),  // inside one block
            ("2026-06-01T11:00:00+02:00", "2026-06-01T14:00:00+02:00", 2 * hour),  // across the lunch gap
            ("2026-06-01T16:30:00+02:00", "2026-06-02T10:00:00+02:00", 2 * hour),  // across a night
            ("2026-06-05T17:00:00+02:00", "2026-06-08T09:30:00+02:00", 1 * hour),  // across a weekend
            ("2026-06-01T00:00:00+02:00", "2026-06-08T00:00:00+02:00", 37.5 * hour),  // a whole week
            ("2026-06-06T08:00:00+02:00", "2026-06-07T20:00:00+02:00", 0),  // a weekend only
            ("2026-06-01T12:00:00+02:00", "2026-06-01T13:00:00+02:00", 0),  // the lunch gap only
            ("2026-12-23T16:00:00+01:00", "2026-12-28T11:30:00+01:00", 4 * hour),  // across two holidays
            ("2026-06-01T11:00:00+02:00", "2026-06-01T10:00:00+02:00", 0),  // reversed
            ("2026-06-01T10:00:00+02:00", "2026-06-01T10:00:00+02:00", 0),  // empty
        ])
    func elapsed(from: String, to: String, expected: TimeInterval) throws {
        let calendar = try Calendars.berlinOffice()
        #expect(calendar.businessTime(from: iso(from), to: iso(to)) == expected)
    }

    @Test(
        "adding business time to an instant",
        arguments: [
            ("2026-06-01T09:30:00+02:00", 1 * hour, "2026-06-01T10:30:00+02:00"),
            ("2026-06-01T11:00:00+02:00", 1 * hour, "2026-06-01T12:00:00+02:00"),  // ends at the block's end
            ("2026-06-01T11:00:00+02:00", 1 * hour + 1, "2026-06-01T13:00:01+02:00"),  // after lunch
            ("2026-06-05T16:30:00+02:00", 1 * hour, "2026-06-05T17:30:00+02:00"),  // Friday's close, not Monday
            ("2026-06-05T16:30:00+02:00", 2 * hour, "2026-06-08T10:00:00+02:00"),  // over the weekend
            ("2026-06-06T22:00:00+02:00", 1 * hour, "2026-06-08T10:00:00+02:00"),  // from a closed Saturday
            ("2026-06-01T07:00:00+02:00", 7.5 * hour, "2026-06-01T17:30:00+02:00"),  // one full day
            ("2026-06-01T07:00:00+02:00", 37.5 * hour, "2026-06-05T17:30:00+02:00"),  // one full week
            ("2026-12-23T16:00:00+01:00", 4 * hour, "2026-12-28T11:30:00+01:00"),  // over two holidays
            ("2026-06-06T22:00:00+02:00", 0, "2026-06-06T22:00:00+02:00"),  // zero: the start itself
            ("2026-06-06T22:00:00+02:00", -60, "2026-06-06T22:00:00+02:00"),  // negative: the start itself
        ])
    func adding(start: String, seconds: TimeInterval, expected: String) throws {
        let calendar = try Calendars.berlinOffice()
        #expect(calendar.adding(businessSeconds: seconds, to: iso(start)) == iso(expected))
    }

    @Test(
        "inside business hours: a block's start is in, its end is out",
        arguments: [
            ("2026-06-01T09:00:00+02:00", true), ("2026-06-01T08:59:59+02:00", false),
            ("2026-06-01T11:59:59+02:00", true), ("2026-06-01T12:00:00+02:00", false),
            ("2026-06-01T13:00:00+02:00", true), ("2026-06-01T17:29:59+02:00", true),
            ("2026-06-01T17:30:00+02:00", false), ("2026-06-06T10:00:00+02:00", false),
            ("2026-12-24T10:00:00+01:00", false), ("2026-12-23T10:00:00+01:00", true),
        ])
    func open(instant: String, expected: Bool) throws {
        #expect(try Calendars.berlinOffice().isOpen(at: iso(instant)) == expected)
    }

    @Test("fractional seconds are kept")
    func fractions() throws {
        let calendar = try Calendars.berlinOffice()
        let start = iso("2026-06-01T08:59:59.750+02:00")
        #expect(calendar.adding(businessSeconds: 1.5, to: start) == iso("2026-06-01T09:00:01.500+02:00"))
        #expect(calendar.businessTime(from: start, to: iso("2026-06-01T09:00:00.250+02:00")) == 0.25)
    }

    @Test("blocks ending at 24:00 join the next day's 00:00 across midnight")
    func midnight() throws {
        let calendar = try makeCalendar(
            "Europe/London",
            ["monday": [("20:00", "24:00")], "tuesday": [("00:00", "06:00")], "sunday": [("22:00", "24:00")]],
            holidays: ["2026-06-08"])
        #expect(
            calendar.businessTime(from: iso("2026-06-01T23:00:00+01:00"), to: iso("2026-06-02T01:00:00+01:00")) == 2
                * hour)
        #expect(
            calendar.adding(businessSeconds: 4 * hour, to: iso("2026-06-01T22:00:00+01:00"))
                == iso("2026-06-02T02:00:00+01:00"))
        #expect(
            calendar.adding(businessSeconds: 2 * hour, to: iso("2026-06-01T20:00:00+01:00"))
                == iso("2026-06-01T22:00:00+01:00"))
        #expect(
            calendar.adding(businessSeconds: 4 * hour, to: iso("2026-06-01T20:00:00+01:00"))
                == iso("2026-06-02T00:00:00+01:00"))
        #expect(calendar.isOpen(at: iso("2026-06-02T00:00:00+01:00")))
        #expect(calendar.isOpen(at: iso("2026-06-01T23:59:59+01:00")))
        #expect(!calendar.isOpen(at: iso("2026-06-02T06:00:00+01:00")))
        // Monday 8 June is a holiday: Sunday's 22:00–24:00 still counts, Monday's evening does not, Tuesday's does.
        #expect(
            calendar.businessTime(from: iso("2026-06-07T21:00:00+01:00"), to: iso("2026-06-09T07:00:00+01:00")) == 8
                * hour)
    }

    @Test("a 24/7 calendar counts every second; its holidays close whole local days")
    func twentyFourSeven() throws {
        let always = BusinessCalendar.twentyFourSeven
        let start = iso("2026-06-06T22:00:00Z")
        #expect(always.businessTime(from: start, to: iso("2026-06-08T22:00:00Z")) == 48 * hour)
        #expect(always.adding(businessSeconds: 90 * minute, to: start) == iso("2026-06-06T23:30:00Z"))
        #expect(always.isOpen(at: start))
        let christmas = try BusinessCalendar(
            BusinessCalendarDefinition(timeZone: "Europe/Berlin", alwaysOpen: true, holidays: ["2026-12-25"]))
        #expect(
            christmas.businessTime(from: iso("2026-12-24T12:00:00+01:00"), to: iso("2026-12-26T12:00:00+01:00")) == 24
                * hour)
        #expect(
            christmas.adding(businessSeconds: 12 * hour, to: iso("2026-12-24T12:00:00+01:00"))
                == iso("2026-12-25T00:00:00+01:00"))
        #expect(
            christmas.adding(businessSeconds: 12 * hour + 1, to: iso("2026-12-24T12:00:00+01:00"))
                == iso("2026-12-26T00:00:01+01:00"))
        #expect(!christmas.isOpen(at: iso("2026-12-25T23:59:59+01:00")))
        #expect(christmas.isOpen(at: iso("2026-12-26T00:00:00+01:00")))
    }

    @Test("the same instant is open in one time zone and closed in another")
    func timeZones() throws {
        let tokyo = try makeCalendar("Asia/Tokyo", weekdays([("09:00", "18:00")]))
        let kolkata = try makeCalendar("Asia/Kolkata", weekdays([("09:00", "18:00")]))
        let kathmandu = try makeCalendar("Asia/Kathmandu", weekdays([("09:00", "18:00")]))
        let berlin = try Calendars.berlinNineToFive()
        let losAngeles = try makeCalendar("America/Los_Angeles", weekdays([("09:00", "17:00")]))
        let instant = iso("2026-06-01T03:30:00Z")  // Monday 12:30 Tokyo, 09:00 Kolkata, 05:30 Berlin
        #expect(tokyo.isOpen(at: instant) && kolkata.isOpen(at: instant) && !berlin.isOpen(at: instant))
        #expect(kathmandu.isOpen(at: instant))  // 09:15 in Kathmandu (UTC+05:45), which opens at 03:15Z
        #expect(kathmandu.isOpen(at: iso("2026-06-01T03:15:00Z")))
        #expect(!kathmandu.isOpen(at: iso("2026-06-01T03:14:59Z")))
        #expect(!kolkata.isOpen(at: iso("2026-06-01T03:29:59Z")))
        // 2026-06-01T00:00Z is Monday 09:00 in Tokyo and Sunday 17:00 in Los Angeles.
        #expect(tokyo.adding(businessSeconds: 9 * hour, to: iso("2026-06-01T00:00:00Z")) == iso("2026-06-01T09:00:00Z"))
        #expect(
            losAngeles.adding(businessSeconds: 1 * hour, to: iso("2026-06-01T00:00:00Z"))
                == iso("2026-06-01T10:00:00-07:00"))
        #expect(tokyo.businessTime(from: iso("2026-06-01T00:00:00Z"), to: iso("2026-06-02T00:00:00Z")) == 9 * hour)
        #expect(losAngeles.businessTime(from: iso("2026-06-01T00:00:00Z"), to: iso("2026-06-02T00:00:00Z")) == 8 * hour)
    }

    @Test(
        "adding and elapsed agree for many starts and amounts, across both DST changes",
        arguments: ["Europe/Berlin", "America/New_York", "Australia/Sydney"])
    func consistency(zone: String) throws {
        let calendar = try makeCalendar(
            zone,
            weekdays([("08:30", "12:00"), ("13:00", "18:15")]).merging(["saturday": [("10:00", "14:00")]]) { a, _ in a }
        )
        let amounts: [TimeInterval] = [1, 59, 15 * minute, 1 * hour, 3.5 * hour, 9 * hour, 40 * hour, 200 * hour]
        let spring = Array(
            stride(
                from: iso("2026-03-25T00:00:00Z").timeIntervalSince1970,
                to: iso("2026-04-08T00:00:00Z").timeIntervalSince1970, by: 197 * minute))
        let autumn = Array(
            stride(
                from: iso("2026-10-21T00:00:00Z").timeIntervalSince1970,
                to: iso("2026-11-04T00:00:00Z").timeIntervalSince1970, by: 197 * minute))
        for start in spring + autumn {
            let from = Date(timeIntervalSince1970: start)
            var previous = from
            for amount in amounts {
                let due = calendar.adding(businessSeconds: amount, to: from)
                #expect(calendar.businessTime(from: from, to: due) == amount, "\(zone) \(from) + \(amount)")
                #expect(due >= previous)
                #expect(calendar.isOpen(at: due.addingTimeInterval(-0.5)))
                previous = due
            }
        }
    }
}

import Foundation
import Testing

@testable import RelaisCore

/// Calendar arithmetic checked by properties over seeded random instants, and against an
/// independent computation through Foundation's own calendar.
@Suite struct CalendarTimelineTests {
    static let hour: Int64 = 3_600_000

    static let paris = BusinessCalendar(
        code: "paris", timezone: "Europe/Paris",
        hours: [.mon: office, .tue: office, .wed: office, .thu: office, .fri: office],
        holidays: [CivilDate(iso: "2026-12-25")!, CivilDate(iso: "2027-01-01")!],
        openings: [CivilDate(iso: "2026-12-27")!: [.init(start: 9 * 60, end: 12 * 60)]])
    static let office: [BusinessCalendar.Range] = [.init(start: 8 * 60 + 30, end: 12 * 60 + 30), .init(start: 13 * 60 + 30, end: 18 * 60)]
    static let allWeek = Dictionary(
        uniqueKeysWithValues: BusinessCalendar.Weekday.allCases.map { ($0, [BusinessCalendar.Range(start: 0, end: 1440)]) })

    static func instant(_ text: String) -> Int64 {
        Int64(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970 * 1000)
    }

    /// A seeded generator, so a failure names inputs that can be replayed.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func civilDatesMatchFoundation() {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        // Foundation switches to the Julian calendar before 1582; compare from 1600 to 2400.
        for day in stride(from: -135_000, through: 157_000, by: 97) {
            let date = CivilDate(daysSinceEpoch: day)
            let parts = utc.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(day) * 86_400))
            #expect(date.year == parts.year && date.month == parts.month && date.day == parts.day, "day \(day)")
            #expect(date.daysSinceEpoch == day)
            #expect(date.weekdayIndex == (parts.weekday! + 5) % 7, "day \(day)")
        }
        #expect(CivilDate(iso: "2026-02-29") == nil)
        #expect(CivilDate(iso: "2028-02-29")?.description == "2028-02-29")
    }

    @Test(arguments: ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Europe/Moscow", "Asia/Kolkata", "America/Santiago"])
    func localTimesBecomeTheInstantsFoundationGives(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        let offsets = try #require(ZoneOffsets(identifier: zoneName, from: 946_684_800 - 86_400 * 2, to: 4_102_444_800))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var random = Seeded(state: 7)
        for _ in 0..<3000 {
            let day = Int.random(in: CalendarTimeline.firstDay..<CalendarTimeline.endDay, using: &random)
            let minute = Int.random(in: 0..<1440, using: &random)
            let date = CivilDate(daysSinceEpoch: day)
            let local = Int64(day) * 86_400 + Int64(minute) * 60
            let ours = offsets.instant(atLocal: local)
            // Foundation's answer, kept only where the wall time exists once (no gap, no overlap).
            let components = DateComponents(year: date.year, month: date.month, day: date.day, hour: minute / 60, minute: minute % 60)
            guard let theirs = calendar.date(from: components) else { continue }
            let back = calendar.dateComponents([.hour, .minute], from: theirs)
            let unambiguous =
                back.hour == minute / 60 && back.minute == minute % 60
                && zone.secondsFromGMT(for: theirs.addingTimeInterval(-7200)) == zone.secondsFromGMT(for: theirs.addingTimeInterval(7200))
            guard unambiguous else { continue }
            #expect(ours == Int64(theirs.timeIntervalSince1970), "\(zoneName) \(date) \(minute / 60):\(minute % 60)")
        }
    }

    @Test func measuringBackWhatWasAddedGivesItBack() throws {
        let timeline = try #require(Self.paris.timeline())
        var random = Seeded(state: 42)
        let first = Self.instant("2024-01-01T00:00:00Z"), last = Self.instant("2030-01-01T00:00:00Z")
        for _ in 0..<20_000 {
            let start = Int64.random(in: first..<last, using: &random)
            let amount = Int64.random(in: 1...(200 * Self.hour), using: &random)
            let due = try #require(timeline.adding(amount, to: start))
            #expect(timeline.elapsed(from: start, to: due) == amount, "start \(start) amount \(amount)")
            // The deadline is the first instant that reaches the amount: a moment earlier is short.
            #expect(timeline.elapsed(from: start, to: due - 1) == amount - 1)
            #expect(timeline.isOpen(at: due - 1))
        }
    }

    @Test func deadlinesAndElapsedTimeOnlyGrow() throws {
        let timeline = try #require(Self.paris.timeline())
        var random = Seeded(state: 9)
        let first = Self.instant("2025-01-01T00:00:00Z")
        for _ in 0..<5_000 {
            let start = first + Int64.random(in: 0..<(400 * 24 * Self.hour), using: &random)
            let a = Int64.random(in: 1...(100 * Self.hour), using: &random), b = a + Int64.random(in: 0...(10 * Self.hour), using: &random)
            #expect(try #require(timeline.adding(a, to: start)) <= (try #require(timeline.adding(b, to: start))))
            let end = start + Int64.random(in: 0...(100 * Self.hour), using: &random),
                later = end + Int64.random(in: 0...(10 * Self.hour), using: &random)
            #expect(timeline.elapsed(from: start, to: end) <= timeline.elapsed(from: start, to: later))
            // Never more business time than real time.
            #expect(timeline.elapsed(from: start, to: end) <= end - start)
            // Measures add up across any split point.
            let middle = Int64.random(in: start...max(start, end), using: &random)
            #expect(timeline.elapsed(from: start, to: middle) + timeline.elapsed(from: middle, to: end) == timeline.elapsed(from: start, to: end))
        }
    }

    /// Business time between two instants, computed day by day with Foundation's calendar: an
    /// implementation that shares nothing with the timeline's.
    static func foundationElapsed(_ calendar: BusinessCalendar, from start: Int64, to end: Int64) -> Int64 {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: calendar.timezone)!
        var total: Int64 = 0
        var day = gregorian.startOfDay(for: Date(timeIntervalSince1970: Double(start) / 1000 - 86_400))
        let weekdays: [Int: BusinessCalendar.Weekday] = [1: .sun, 2: .mon, 3: .tue, 4: .wed, 5: .thu, 6: .fri, 7: .sat]
        while day.timeIntervalSince1970 * 1000 < Double(end) {
            let parts = gregorian.dateComponents([.year, .month, .day, .weekday], from: day)
            let date = CivilDate(year: parts.year!, month: parts.month!, day: parts.day!)!
            let ranges = calendar.openings[date] ?? (calendar.holidays.contains(date) ? [] : calendar.hours[weekdays[parts.weekday!]!] ?? [])
            for range in ranges {
                func at(_ minutes: Int) -> Int64 {
                    let components = DateComponents(year: date.year, month: date.month, day: date.day, hour: minutes / 60, minute: minutes % 60)
                    return Int64(gregorian.date(from: components)!.timeIntervalSince1970 * 1000)
                }
                let open = max(start, at(range.start)),
                    close = min(
                        end,
                        range.end == 1440 ? Int64(gregorian.date(byAdding: .day, value: 1, to: day)!.timeIntervalSince1970 * 1000) : at(range.end))
                if close > open { total += close - open }
            }
            day = gregorian.date(byAdding: .day, value: 1, to: day)!
        }
        return total
    }

    @Test(arguments: ["Europe/Paris", "America/New_York", "UTC"])
    func elapsedTimeAgreesWithFoundationAcrossDaylightSavingChanges(zone: String) throws {
        var calendar = Self.paris
        calendar.timezone = zone
        calendar.hours[.sun] = [.init(start: 0, end: 1440)]
        calendar.hours[.sat] = [.init(start: 22 * 60, end: 1440)]
        let timeline = try #require(calendar.timeline())
        var random = Seeded(state: 5)
        // Weeks around the changes of 2026 (March, October and November).
        let windows = ["2026-03-06T00:00:00Z", "2026-03-26T00:00:00Z", "2026-10-22T00:00:00Z", "2026-10-30T00:00:00Z", "2026-12-20T00:00:00Z"].map(
            Self.instant)
        for window in windows {
            for _ in 0..<60 {
                let start = window + Int64.random(in: 0..<(7 * 24 * Self.hour), using: &random)
                let end = start + Int64.random(in: 0..<(5 * 24 * Self.hour), using: &random)
                #expect(timeline.elapsed(from: start, to: end) == Self.foundationElapsed(calendar, from: start, to: end), "\(zone) \(start)-\(end)")
            }
        }
    }

    @Test func aDayOpenAroundTheClockLastsAsLongAsItReallyDoes() throws {
        let paris = try #require(BusinessCalendar(code: "all", timezone: "Europe/Paris", hours: Self.allWeek).timeline())
        func day(_ date: String) -> Int64 {
            let start = Self.instant("\(date)T00:00:00+01:00")
            return paris.elapsed(from: start - 6 * Self.hour, to: start + 48 * Self.hour) - 54 * Self.hour
        }
        // 29 March 2026 loses an hour and 25 October 2026 gains one; the days around them do not.
        #expect(paris.elapsed(from: Self.instant("2026-03-29T00:00:00+01:00"), to: Self.instant("2026-03-30T00:00:00+02:00")) == 23 * Self.hour)
        #expect(paris.elapsed(from: Self.instant("2026-10-25T00:00:00+02:00"), to: Self.instant("2026-10-26T00:00:00+01:00")) == 25 * Self.hour)
        #expect(day("2026-06-10") == 0)
    }

    @Test func holidaysCloseAndExceptionalOpeningsOpen() throws {
        let timeline = try #require(Self.paris.timeline())
        // Thursday 24 December 2026 17:00 Paris, 1 hour of business time left that day; Friday is
        // Christmas, Saturday closed, Sunday 27 opens 09:00-12:00 exceptionally.
        let start = Self.instant("2026-12-24T17:00:00+01:00")
        #expect(try #require(timeline.adding(Self.hour, to: start)) == Self.instant("2026-12-24T18:00:00+01:00"))
        #expect(try #require(timeline.adding(2 * Self.hour, to: start)) == Self.instant("2026-12-27T10:00:00+01:00"))
        #expect(try #require(timeline.adding(5 * Self.hour, to: start)) == Self.instant("2026-12-28T09:30:00+01:00"))
        #expect(timeline.elapsed(from: Self.instant("2026-12-25T00:00:00+01:00"), to: Self.instant("2026-12-26T00:00:00+01:00")) == 0)
        #expect(!timeline.isOpen(at: Self.instant("2026-12-28T13:00:00+01:00")))
        #expect(timeline.isOpen(at: Self.instant("2026-12-28T13:30:00+01:00")))
    }

    @Test func aRangePastMidnightCountsOnBothDays() throws {
        // Open Friday 22:00 to Saturday 06:00, written as two ranges by the loader.
        let night = BusinessCalendar(
            code: "night", timezone: "UTC", hours: [.fri: [.init(start: 22 * 60, end: 1440)], .sat: [.init(start: 0, end: 6 * 60)]])
        let timeline = try #require(night.timeline())
        let friday = Self.instant("2026-11-27T21:00:00Z")
        #expect(timeline.elapsed(from: friday, to: friday + 24 * Self.hour) == 8 * Self.hour)
        #expect(try #require(timeline.adding(3 * Self.hour, to: friday)) == Self.instant("2026-11-28T01:00:00Z"))
    }

    @Test func beyondTheTimelineThereIsNoDeadline() throws {
        let timeline = try #require(Self.paris.timeline())
        #expect(timeline.adding(Self.hour, to: Self.instant("2099-12-31T17:30:00+01:00")) == nil)
        #expect(timeline.elapsed(from: Self.instant("1999-01-01T00:00:00Z"), to: Self.instant("2000-01-03T09:30:00+01:00")) == Self.hour)
        #expect(BusinessCalendar(code: "x", timezone: "Mars/Olympus", hours: [:]).timeline() == nil)
    }

    @Test func businessDaysAndWeeksFollowTheCalendar() {
        var calendar = Self.paris
        #expect(calendar.seconds(in: "1d") == 8 * 3600)
        #expect(calendar.seconds(in: "1w") == 5 * 8 * 3600)
        calendar.businessDay = 24 * 3600
        calendar.hours = Self.allWeek
        #expect(calendar.seconds(in: "2d") == 48 * 3600)
        #expect(calendar.seconds(in: "1w") == 7 * 24 * 3600)
    }
}

/// A calendar unrolled into its opening intervals as instants, with the business time before
/// each, so that measuring and adding business time are binary searches.
///
/// Instants are milliseconds since 1970 (UTC). The timeline covers 2000-01-01 to 2099-12-31 in
/// the calendar's zone; before it nothing is open, and a deadline past it does not exist.
public struct CalendarTimeline: Sendable {
    public static let firstDay = CivilDate(year: 2000, month: 1, day: 1)!.daysSinceEpoch
    public static let endDay = CivilDate(year: 2100, month: 1, day: 1)!.daysSinceEpoch

    public let code: String
    let starts: [Int64]
    let ends: [Int64]
    /// Business milliseconds in all intervals before interval `i`.
    let before: [Int64]

    init?(_ calendar: BusinessCalendar) {
        let daySeconds: Int64 = 86_400
        guard
            let zone = ZoneOffsets(
                identifier: calendar.timezone,
                from: Int64(Self.firstDay - 2) * daySeconds, to: Int64(Self.endDay + 2) * daySeconds)
        else { return nil }
        let weekly = BusinessCalendar.Weekday.allCases.map { calendar.hours[$0] ?? [] }
        let holidays = Set(calendar.holidays.map(\.daysSinceEpoch))
        let openings = Dictionary(uniqueKeysWithValues: calendar.openings.map { ($0.key.daysSinceEpoch, $0.value) })
        var starts: [Int64] = [], ends: [Int64] = [], before: [Int64] = []
        starts.reserveCapacity((Self.endDay - Self.firstDay) * 2)
        ends.reserveCapacity(starts.capacity)
        var total: Int64 = 0
        for day in Self.firstDay..<Self.endDay {
            let ranges: [BusinessCalendar.Range]
            if let special = openings[day] {
                ranges = special
            } else if holidays.contains(day) {
                continue
            } else {
                ranges = weekly[CivilDate.weekdayIndex(ofDay: day)]
            }
            let midnight = Int64(day) * daySeconds
            for range in ranges {
                let start = zone.instant(atLocal: midnight + Int64(range.start) * 60) * 1000
                let end = zone.instant(atLocal: midnight + Int64(range.end) * 60) * 1000
                guard end > start else { continue }
                if let last = ends.last, start <= last {
                    // Touching or overlapping the previous interval (a range ending at midnight
                    // followed by one starting there): one interval.
                    if end > last {
                        total += end - last
                        ends[ends.count - 1] = end
                    }
                    continue
                }
                starts.append(start)
                ends.append(end)
                before.append(total)
                total += end - start
            }
        }
        code = calendar.code
        self.starts = starts
        self.ends = ends
        self.before = before
    }

    /// Business milliseconds from the timeline's start up to `instant`.
    public func position(_ instant: Int64) -> Int64 {
        let index = lastStart(atOrBefore: instant)
        guard index >= 0 else { return 0 }
        return before[index] + (min(instant, ends[index]) - starts[index])
    }

    /// Business milliseconds between two instants; zero when `to` is not after `from`.
    public func elapsed(from: Int64, to: Int64) -> Int64 {
        to > from ? position(to) - position(from) : 0
    }

    /// The first instant at which `milliseconds` of business time have passed since `instant`;
    /// nil when that is beyond the timeline.
    public func adding(_ milliseconds: Int64, to instant: Int64) -> Int64? {
        guard milliseconds > 0 else { return instant }
        let goal = position(instant) + milliseconds
        // First interval whose end reaches the goal.
        var low = 0, high = starts.count
        while low < high {
            let middle = (low + high) >> 1
            if before[middle] + (ends[middle] - starts[middle]) >= goal { high = middle } else { low = middle + 1 }
        }
        guard low < starts.count else { return nil }
        return starts[low] + (goal - before[low])
    }

    /// Whether the calendar is open at `instant`.
    public func isOpen(at instant: Int64) -> Bool {
        let index = lastStart(atOrBefore: instant)
        return index >= 0 && instant < ends[index]
    }

    /// Index of the last interval starting at or before `instant`, -1 when there is none.
    private func lastStart(atOrBefore instant: Int64) -> Int {
        var low = 0, high = starts.count
        while low < high {
            let middle = (low + high) >> 1
            if starts[middle] <= instant { low = middle + 1 } else { high = middle }
        }
        return low - 1
    }
}

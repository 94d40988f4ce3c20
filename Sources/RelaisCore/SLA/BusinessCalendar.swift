/// Working hours of a team or contract: a time zone, opening ranges per weekday, public holidays
/// and exceptional opening days. SLA clocks count time only while the calendar is open.
///
/// Business time is real elapsed time inside opening ranges, measured in the calendar's time
/// zone: a range `08:30-18:00` is 9.5 hours of business time, and a range that spans a
/// daylight-saving change counts the hours that really passed. A business day (`1d` in the map)
/// is `businessDay` seconds, 8 hours unless the calendar says otherwise; a business week (`1w`)
/// is as many business days as the calendar's normal week has open days.
public struct BusinessCalendar: Sendable, Equatable {
    public enum Weekday: String, Sendable, Equatable, CaseIterable, Comparable {
        case mon, tue, wed, thu, fri, sat, sun
        public static func < (lhs: Weekday, rhs: Weekday) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// An opening range in minutes since local midnight, `start` < `end` <= 1440.
    public struct Range: Sendable, Equatable, CustomStringConvertible {
        public var start: Int
        public var end: Int
        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }

        public var description: String { "\(Self.clock(start))-\(Self.clock(end))" }

        static func clock(_ minutes: Int) -> String {
            let hours = minutes / 60, rest = minutes % 60
            return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
        }
    }

    public static let defaultBusinessDay = 8 * 3600

    public var code: String
    public var timezone: String
    public var hours: [Weekday: [Range]]
    /// Dates on which the calendar is closed all day (written in the map or read from an `.ics` file).
    public var holidays: Set<CivilDate>
    /// Dates open with their own hours, whatever the weekday or a holiday says.
    public var openings: [CivilDate: [Range]]
    /// Seconds in one business day (`1d`).
    public var businessDay: Int

    public init(
        code: String, timezone: String, hours: [Weekday: [Range]], holidays: Set<CivilDate> = [],
        openings: [CivilDate: [Range]] = [:], businessDay: Int = BusinessCalendar.defaultBusinessDay
    ) {
        self.code = code
        self.timezone = timezone
        self.hours = hours
        self.holidays = holidays
        self.openings = openings
        self.businessDay = businessDay
    }

    /// Open minutes in a normal week.
    public var weeklyMinutes: Int { hours.values.flatMap { $0 }.reduce(0) { $0 + $1.end - $1.start } }

    /// Seconds in one business week (`1w`): one business day per weekday with opening hours.
    public var businessWeek: Int { businessDay * max(1, hours.filter { !$0.value.isEmpty }.count) }

    /// Reads a duration such as `4h`, `2d` or `1w` in this calendar's business days and weeks.
    public func seconds(in text: String) -> Int? {
        BusinessDuration.seconds(in: text, day: businessDay, week: businessWeek)
    }

    /// The opening instants of this calendar from 2000 to 2099; nil when the time zone is unknown.
    public func timeline() -> CalendarTimeline? { CalendarTimeline(self) }
}

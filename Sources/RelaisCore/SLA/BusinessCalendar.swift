/// Working hours of a team or contract: a time zone, opening ranges per weekday and holidays.
/// SLA clocks count time only inside these hours.
public struct BusinessCalendar: Sendable, Equatable {
    public enum Weekday: String, Sendable, Equatable, CaseIterable, Comparable {
        case mon, tue, wed, thu, fri, sat, sun
        public static func < (lhs: Weekday, rhs: Weekday) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// An opening range in minutes since midnight, `end` > `start`.
    public struct Range: Sendable, Equatable {
        public var start: Int
        public var end: Int
        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }
    }

    public var code: String
    public var timezone: String
    public var hours: [Weekday: [Range]]
    /// Dates `YYYY-MM-DD` on which nothing is open.
    public var holidays: [String]

    public init(code: String, timezone: String, hours: [Weekday: [Range]], holidays: [String] = []) {
        self.code = code
        self.timezone = timezone
        self.hours = hours
        self.holidays = holidays
    }

    /// Open minutes in a normal week.
    public var weeklyMinutes: Int { hours.values.flatMap { $0 }.reduce(0) { $0 + $1.end - $1.start } }
}

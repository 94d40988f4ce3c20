import Foundation
import RelaisCore

/// Reads public holidays from an iCalendar file (RFC 5545): every `VEVENT` closes the dates from
/// its `DTSTART` up to its `DTEND` (exclusive; one day when absent). A yearly `RRULE` repeats it,
/// up to its `COUNT` or `UNTIL`, or to the end of the calendars' span. Anything else the file holds
/// (time zones, alarms, descriptions) is ignored; anything it cannot read is an error with its line.
///
/// The work is bounded for any file (a map's calendar is outside input): an event lasts at most
/// `longestEvent` days, dates outside `firstYear`...`lastYear` are not kept (the calendars serve
/// SLA clocks, which never reach them), and a file naming more than `mostDays` days in all is
/// refused. Found by the fuzzer: a `DTEND` two thousand years after its `DTSTART`.
public enum ICalendarHolidays {
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    static let firstYear = 1900
    static let lastYear = 2099
    /// A holiday (or a closure, such as a summer shutdown) lasts at most a year.
    static let longestEvent = 366
    /// Days named by all events and their repetitions together: 200 years of every day is 73,000.
    static let mostDays = 1_000_000

    public static func dates(in text: String) throws(Problem) -> Set<CivilDate> {
        let lines = unfold(text)
        guard let first = lines.first(where: { !$0.text.isEmpty }), first.text.uppercased() == "BEGIN:VCALENDAR" else {
            throw Problem(line: lines.first?.number ?? 1, message: "an iCalendar file starts with BEGIN:VCALENDAR")
        }
        var dates = Set<CivilDate>()
        var event: (line: Int, start: CivilDate?, end: CivilDate?, rule: (Int, String)?)?
        var sawEnd = false
        var named = 0
        for line in lines where !line.text.isEmpty {
            let (name, value) = split(line.text)
            switch name {
            case "BEGIN" where value.uppercased() == "VEVENT":
                if event != nil { throw Problem(line: line.number, message: "BEGIN:VEVENT inside another VEVENT") }
                event = (line.number, nil, nil, nil)
            case "END" where value.uppercased() == "VEVENT":
                guard let open = event else { throw Problem(line: line.number, message: "END:VEVENT without BEGIN:VEVENT") }
                guard let start = open.start else { throw Problem(line: open.line, message: "VEVENT without DTSTART") }
                let end = open.end ?? CivilDate(daysSinceEpoch: start.daysSinceEpoch + 1)
                guard end > start else { throw Problem(line: open.line, message: "VEVENT ends (\(end)) before it starts (\(start))") }
                let length = end.daysSinceEpoch - start.daysSinceEpoch
                guard length <= longestEvent else {
                    throw Problem(
                        line: open.line, message: "VEVENT lasts \(length) days (\(start) to \(end)); a holiday lasts at most \(longestEvent)")
                }
                let years = try repetitions(open.rule, from: start).filter { (firstYear - 1...lastYear).contains(start.year + $0) }
                named += years.count * length
                guard named <= mostDays else {
                    throw Problem(line: open.line, message: "the file names more than \(mostDays) days off in all")
                }
                for offset in years {
                    for day in start.daysSinceEpoch..<end.daysSinceEpoch {
                        let date = CivilDate(daysSinceEpoch: day)
                        // 29 February repeats only in leap years.
                        if let moved = CivilDate(year: date.year + offset, month: date.month, day: date.day),
                            (firstYear...lastYear).contains(moved.year)
                        {
                            dates.insert(moved)
                        }
                    }
                }
                event = nil
            case "END" where value.uppercased() == "VCALENDAR":
                sawEnd = true
            case "DTSTART", "DTEND":
                guard event != nil else { continue }
                guard let date = date(value) else {
                    throw Problem(line: line.number, message: "\(name) '\(value)' is not a date such as 20261225")
                }
                if name == "DTSTART" { event?.start = date } else { event?.end = date }
            case "RRULE":
                guard event != nil else { continue }
                event?.rule = (line.number, value)
            default:
                continue
            }
        }
        if let open = event { throw Problem(line: open.line, message: "VEVENT is not closed by END:VEVENT") }
        if !sawEnd { throw Problem(line: lines.last?.number ?? 1, message: "the file does not end with END:VCALENDAR") }
        return dates
    }

    /// Logical lines: a physical line starting with a space or a tab continues the previous one.
    static func unfold(_ text: String) -> [(number: Int, text: String)] {
        var result: [(Int, String)] = []
        // "\r\n" is one Character in Swift, so `isNewline` splits CRLF and LF files alike.
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = String(raw)
            if let first = line.first, first == " " || first == "\t", !result.isEmpty {
                result[result.count - 1].1 += line.dropFirst()
            } else {
                result.append((index + 1, line))
            }
        }
        return result
    }

    /// `DTSTART;VALUE=DATE:20261225` gives `("DTSTART", "20261225")`.
    static func split(_ line: String) -> (String, String) {
        guard let colon = line.firstIndex(of: ":") else { return (line.uppercased(), "") }
        let head = line[..<colon]
        let name = head.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        return (name.uppercased(), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
    }

    /// `20261225`, or the date part of `20261225T000000` / `20261225T000000Z`.
    static func date(_ value: String) -> CivilDate? {
        let digits = value.prefix(8)
        guard digits.count == 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            value.count == 8 || value.dropFirst(8).first == "T"
        else { return nil }
        return CivilDate(iso: "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))")
    }

    /// Year offsets an event repeats on: `[0]` without a rule.
    static func repetitions(_ rule: (line: Int, text: String)?, from start: CivilDate) throws(Problem) -> [Int] {
        guard let rule else { return [0] }
        var parts: [String: String] = [:]
        for part in rule.text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw Problem(line: rule.line, message: "RRULE part '\(part)' is not NAME=VALUE") }
            parts[pair[0].uppercased()] = pair[1]
        }
        guard parts["FREQ"]?.uppercased() == "YEARLY" else {
            throw Problem(line: rule.line, message: "RRULE '\(rule.text)': only FREQ=YEARLY is read for holidays")
        }
        let unsupported = Set(parts.keys).subtracting(["FREQ", "COUNT", "UNTIL", "INTERVAL"])
        guard unsupported.isEmpty else {
            throw Problem(line: rule.line, message: "RRULE '\(rule.text)': \(unsupported.sorted().joined(separator: ", ")) is not read for holidays")
        }
        let interval =
            try parts["INTERVAL"].map { text throws(Problem) in
                guard let value = Int(text), value > 0 else {
                    throw Problem(line: rule.line, message: "RRULE INTERVAL '\(text)' is not a positive number")
                }
                return value
            } ?? 1
        var lastYear = lastYear
        if let count = parts["COUNT"] {
            guard let value = Int(count), value > 0 else {
                throw Problem(line: rule.line, message: "RRULE COUNT '\(count)' is not a positive number")
            }
            lastYear = min(lastYear, start.year + (value - 1) * interval)
        }
        if let until = parts["UNTIL"] {
            guard let date = date(until) else { throw Problem(line: rule.line, message: "RRULE UNTIL '\(until)' is not a date") }
            lastYear = min(lastYear, date.year - (CivilDate(year: date.year, month: start.month, day: min(start.day, 28))! > date ? 1 : 0))
        }
        return Array(stride(from: 0, through: max(-1, lastYear - start.year), by: interval))
    }
}

import Foundation
import RelaisCore
import Yams

extension MapLoader {
    static func readCalendars(_ node: Node?, _ reader: MapReader) -> [String: BusinessCalendar] {
        var calendars: [String: BusinessCalendar] = [:]
        for pair in reader.pairs(node, "calendars") {
            let path = "calendars.\(pair.key)"
            let fields = reader.fields(pair.value, path, allowed: ["timezone", "hours", "holidays"])
            let zone = reader.requiredString(fields, "timezone", path, at: pair.value) ?? "UTC"
            if TimeZone(identifier: zone) == nil {
                reader.problem(at: fields["timezone"], "\(path).timezone: unknown time zone '\(zone)'")
            }
            var hours: [BusinessCalendar.Weekday: [BusinessCalendar.Range]] = [:]
            for day in reader.pairs(fields["hours"], "\(path).hours") {
                guard let days = weekdays(day.key) else {
                    reader.problem(at: day.keyNode, "\(path).hours: '\(day.key)' is not a weekday or a range such as mon-fri")
                    continue
                }
                guard let text = reader.string(day.value, "\(path).hours.\(day.key)"), let ranges = openingRanges(text) else {
                    reader.problem(at: day.value, "\(path).hours.\(day.key): expected ranges such as \"08:30-12:00, 13:30-18:00\"")
                    continue
                }
                for weekday in days {
                    for (offset, range) in ranges {
                        hours[next(weekday, offset), default: []].append(range)
                    }
                }
            }
            if fields["hours"] == nil { reader.problem(at: pair.value, "\(path): missing 'hours'") }
            var holidays: [String] = []
            for (date, dateNode) in reader.strings(fields["holidays"], "\(path).holidays") {
                if isISODate(date) { holidays.append(date) } else {
                    reader.problem(at: dateNode, "\(path).holidays: '\(date)' is not a date YYYY-MM-DD")
                }
            }
            calendars[pair.key] = BusinessCalendar(code: pair.key, timezone: zone, hours: hours.mapValues { $0.sorted { $0.start < $1.start } }, holidays: holidays)
        }
        return calendars
    }

    static func readSLA(_ node: Node?, map: ProcessMap, _ reader: MapReader) -> [String: SLAPolicy] {
        var policies: [String: SLAPolicy] = [:]
        let statuses = Set(map.workflows.values.flatMap(\.statusOrder))
        let priorities = map.referential.priorityMatrix.priorities
        for pair in reader.pairs(node, "sla") {
            let path = "sla.\(pair.key)"
            let fields = reader.fields(pair.value, path, allowed: ["calendar", "pause_in", "targets"])
            let calendar = reader.requiredString(fields, "calendar", path, at: pair.value) ?? ""
            if !calendar.isEmpty, map.calendars[calendar] == nil {
                reader.problem(at: fields["calendar"], "\(path).calendar: unknown calendar '\(calendar)'; expected one of \(map.calendars.keys.sorted().joined(separator: ", "))")
            }
            let pauses = reader.strings(fields["pause_in"], "\(path).pause_in")
            reader.checkKnown(pauses, in: statuses, "\(path).pause_in", what: "status")
            var targets: [String: [SLAPolicy.Metric: Int]] = [:]
            for priority in reader.pairs(fields["targets"], "\(path).targets") {
                if !priorities.isEmpty, !priorities.contains(priority.key) {
                    reader.problem(at: priority.keyNode, "\(path).targets: unknown priority '\(priority.key)'; expected one of \(priorities.joined(separator: ", "))")
                }
                let metricNames = SLAPolicy.Metric.allCases.map(\.rawValue)
                for metric in reader.pairs(priority.value, "\(path).targets.\(priority.key)", allowed: metricNames) {
                    let text = reader.string(metric.value, "\(path).targets.\(priority.key).\(metric.key)") ?? ""
                    guard let seconds = BusinessDuration.seconds(in: text) else {
                        reader.problem(at: metric.value, "\(path).targets.\(priority.key).\(metric.key): '\(text)' is not a duration such as 15m, 4h or 2d")
                        continue
                    }
                    targets[priority.key, default: [:]][SLAPolicy.Metric(rawValue: metric.key)!] = seconds
                }
            }
            policies[pair.key] = SLAPolicy(code: pair.key, calendar: calendar, pauseIn: pauses.map(\.0), targets: targets)
        }
        return policies
    }

    /// `mon`, `mon-fri`, `sat-sun`.
    static func weekdays(_ text: String) -> [BusinessCalendar.Weekday]? {
        let all = BusinessCalendar.Weekday.allCases
        let parts = text.split(separator: "-").map { BusinessCalendar.Weekday(rawValue: String($0).lowercased()) }
        switch parts.count {
        case 1: return parts[0].map { [$0] }
        case 2:
            guard let first = parts[0], let last = parts[1], first <= last else { return nil }
            return all.filter { $0 >= first && $0 <= last }
        default: return nil
        }
    }

    /// `"08:30-12:00, 13:30-18:00"`; a range that ends before it starts runs past midnight and
    /// continues on the next day (offset 1).
    static func openingRanges(_ text: String) -> [(Int, BusinessCalendar.Range)]? {
        var result: [(Int, BusinessCalendar.Range)] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").map { minutes(String($0).trimmingCharacters(in: .whitespaces)) }
            guard bounds.count == 2, let start = bounds[0], let end = bounds[1], start != end else { return nil }
            if end > start {
                result.append((0, .init(start: start, end: end)))
            } else {
                result.append((0, .init(start: start, end: 24 * 60)))
                if end > 0 { result.append((1, .init(start: 0, end: end))) }
            }
        }
        return result.isEmpty ? nil : result
    }

    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 24 * 60 else { return nil }
        return hour * 60 + minute
    }

    static func next(_ day: BusinessCalendar.Weekday, _ offset: Int) -> BusinessCalendar.Weekday {
        let all = BusinessCalendar.Weekday.allCases
        return all[(all.firstIndex(of: day)! + offset) % all.count]
    }

    static func isISODate(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let month = Int(parts[1]), let day = Int(parts[2]) else { return false }
        return Int(parts[0]) != nil && (1...12).contains(month) && (1...31).contains(day)
    }
}

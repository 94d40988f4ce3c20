import Foundation
import RelaisCore
import Yams

extension MapLoader {
    static let calendarKeys = ["timezone", "hours", "holidays", "holidays_file", "openings", "business_day"]

    static func readCalendars(_ node: Node?, _ reader: MapReader) -> [String: BusinessCalendar] {
        var calendars: [String: BusinessCalendar] = [:]
        for pair in reader.pairs(node, "calendars") {
            let path = "calendars.\(pair.key)"
            let fields = reader.fields(pair.value, path, allowed: calendarKeys)
            let zone = reader.requiredString(fields, "timezone", path, at: pair.value) ?? "UTC"
            if TimeZone(identifier: zone) == nil {
                reader.problem(at: fields["timezone"], "\(path).timezone: unknown time zone '\(zone)'")
            }
            var hours: [BusinessCalendar.Weekday: [(BusinessCalendar.Range, Node)]] = [:]
            for day in reader.pairs(fields["hours"], "\(path).hours") {
                guard let days = weekdays(day.key) else {
                    reader.problem(at: day.keyNode, "\(path).hours: '\(day.key)' is not a weekday or a range such as mon-fri")
                    continue
                }
                guard let ranges = ranges(day.value, "\(path).hours.\(day.key)", reader) else { continue }
                for weekday in days {
                    for (offset, range) in ranges {
                        hours[next(weekday, offset), default: []].append((range, day.value))
                    }
                }
            }
            if fields["hours"] == nil { reader.problem(at: pair.value, "\(path): missing 'hours'") }
            for (weekday, ranges) in hours { checkOverlaps(ranges, "\(path).hours", on: weekday.rawValue, reader) }

            var holidays = Set<CivilDate>()
            for (text, dateNode) in reader.strings(fields["holidays"], "\(path).holidays") {
                if let date = CivilDate(iso: text) {
                    holidays.insert(date)
                } else {
                    reader.problem(at: dateNode, "\(path).holidays: '\(text)' is not a date YYYY-MM-DD")
                }
            }
            if let fileNode = fields["holidays_file"], let name = reader.string(fileNode, "\(path).holidays_file") {
                holidays.formUnion(readICalendar(name, at: fileNode, path, reader))
            }

            var openings: [CivilDate: [BusinessCalendar.Range]] = [:]
            for opening in reader.pairs(fields["openings"], "\(path).openings") {
                guard let date = CivilDate(iso: opening.key) else {
                    reader.problem(at: opening.keyNode, "\(path).openings: '\(opening.key)' is not a date YYYY-MM-DD")
                    continue
                }
                guard let ranges = ranges(opening.value, "\(path).openings.\(opening.key)", reader) else { continue }
                if ranges.contains(where: { $0.0 > 0 }) {
                    reader.problem(at: opening.value, "\(path).openings.\(opening.key): an exceptional opening ends by midnight")
                    continue
                }
                checkOverlaps(ranges.map { ($0.1, opening.value) }, "\(path).openings", on: opening.key, reader)
                openings[date] = ranges.map(\.1).sorted { $0.start < $1.start }
            }

            var calendar = BusinessCalendar(
                code: pair.key, timezone: zone, hours: hours.mapValues { $0.map(\.0).sorted { $0.start < $1.start } },
                holidays: holidays, openings: openings)
            if let dayNode = fields["business_day"], let text = reader.string(dayNode, "\(path).business_day") {
                if let seconds = BusinessDuration.seconds(in: text, day: 0, week: 0), seconds <= 24 * 3600 {
                    calendar.businessDay = seconds
                } else {
                    reader.problem(at: dayNode, "\(path).business_day: '\(text)' is not a length of day such as 8h or 7h30m")
                }
            }
            calendars[pair.key] = calendar
        }
        return calendars
    }

    /// Opening ranges written as text, or nil after reporting why not.
    static func ranges(_ node: Node, _ path: String, _ reader: MapReader) -> [(Int, BusinessCalendar.Range)]? {
        guard let text = reader.string(node, path) else { return nil }
        guard let ranges = openingRanges(text) else {
            reader.problem(at: node, "\(path): expected ranges such as \"08:30-12:00, 13:30-18:00\", got '\(text)'")
            return nil
        }
        return ranges
    }

    static func checkOverlaps(_ ranges: [(BusinessCalendar.Range, Node)], _ path: String, on day: String, _ reader: MapReader) {
        let sorted = ranges.sorted { $0.0.start < $1.0.start }
        for (earlier, later) in zip(sorted, sorted.dropFirst()) where later.0.start < earlier.0.end {
            reader.problem(at: later.1, "\(path): ranges \(earlier.0) and \(later.0) overlap on \(day)")
        }
    }

    /// Holidays from an `.ics` file named relative to the map; a file that cannot be read adds none.
    static func readICalendar(_ name: String, at node: Node, _ path: String, _ reader: MapReader) -> Set<CivilDate> {
        if let problem = MapReader.includeProblem(name) {
            reader.problem(at: node, "\(path).holidays_file: \(problem)")
            return []
        }
        guard let text = reader.include(name) else {
            reader.problem(at: node, "\(path).holidays_file: cannot read '\(name)' (at most \(MapReader.largestInclude >> 20) MiB)")
            return []
        }
        do {
            return try ICalendarHolidays.dates(in: text)
        } catch {
            reader.problem(file: name, line: error.line, error.message)
            reader.problem(at: node, "\(path).holidays_file: '\(name)' is refused: nothing of it is applied")
            return []
        }
    }

    static let policyKeys = ["calendar", "pause_in", "targets", "warn_at", "on_priority_change", "on_reopen", "on_policy_change", "escalation"]

    static func readSLA(_ node: Node?, map: ProcessMap, _ reader: MapReader) -> [String: SLAPolicy] {
        var policies: [String: SLAPolicy] = [:]
        let statuses = Set(map.workflows.values.flatMap(\.statusOrder))
        let priorities = map.referential.priorityMatrix.priorities
        for pair in reader.pairs(node, "sla") {
            let path = "sla.\(pair.key)"
            let fields = reader.fields(pair.value, path, allowed: policyKeys)
            let calendarCode = reader.requiredString(fields, "calendar", path, at: pair.value) ?? ""
            let calendar = map.calendars[calendarCode]
            if !calendarCode.isEmpty, calendar == nil {
                reader.problem(
                    at: fields["calendar"],
                    "\(path).calendar: unknown calendar '\(calendarCode)'; expected one of \(map.calendars.keys.sorted().joined(separator: ", "))")
            }
            let pauses = reader.strings(fields["pause_in"], "\(path).pause_in")
            reader.checkKnown(pauses, in: statuses, "\(path).pause_in", what: "status")
            var policy = SLAPolicy(code: pair.key, calendar: calendarCode, pauseIn: pauses.map(\.0))
            for priority in reader.pairs(fields["targets"], "\(path).targets") {
                if !priorities.isEmpty, !priorities.contains(priority.key) {
                    reader.problem(
                        at: priority.keyNode,
                        "\(path).targets: unknown priority '\(priority.key)'; expected one of \(priorities.joined(separator: ", "))")
                }
                let metricNames = SLAPolicy.Metric.allCases.map(\.rawValue)
                for metric in reader.pairs(priority.value, "\(path).targets.\(priority.key)", allowed: metricNames) {
                    let text = reader.string(metric.value, "\(path).targets.\(priority.key).\(metric.key)") ?? ""
                    let seconds = calendar?.seconds(in: text) ?? BusinessDuration.seconds(in: text)
                    guard let seconds else {
                        reader.problem(
                            at: metric.value, "\(path).targets.\(priority.key).\(metric.key): '\(text)' is not a duration such as 15m, 4h or 2d")
                        continue
                    }
                    policy.targets[priority.key, default: [:]][SLAPolicy.Metric(rawValue: metric.key)!] = seconds
                }
            }
            if let node = fields["warn_at"], let text = reader.string(node, "\(path).warn_at") {
                let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
                if let percent = Int(digits.trimmingCharacters(in: .whitespaces)), (1...99).contains(percent) {
                    policy.warnAt = percent
                } else {
                    reader.problem(at: node, "\(path).warn_at: '\(text)' is not a percentage between 1% and 99%")
                }
            }
            policy.onPriorityChange = choice(fields["on_priority_change"], "\(path).on_priority_change", reader) ?? .retarget
            policy.onReopen = choice(fields["on_reopen"], "\(path).on_reopen", reader) ?? .resume
            policy.onPolicyChange = choice(fields["on_policy_change"], "\(path).on_policy_change", reader) ?? .retarget
            let escalation = reader.fields(fields["escalation"], "\(path).escalation", allowed: ["warning", "breach"])
            policy.onWarning = readEscalation(escalation["warning"], "\(path).escalation.warning", reader)
            policy.onBreach = readEscalation(escalation["breach"], "\(path).escalation.breach", reader)
            policies[pair.key] = policy
        }
        return policies
    }

    static func choice<Value: RawRepresentable & CaseIterable>(_ node: Node?, _ path: String, _ reader: MapReader) -> Value?
    where Value.RawValue == String {
        guard let node, let text = reader.string(node, path) else { return nil }
        guard let value = Value(rawValue: text) else {
            reader.problem(at: node, "\(path): unknown value '\(text)'; expected one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    static func readEscalation(_ node: Node?, _ path: String, _ reader: MapReader) -> SLAPolicy.Escalation {
        let fields = reader.fields(node, path, allowed: ["escalate", "raise_priority", "notify"])
        var escalation = SLAPolicy.Escalation()
        escalation.escalate = reader.bool(fields["escalate"], "\(path).escalate") ?? false
        if let steps = reader.int(fields["raise_priority"], "\(path).raise_priority") {
            if (0...9).contains(steps) {
                escalation.raisePriority = steps
            } else {
                reader.problem(at: fields["raise_priority"], "\(path).raise_priority: expected a number of steps from 0 to 9")
            }
        }
        let notify = reader.strings(fields["notify"], "\(path).notify")
        reader.checkKnown(notify, in: SLAPolicy.Escalation.recipients, "\(path).notify", what: "recipient")
        escalation.notify = notify.map(\.0)
        return escalation
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
            (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 24 * 60
        else { return nil }
        return hour * 60 + minute
    }

    static func next(_ day: BusinessCalendar.Weekday, _ offset: Int) -> BusinessCalendar.Weekday {
        let all = BusinessCalendar.Weekday.allCases
        return all[(all.firstIndex(of: day)! + offset) % all.count]
    }
}

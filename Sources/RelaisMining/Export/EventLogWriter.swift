import Foundation
import RelaisCore

/// Writes events as an XES or CSV log that pm4py, ProM and spreadsheets read: one trace per
/// case (cases in the order they first appear, events in the order given), the standard
/// `concept`, `time` and `org` attributes, and each case's own attributes on the trace.
public enum EventLogWriter {
    public static func xes(_ events: [EventList.Event], logName: String) -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <log xes.version="1.0" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
              <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
              <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
              <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
              <classifier name="Activity" keys="concept:name"/>
              <string key="concept:name" value="\(escape(logName))"/>

            """
        for (caseID, caseEvents) in grouped(events) {
            out += "  <trace>\n    <string key=\"concept:name\" value=\"\(escape(caseID))\"/>\n"
            for (key, value) in (caseEvents.first?.attributes ?? [:]).sorted(by: { $0.key < $1.key }) {
                out += "    <string key=\"\(escape(key))\" value=\"\(escape(value))\"/>\n"
            }
            for event in caseEvents where !event.isBreach {
                out += "    <event>\n      <string key=\"concept:name\" value=\"\(escape(event.activity))\"/>\n"
                out += "      <date key=\"time:timestamp\" value=\"\(TimestampText.iso8601(event.time))\"/>\n"
                if let resource = event.resource { out += "      <string key=\"org:resource\" value=\"\(escape(resource))\"/>\n" }
                if let group = event.group { out += "      <string key=\"org:group\" value=\"\(escape(group))\"/>\n" }
                out += "    </event>\n"
            }
            out += "  </trace>\n"
        }
        return out + "</log>\n"
    }

    /// One row per event: case, activity, time, resource, group, then the case attributes.
    public static func csv(_ events: [EventList.Event]) -> String {
        let attributeKeys = Set(events.flatMap(\.attributes.keys)).sorted()
        var out =
            (["case:concept:name", "concept:name", "time:timestamp", "org:resource", "org:group"] + attributeKeys)
            .map(csvField).joined(separator: ",") + "\n"
        for (caseID, caseEvents) in grouped(events) {
            for event in caseEvents where !event.isBreach {
                let fields =
                    [caseID, event.activity, TimestampText.iso8601(event.time), event.resource ?? "", event.group ?? ""]
                    + attributeKeys.map { event.attributes[$0] ?? "" }
                out += fields.map(csvField).joined(separator: ",") + "\n"
            }
        }
        return out
    }

    private static func grouped(_ events: [EventList.Event]) -> [(String, [EventList.Event])] {
        var order: [String] = [], byCase: [String: [EventList.Event]] = [:]
        for event in events {
            if byCase[event.caseID] == nil { order.append(event.caseID) }
            byCase[event.caseID, default: []].append(event)
        }
        return order.map { ($0, byCase[$0]!) }
    }

    static func escape(_ text: String) -> String { Markup.escape(text) }

    static func csvField(_ text: String) -> String { CSVField.escape(text) }
}

/// Instants as logs write them.
public enum TimestampText {
    /// `2026-11-27T08:30:00.250+00:00` for microseconds since 1970.
    public static func iso8601(_ micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let millis = (micros - seconds * 1_000_000) / 1000
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970 (the inverse of `daysFromCivil`).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millisText = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return
            "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)).\(millisText)+00:00"
    }
}

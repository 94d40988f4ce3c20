import Foundation
import RelaisCore

/// How values are shown: instants in the visitor's time zone, spans in words of their language,
/// the map's codes by their labels.
struct WebFormat {
    let language: WebText.Language
    let timeZone: TimeZone
    let words: [String: String]
    let map: ProcessMap

    init(_ visit: WebVisit) {
        language = visit.language
        timeZone = visit.timeZone
        words = visit.words
        map = visit.services.configuration.map
    }

    /// `28 Nov 2026 14:05` or `28 nov. 2026 14:05`, in the visitor's zone.
    func instant(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let months = (words["months"] ?? "").split(separator: ",").map(String.init)
        let month = months.count == 12 ? months[(parts.month ?? 1) - 1] : String(parts.month ?? 1)
        return String(format: "%d %@ %d %02d:%02d", parts.day ?? 1, month, parts.year ?? 1970, parts.hour ?? 0, parts.minute ?? 0)
    }

    /// A span in the largest two units: `3 d 4 h`, `2 h 15 min`, `45 min`.
    func span(_ seconds: TimeInterval) -> String {
        let minutes = Int(abs(seconds) / 60)
        let (days, hours, mins) = (minutes / 1_440, minutes % 1_440 / 60, minutes % 60)
        let d = words["unit_day"] ?? "d", h = words["unit_hour"] ?? "h", m = words["unit_minute"] ?? "min"
        if days > 0 { return hours > 0 ? "\(days) \(d) \(hours) \(h)" : "\(days) \(d)" }
        if hours > 0 { return mins > 0 ? "\(hours) \(h) \(mins) \(m)" : "\(hours) \(h)" }
        return "\(mins) \(m)"
    }

    /// When a deadline falls, from `now`: `in 2 h` or `3 h ago`, and whether it has passed.
    func deadline(_ due: Date, now: Date) -> (text: String, late: Bool) {
        let left = due.timeIntervalSince(now)
        let template = left >= 0 ? (words["due_in"] ?? "in %@") : (words["due_ago"] ?? "%@ late")
        return (template.replacingOccurrences(of: "%@", with: span(left)), left < 0)
    }

    func family(_ code: String) -> String { map.families[code]?.label.text(in: language.rawValue) ?? code }

    func category(_ code: String?) -> String? {
        guard let code else { return nil }
        return map.referential.categories.first { $0.code == code }?.label.text(in: language.rawValue) ?? code
    }

    /// A status code as people read it: `in_progress` becomes `In progress`.
    func status(_ code: String) -> String {
        if let label = words["status_" + code] { return label }
        let spaced = code.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }
}

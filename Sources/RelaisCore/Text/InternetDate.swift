import Foundation

/// Dates as mail and HTTP write them: RFC 5322 (`Fri, 27 Nov 2026 15:04:05 +0100 (CET)`, day name,
/// seconds and comment optional, zone as offset or name), and HTTP's obsolete RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`) forms.
public enum InternetDate {
    static let formats = [
        "d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm Z", "d MMM yy HH:mm:ss Z", "d MMM yyyy HH:mm:ss zzz",
        "dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy",
    ]

    public static func parse(_ value: String) -> Date? {
        var text = value
        if let comment = text.firstIndex(of: "(") { text = String(text[..<comment]) }
        text = text.trimmingCharacters(in: .whitespaces)
        if let comma = text.firstIndex(of: ",") { text = text[text.index(after: comma)...].trimmingCharacters(in: .whitespaces) }
        text = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in formats {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

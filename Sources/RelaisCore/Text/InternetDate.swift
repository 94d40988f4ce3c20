import Foundation

/// Dates as mail and HTTP write them: RFC 5322 (`Fri, 27 Nov 2026 15:04:05 +0100 (CET)`, day name,
/// seconds and comment optional, zone as offset or name), and HTTP's obsolete RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`) forms.
///
/// The RFC 5322 form, which nearly every message carries, is read field by field; the others go
/// through a `DateFormatter`, whose set-up costs more than reading a message's headers.
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
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        if let date = rfc5322(fields) { return date }
        return formatted(fields.joined(separator: " "))
    }

    /// `d MMM yyyy HH:mm[:ss] zone`, the zone an offset (`+0100`) or one of RFC 5322's names.
    static func rfc5322(_ fields: [Substring]) -> Date? {
        guard fields.count == 5, fields[0].count <= 2, let day = number(fields[0]), (1...31).contains(day),
            let month = months[fields[1].lowercased()], fields[2].count >= 2, var year = number(fields[2]),
            let offset = zoneOffset(fields[4])
        else { return nil }
        // Two-digit years are 1950-2049, three-digit ones count from 1900 (RFC 5322, 4.3).
        switch fields[2].count {
        case 2: year += year < 50 ? 2000 : 1900
        case 3: year += 1900
        default: break
        }
        let time = fields[3].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 2 || time.count == 3, time.allSatisfy({ $0.count == 2 }),
            let hour = number(time[0]), let minute = number(time[1]), hour < 24, minute < 60
        else { return nil }
        var second = 0
        if time.count == 3 {
            guard let value = number(time[2]), value <= 60 else { return nil }
            second = min(value, 59)  // a leap second is read as the second before it
        }
        guard let date = CivilDate(year: year, month: month, day: day) else { return nil }
        let seconds = date.daysSinceEpoch * 86_400 + hour * 3_600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    static let months = ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
    static let zones = ["ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7]

    /// Seconds east of UTC.
    static func zoneOffset(_ zone: Substring) -> Int? {
        if let hours = zones[zone.lowercased()] { return hours * 3_600 }
        guard zone.count == 5, let sign = zone.first, sign == "+" || sign == "-", let digits = number(zone.dropFirst()) else { return nil }
        let minutes = digits % 100
        guard minutes < 60 else { return nil }
        let offset = (digits / 100) * 3_600 + minutes * 60
        return sign == "-" ? -offset : offset
    }

    /// Decimal digits only (no sign, no spaces), at most nine of them.
    static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return text.utf8.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    static func formatted(_ text: String) -> Date? {
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

/// One cell of a CSV file Relais writes (RFC 4180), safe to open in a spreadsheet.
///
/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return
/// first: OWASP's "CSV Injection" list) could run when someone opens the export, and every text in
/// an export may come from outside (a ticket title, a requester's name). Such a cell is written
/// after a `'`, which spreadsheets show as text; a number (`-3`, `+4.5`) stays a number.
public enum CSVField {
    public static func escape(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(text) == nil {
            text = "'" + text
        }
        // Scalars, not characters: a combining mark after a comma or a quote makes one Swift
        // character of both, which spreadsheets still read as a separator.
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted.unicodeScalars.append(scalar) }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }
}

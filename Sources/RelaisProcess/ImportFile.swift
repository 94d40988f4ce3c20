import CSV
import Foundation
import RelaisStore

/// Why an import file cannot be read at all.
public struct ImportFileError: Error, CustomStringConvertible {
    public var description: String
}

/// Import files as rows: CSV with a header row of field names, or a JSON array of objects.
public enum ImportFile {
    public struct Parsed: Sendable {
        public var rows: [ImportRow] = []
        /// Rows refused before any field is read (a wrong number of fields, a nested value).
        public var rejected: [ImportReport.Rejection] = []
    }

    /// A JSON array of objects, as a file holds it.
    public static func json(data: Data) throws -> Parsed {
        do {
            return objects(try JSONDecoder().decode([[String: JSONCell]].self, from: data).map { $0.mapValues(\.value) })
        } catch {
            throw ImportFileError(description: "the file is not a JSON array of objects")
        }
    }

    /// One value of a JSON object read from a file: what `objects` takes (text, a truth value,
    /// a number, null), or `Nested` for an array or an object, which it refuses.
    struct JSONCell: Decodable {
        struct Nested: Sendable {}

        var value: (any Sendable)?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                value = nil
            } else if let flag = try? container.decode(Bool.self) {
                value = flag
            } else if let number = try? container.decode(Int.self) {
                value = number
            } else if let number = try? container.decode(Double.self) {
                value = number
            } else if let text = try? container.decode(String.self) {
                value = text
            } else {
                value = Nested()
            }  // nested: refused by `objects` with its key
        }
    }

    /// Each row keeps the line it starts on, counting the header as line 1 and the line breaks
    /// inside quoted fields.
    public static func csv(_ text: String) throws -> Parsed {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let reader: CSVReader
        do {
            reader = try CSVReader(string: body, hasHeaderRow: true, trimFields: true)
        } catch {
            throw ImportFileError(description: "the CSV has no header row of field names")
        }
        let header = (reader.headerRow ?? []).map { $0.lowercased() }
        guard !header.isEmpty, !header.allSatisfy(\.isEmpty) else { throw ImportFileError(description: "the CSV has no header row of field names") }
        if let blank = header.firstIndex(of: "") { throw ImportFileError(description: "column \(blank + 1) of the header row has no name") }
        if let repeated = header.first(where: { name in header.filter { $0 == name }.count > 1 }) {
            throw ImportFileError(description: "the header row names '\(repeated)' twice")
        }
        var parsed = Parsed()
        var line = 2 + header.reduce(0) { $0 + lineBreaks(in: $1) }
        while let fields = reader.next() {
            defer { line += 1 + fields.reduce(0) { $0 + lineBreaks(in: $1) } }
            if fields.count == 1, fields[0].isEmpty { continue }
            guard fields.count == header.count else {
                parsed.rejected.append(
                    .init(line: line, field: nil, reason: "expected \(header.count) fields as in the header, found \(fields.count)"))
                continue
            }
            parsed.rows.append(ImportRow(line: line, values: Dictionary(uniqueKeysWithValues: zip(header, fields))))
        }
        return parsed
    }

    static func lineBreaks(in field: String) -> Int { field.reduce(0) { $0 + ($1 == "\n" || $1 == "\r\n" ? 1 : 0) } }

    /// Each object's values as text; its position in the array, from 1, stands for its line.
    public static func objects(_ objects: [[String: (any Sendable)?]]) -> Parsed {
        var parsed = Parsed()
        for (index, object) in objects.enumerated() {
            var values: [String: String] = [:]
            var refused: String?
            for (key, value) in object {
                switch value {
                case nil: values[key] = ""
                case let text as String: values[key] = text
                case let flag as Bool: values[key] = flag ? "true" : "false"
                case let number as Int: values[key] = String(number)
                case let number as Double: values[key] = number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
                default: refused = key
                }
            }
            if let refused {
                parsed.rejected.append(.init(line: index + 1, field: refused, reason: "\(refused): expected a text, a number or null"))
            } else {
                parsed.rows.append(ImportRow(line: index + 1, values: values))
            }
        }
        return parsed
    }
}

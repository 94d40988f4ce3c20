import Foundation

/// How the rows of a file another tool exported (CSV with a header, or a JSON list of objects)
/// become peer records: which column holds the id, the title, the times, and which hold local
/// values for the map's mappings.
public struct ColumnMapping: Sendable, Equatable {
    /// The name the map's mappings give this tool (`source:` of `referential.mappings`).
    public var source: String
    public var id: String
    public var title: String
    public var description: String?
    public var createdAt: String
    public var updatedAt: String?
    /// Local fields the mappings match and the coverage report lists, each with its column.
    public var values: [String: String]

    public init(source: String, id: String, title: String, description: String? = nil, createdAt: String, updatedAt: String? = nil, values: [String: String]) {
        self.source = source
        self.id = id
        self.title = title
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.values = values
    }

    /// The record of one row (its values by column name), or why there is none. Times are ISO 8601 (`2026-10-05T08:12:30Z`,
    /// an offset, or a date alone) or `yyyy-MM-dd HH:mm:ss` in UTC.
    public func record(_ row: [String: String]) -> Result<PeerRecord, PeerRecordProblem.Reason> {
        // Column names are matched whatever their case (readers may lowercase a header).
        func value(_ column: String?) -> String? {
            column.flatMap { (row[$0] ?? row[$0.lowercased()])?.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let externalID = value(id) else { return .failure(.init("no value in column '\(id)'")) }
        guard let created = value(createdAt) else { return .failure(.init("no value in column '\(createdAt)'")) }
        guard let createdAt = Self.time(created) else { return .failure(.init("\(self.createdAt): '\(created)' is not a time")) }
        var updated = createdAt
        if let text = value(updatedAt) {
            guard let time = Self.time(text) else { return .failure(.init("\(updatedAt!): '\(text)' is not a time")) }
            updated = max(time, createdAt)
        }
        var values: [String: String] = [:]
        for (field, column) in self.values { values[field] = value(column) }
        return .success(PeerRecord(source: source, externalID: externalID, title: value(title) ?? "", description: value(description) ?? "",
                                   values: values, createdAt: createdAt, updatedAt: updated))
    }

    /// Reads a time as tools export them: ISO 8601 with a zone or an offset, `yyyy-MM-dd HH:mm:ss`
    /// (taken as UTC), or a date alone (midnight UTC).
    public static func time(_ text: String) -> Date? {
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: text) { return date }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: text) { return date }
        let plain = text.replacingOccurrences(of: "T", with: " ")
        let parts = plain.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == ":" }).map(String.init)
        guard parts.count == 6 || parts.count == 3, parts.allSatisfy({ Int($0) != nil }) else { return nil }
        let numbers = parts.compactMap { Int($0) } + (parts.count == 3 ? [0, 0, 0] : [])
        guard (1...12).contains(numbers[1]), (1...31).contains(numbers[2]), numbers[3] < 24, numbers[4] < 60, numbers[5] < 61 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: numbers[0], month: numbers[1], day: numbers[2],
                                                  hour: numbers[3], minute: numbers[4], second: numbers[5]))
    }
}

extension PeerRecordProblem {
    /// Why a record was refused, before its position is known.
    public struct Reason: Error, Sendable, Equatable {
        public var text: String
        public init(_ text: String) { self.text = text }
    }
}

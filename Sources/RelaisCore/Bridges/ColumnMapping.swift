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

    public init(
        source: String, id: String, title: String, description: String? = nil, createdAt: String, updatedAt: String? = nil, values: [String: String]
    ) {
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
        return .success(
            PeerRecord(
                source: source, externalID: externalID, title: value(title) ?? "", description: value(description) ?? "",
                values: values, createdAt: createdAt, updatedAt: updated))
    }

    /// Reads a time as tools export them: `yyyy-MM-dd`, then optionally `T` or a space and
    /// `HH:mm[:ss[.fraction]]`, then optionally `Z` or an offset (`+02:00`, `+0200`); without a
    /// zone, UTC. Read by hand: date formatters cost more to make than a record takes to import.
    public static func time(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += digits
            return value
        }
        func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip(45), let month = number(2), skip(45), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0, fraction = 0.0, offset = 0
        if index < bytes.count, bytes[index] == 84 || bytes[index] == 32 {
            index += 1
            guard let h = number(2), skip(58), let m = number(2), h < 24, m < 60 else { return nil }
            (hour, minute) = (h, m)
            if skip(58) {
                guard let s = number(2), s < 61 else { return nil }
                second = s
                if skip(46) {
                    var scale = 0.1
                    let start = index
                    while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                        fraction += Double(bytes[index] - 48) * scale
                        scale /= 10
                        index += 1
                    }
                    guard index > start else { return nil }
                }
            }
            if skip(90) {
                offset = 0
            } else if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 {
                let sign = bytes[index] == 45 ? -1 : 1
                index += 1
                guard let oh = number(2) else { return nil }
                _ = skip(58)
                guard let om = number(2), oh < 24, om < 60 else { return nil }
                offset = sign * (oh * 3_600 + om * 60)
            }
        }
        guard index == bytes.count else { return nil }
        // Days from 1970-01-01 of a civil date (proleptic Gregorian), by era of 400 years.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}

extension PeerRecordProblem {
    /// Why a record was refused, before its position is known.
    public struct Reason: Error, Sendable, Equatable {
        public var text: String
        public init(_ text: String) { self.text = text }
    }
}

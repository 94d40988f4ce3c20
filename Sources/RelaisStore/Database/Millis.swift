import Foundation
import RelaisCore

/// Times are stored as whole milliseconds since 1970, the same on SQLite and PostgreSQL.
enum Millis {
    static func from(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int) -> Date { Date(milliseconds: Int64(millis)) }
    static func now() -> Int { from(Date()) }
}

/// Ids are stored as lower-case text so both databases compare them the same way.
extension UUID {
    public var text: String { uuidString.lowercased() }
}

enum JSONText {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func encode<T: Encodable>(_ value: T) -> String {
        (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

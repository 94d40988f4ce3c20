import Foundation

/// The event types a webhook endpoint listens to: an exact type (`relais.ticket.created`) or a
/// glob where `*` stands for any run of characters (`relais.ticket.*`, `relais.*.breached`, `*`).
public struct EventTypePattern: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    /// The pattern cut at each `*`: the first part must start the type, the last must end it,
    /// the others must follow each other in between.
    let parts: [Substring]

    /// Nil when the text is not a pattern: empty, longer than 200 characters, or with characters
    /// other than lowercase letters, digits, `_`, `-`, `.` and `*`.
    public init?(_ text: String) {
        guard !text.isEmpty, text.count <= 200,
            text.unicodeScalars.allSatisfy({ Self.allowed.contains($0) })
        else { return nil }
        self.text = text
        self.parts = text.split(separator: "*", omittingEmptySubsequences: false)
    }

    static let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789_-.*")

    public var description: String { text }

    public func matches(_ type: String) -> Bool {
        guard parts.count > 1 else { return type == text }
        let first = parts[0], last = parts[parts.count - 1]
        guard type.count >= first.count + last.count, type.hasPrefix(first), type.hasSuffix(last) else { return false }
        var rest = type.dropFirst(first.count).dropLast(last.count)
        for middle in parts.dropFirst().dropLast() where !middle.isEmpty {
            guard let found = rest.range(of: middle) else { return false }
            rest = rest[found.upperBound...]
        }
        return true
    }

    /// Most patterns one endpoint may list.
    public static let mostPerEndpoint = 100

    /// What is wrong with the patterns an endpoint lists, as the field (`event_types` or
    /// `event_types[i]`) and the reason; nil when they may be saved.
    public static func problem(in list: [String]) -> (field: String, reason: String)? {
        if list.isEmpty { return ("event_types", "list at least one event type or pattern, such as 'relais.ticket.*'") }
        if list.count > mostPerEndpoint { return ("event_types", "at most \(mostPerEndpoint) patterns") }
        for (index, text) in list.enumerated() where EventTypePattern(text) == nil {
            return (
                "event_types[\(index)]",
                "'\(text)' is not an event type pattern (lowercase letters, digits, '_', '-', '.' and '*' for any run of characters)"
            )
        }
        return nil
    }

    /// Whether any of `patterns` takes `type`.
    public static func any(_ patterns: [EventTypePattern], matches type: String) -> Bool {
        patterns.contains { $0.matches(type) }
    }
}

/// A short text given in several languages (`{ fr: "Incident IT", en: "IT incident" }`).
public struct LocalizedText: Sendable, Equatable, Codable {
    public var values: [String: String]

    public init(_ values: [String: String]) { self.values = values }

    /// The text in `language`, falling back to English, then to any language given.
    public func text(in language: String) -> String {
        values[language] ?? values["en"] ?? values.sorted { $0.key < $1.key }.first?.value ?? ""
    }
}

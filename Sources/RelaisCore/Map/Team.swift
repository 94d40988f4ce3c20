/// A team that handles tickets, at a support level (1 = L1 ... 3 = L3).
public struct Team: Sendable, Equatable {
    public var code: String
    public var level: Int
    public var escalatesTo: String?
    public var label: LocalizedText?
    /// The legal entity the team belongs to; nil for a team that serves every entity.
    public var entity: String?

    public init(code: String, level: Int, escalatesTo: String? = nil, label: LocalizedText? = nil, entity: String? = nil) {
        self.code = code
        self.entity = entity
        self.level = level
        self.escalatesTo = escalatesTo
        self.label = label
    }
}

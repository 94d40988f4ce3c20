/// A team that handles tickets, at a support level (1 = L1 ... 3 = L3).
public struct Team: Sendable, Equatable {
    public var code: String
    public var level: Int
    public var escalatesTo: String?
    public var label: LocalizedText?

    public init(code: String, level: Int, escalatesTo: String? = nil, label: LocalizedText? = nil) {
        self.code = code
        self.level = level
        self.escalatesTo = escalatesTo
        self.label = label
    }
}

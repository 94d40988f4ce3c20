/// One entry of a ticket's history, as Core decides it; the store appends it to `ticket_events`.
public struct TicketChange: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, Codable {
        case created
        case fieldChanged = "field_changed"
        case statusChanged = "status_changed"
        case assigned
        case commented
        case linked
        case unlinked
    }

    public var kind: Kind
    public var field: String?
    public var from: String?
    public var to: String?
    /// The routing rule that made this change, when a rule did.
    public var rule: String?

    public init(kind: Kind, field: String? = nil, from: String? = nil, to: String? = nil, rule: String? = nil) {
        self.kind = kind
        self.field = field
        self.from = from
        self.to = to
        self.rule = rule
    }

    static func field(_ name: String, from: String?, to: String?, rule: String? = nil) -> TicketChange? {
        guard from != to else { return nil }
        let kind: Kind = name == "assignee" || name == "team" ? .assigned : .fieldChanged
        return TicketChange(kind: kind, field: name, from: from, to: to, rule: rule)
    }
}

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
        /// An SLA target is near (`field` names the metric, `to` the instant it was crossed).
        case slaWarning = "sla_warning"
        /// An SLA target is missed.
        case slaBreached = "sla_breached"
        /// The requester rated the resolution (`to` is the score, 1 to 5).
        case rated
        /// A knowledge article was tied to the ticket (`to` is the article id, `field` how:
        /// `solved_by` or `written_from`).
        case articleLinked = "article_linked"
        /// Configuration items were tied to or untied from the ticket (`to`/`from` the item id).
        case itemLinked = "item_linked"
        case itemUnlinked = "item_unlinked"
        /// The ticket went to a developers' tracker: `field` names the tracker, `to` the issue's
        /// key, `details` its address.
        case escalated
        /// The tracker could not take the issue and will not be asked again (`to` says why).
        case escalationFailed = "escalation_failed"
        /// The tracker's issue moved: `field` names the tracker, `from` and `to` its states.
        case trackerChanged = "tracker_changed"
        /// The fix shipped: `field` names the tracker, `to` the key.
        case fixShipped = "fix_shipped"
    }

    /// `to` of a comment written by the ticket's requester; agents' comments carry `agent`.
    public static let requesterAuthor = "requester"
    public static let agentAuthor = "agent"

    public var kind: Kind
    public var field: String?
    public var from: String?
    public var to: String?
    /// The routing rule that made this change, when a rule did; for SLA changes, the policy.
    public var rule: String?
    /// What the outside event says beyond the change itself (who must be told of a breach).
    public var details: [String: String] = [:]

    public init(kind: Kind, field: String? = nil, from: String? = nil, to: String? = nil, rule: String? = nil) {
        self.kind = kind
        self.field = field
        self.from = from
        self.to = to
        self.rule = rule
    }

    /// The change of a field from one value to another; nil when it did not change. A team or an
    /// assignee changing is an assignment.
    public static func field(_ name: String, from: String?, to: String?, rule: String? = nil) -> TicketChange? {
        guard from != to else { return nil }
        let kind: Kind = name == "assignee" || name == "team" ? .assigned : .fieldChanged
        return TicketChange(kind: kind, field: name, from: from, to: to, rule: rule)
    }
}

import Foundation

/// An event for the outside world, in the CloudEvents 1.0 structured JSON form.
public struct CloudEvent: Sendable, Equatable, Codable {
    public var specversion = "1.0"
    public var id: String
    /// `/organizations/{id}`.
    public var source: String
    /// `relais.ticket.status_changed` and the like.
    public var type: String
    /// The ticket key or the account id the event is about.
    public var subject: String
    public var time: String
    public var datacontenttype = "application/json"
    /// Position of the event among its subject's events, as a decimal string.
    public var sequence: String
    public var data: [String: String?]

    public init(id: UUID, organizationID: UUID, type: String, subject: String, time: Date, sequence: Int, data: [String: String?]) {
        self.id = id.text
        self.source = "/organizations/\(organizationID.text)"
        self.type = type
        self.subject = subject
        self.time = Self.timestamp(time)
        self.sequence = String(sequence)
        self.data = data
    }
}

extension CloudEvent {
    /// An instant as events write it: RFC 3339 in UTC with milliseconds.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

extension CloudEvent {
    /// Every type Relais sends, for people choosing what to listen to.
    public static let types = [
        "relais.ticket.created", "relais.ticket.status_changed", "relais.ticket.assigned", "relais.ticket.commented",
        "relais.ticket.priority_changed", "relais.ticket.updated", "relais.ticket.links_changed", "relais.ticket.rated",
        "relais.ticket.knowledge_linked", "relais.ticket.items_changed", "relais.ticket.escalated", "relais.ticket.escalation_failed",
        "relais.ticket.tracker_changed", "relais.ticket.fix_shipped", "relais.sla.warning", "relais.sla.breached",
        "relais.signal.opened", "relais.signal.closed", "relais.account.rollup_changed",
    ]
}

extension TicketChange {
    /// The CloudEvents type announcing this change, or nil when it stays inside Relais.
    public var eventType: String? {
        switch kind {
        case .created: "relais.ticket.created"
        case .statusChanged: "relais.ticket.status_changed"
        case .assigned: "relais.ticket.assigned"
        case .commented: "relais.ticket.commented"
        case .linked, .unlinked: "relais.ticket.links_changed"
        case .fieldChanged: field == "priority" ? "relais.ticket.priority_changed" : "relais.ticket.updated"
        case .slaWarning: "relais.sla.warning"
        case .slaBreached: "relais.sla.breached"
        case .rated: "relais.ticket.rated"
        case .articleLinked: "relais.ticket.knowledge_linked"
        case .itemLinked, .itemUnlinked: "relais.ticket.items_changed"
        case .escalated: "relais.ticket.escalated"
        case .escalationFailed: "relais.ticket.escalation_failed"
        case .trackerChanged: "relais.ticket.tracker_changed"
        case .fixShipped: "relais.ticket.fix_shipped"
        }
    }
}

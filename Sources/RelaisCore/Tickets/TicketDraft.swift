import Foundation

/// What a caller asks for when opening a ticket; Core validates it against the map.
public struct TicketDraft: Sendable, Equatable {
    public var family: String
    public var title: String
    public var description: String
    public var channel: String
    public var openedBy: String
    public var requesterID: UUID?
    public var impact: String?
    public var urgency: String?
    public var priority: String?
    public var severity: String?
    public var category: String?
    public var team: String?
    public var assignee: String?
    public var tags: [String]
    public var customFields: [String: String]
    public var links: [CRMLink]
    /// The brand it came through (its mailbox's, or named by the caller) and the legal entity it
    /// belongs to; left out, the rules of `ProcessMap.entityAndBrand` decide.
    public var brand: String?
    public var entity: String?

    public init(
        family: String, title: String, description: String = "", channel: String, openedBy: String,
        requesterID: UUID? = nil, impact: String? = nil, urgency: String? = nil, priority: String? = nil,
        severity: String? = nil, category: String? = nil, team: String? = nil, assignee: String? = nil,
        tags: [String] = [], customFields: [String: String] = [:], links: [CRMLink] = [],
        brand: String? = nil, entity: String? = nil
    ) {
        self.brand = brand
        self.entity = entity
        self.family = family
        self.title = title
        self.description = description
        self.channel = channel
        self.openedBy = openedBy
        self.requesterID = requesterID
        self.impact = impact
        self.urgency = urgency
        self.priority = priority
        self.severity = severity
        self.category = category
        self.team = team
        self.assignee = assignee
        self.tags = tags
        self.customFields = customFields
        self.links = links
    }
}

/// A partial update of a ticket: `nil` leaves a field as it is; an empty string clears
/// an optional text field (assignee, severity, ...).
public struct TicketPatch: Sendable, Equatable {
    public var title: String?
    public var description: String?
    public var impact: String?
    public var urgency: String?
    public var priority: String?
    public var severity: String?
    public var category: String?
    public var team: String?
    public var assignee: String?
    public var tags: [String]?
    public var customFields: [String: String]?
    public var links: [CRMLink]?

    public init(
        title: String? = nil, description: String? = nil, impact: String? = nil, urgency: String? = nil,
        priority: String? = nil, severity: String? = nil, category: String? = nil, team: String? = nil,
        assignee: String? = nil, tags: [String]? = nil, customFields: [String: String]? = nil, links: [CRMLink]? = nil
    ) {
        self.title = title
        self.description = description
        self.impact = impact
        self.urgency = urgency
        self.priority = priority
        self.severity = severity
        self.category = category
        self.team = team
        self.assignee = assignee
        self.tags = tags
        self.customFields = customFields
        self.links = links
    }
}

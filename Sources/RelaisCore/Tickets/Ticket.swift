import Foundation

/// A ticket as Relais keeps it: what it is, where it stands in its workflow, who handles it,
/// and the CRM objects it is tied to.
public struct Ticket: Sendable, Equatable, Codable {
    public var id: UUID
    public var organizationID: UUID
    /// Family prefix and number, unique in the organisation: `INC-42`.
    public var key: String
    public var number: Int
    public var family: String
    public var title: String
    public var description: String
    public var status: String
    public var statusCategory: StatusCategory
    public var impact: String?
    public var urgency: String?
    public var priority: String?
    public var severity: String?
    public var category: String?
    public var channel: String
    /// internal, customer, partner, automation or monitoring.
    public var openedBy: String
    public var requesterID: UUID?
    public var team: String?
    public var assignee: String?
    /// Support level of the team holding the ticket (1 = L1).
    public var level: Int?
    public var tags: [String]
    public var customFields: [String: String]
    public var links: [CRMLink]
    public var resolutionNote: String?
    /// The legal entity the ticket belongs to, and the brand it came through; nil when the map
    /// declares no entity (or declared none when the ticket was opened).
    public var entity: String?
    public var brand: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// Bumped by every change; the API's ETag.
    public var version: Int

    public init(
        id: UUID, organizationID: UUID, key: String, number: Int, family: String,
        title: String, description: String, status: String, statusCategory: StatusCategory,
        impact: String? = nil, urgency: String? = nil, priority: String? = nil,
        severity: String? = nil, category: String? = nil, channel: String, openedBy: String,
        requesterID: UUID? = nil, team: String? = nil, assignee: String? = nil, level: Int? = nil,
        tags: [String] = [], customFields: [String: String] = [:], links: [CRMLink] = [],
        resolutionNote: String? = nil, entity: String? = nil, brand: String? = nil, createdAt: Date, updatedAt: Date, version: Int = 1
    ) {
        self.id = id
        self.organizationID = organizationID
        self.key = key
        self.number = number
        self.family = family
        self.title = title
        self.description = description
        self.status = status
        self.statusCategory = statusCategory
        self.impact = impact
        self.urgency = urgency
        self.priority = priority
        self.severity = severity
        self.category = category
        self.channel = channel
        self.openedBy = openedBy
        self.requesterID = requesterID
        self.team = team
        self.assignee = assignee
        self.level = level
        self.tags = tags
        self.customFields = customFields
        self.links = links
        self.resolutionNote = resolutionNote
        self.entity = entity
        self.brand = brand
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    /// The account the ticket is linked to, if any.
    public var accountID: UUID? { links.first { $0.kind == .account }?.id }

    /// The value of a field as routing rules and the event log name it (`severity`, `custom.region`).
    public func value(of field: String) -> String? {
        switch field {
        case "family": family
        case "status": status
        case "status_category": statusCategory.rawValue
        case "impact": impact
        case "urgency": urgency
        case "priority": priority
        case "severity": severity
        case "category": category
        case "channel": channel
        case "opened_by": openedBy
        case "team": team
        case "assignee": assignee
        case "level": level.map(String.init)
        case "title": title
        default:
            field.hasPrefix("custom.") ? customFields[String(field.dropFirst("custom.".count))] : nil
        }
    }
}

/// A link from a ticket to a CRM object.
public struct CRMLink: Sendable, Equatable, Hashable, Codable {
    public var kind: CRMObjectKind
    public var id: UUID

    public init(kind: CRMObjectKind, id: UUID) {
        self.kind = kind
        self.id = id
    }
}

import Foundation

/// The whole process map of one organisation, as validated by `RelaisMap`.
///
/// This is the configuration Relais runs: every rule about tickets reads it.
public struct ProcessMap: Sendable, Equatable {
    public var organization: OrganizationProfile
    public var referential: Referential
    public var calendars: [String: BusinessCalendar]
    public var sla: [String: SLAPolicy]
    public var teams: [String: Team]
    public var workflows: [String: Workflow]
    public var families: [String: Family]
    public var routing: [RoutingRule]
    public var signals: [String: SignalRule]
    /// Configuration item types and relations of the CMDB.
    public var cmdb: CMDBSchema
    /// Mail addresses that take requests, by lowercased address.
    public var mailboxes: [String: Mailbox] = [:]
    /// Who may propose and approve changes to this map.
    public var governance = MapGovernance()
    /// Roles for agents beyond the built-in ones: permissions, and the families and teams they reach.
    public var roles: [String: AccessRole] = [:]
    /// Legal entities by code, and their order in the map (the first is the default).
    public var entities: [String: LegalEntity] = [:]
    public var entityOrder: [String] = []
    /// Brands of the entities, by code.
    public var brands: [String: Brand] = [:]
    /// Developers' trackers tickets may be escalated to, by name.
    public var trackers: [String: DeveloperTracker] = [:]
    /// Peer ticketing tools `relais sync` reads, by source.
    public var peers: [String: PeerConnection] = [:]
    /// Outside CRMs kept in step (`relais crm sync`), by kind.
    public var connectors: [String: CRMConnection] = [:]

    public init(
        organization: OrganizationProfile = .init(name: "Relais"),
        referential: Referential = .init(),
        calendars: [String: BusinessCalendar] = [:],
        sla: [String: SLAPolicy] = [:],
        teams: [String: Team] = [:],
        workflows: [String: Workflow] = [:],
        families: [String: Family] = [:],
        routing: [RoutingRule] = [],
        signals: [String: SignalRule] = [:],
        cmdb: CMDBSchema = .init()
    ) {
        self.organization = organization
        self.referential = referential
        self.calendars = calendars
        self.sla = sla
        self.teams = teams
        self.workflows = workflows
        self.families = families
        self.routing = routing
        self.signals = signals
        self.cmdb = cmdb
    }

    /// The mailbox among `addresses` that takes requests, the first that matches.
    public func mailbox(for addresses: [String]) -> Mailbox? {
        for address in addresses { if let mailbox = mailboxes[address.lowercased()] { return mailbox } }
        return nil
    }

    /// Every role a user may hold under this map: the built-in ones, then the map's by name.
    public var roleNames: [String] { AccessRole.builtIn + roles.keys.sorted() }

    /// The workflow a family follows; validation guarantees it exists.
    public func workflow(of family: Family) -> Workflow? { workflows[family.workflow] }
}

/// Who the organisation is, as the map states it.
public struct OrganizationProfile: Sendable, Equatable {
    public var name: String
    public var timezone: String
    public var languages: [String]

    public init(name: String, timezone: String = "UTC", languages: [String] = ["en"]) {
        self.name = name
        self.timezone = timezone
        self.languages = languages
    }

    /// The organisation's name as a URL-safe identifier: `Acme Corp` gives `acme-corp`.
    public var slug: String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        let parts = folded.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return parts.isEmpty ? "default" : parts.joined(separator: "-")
    }
}

/// A mail address that opens tickets of one family, for one team.
public struct Mailbox: Sendable, Equatable {
    public var address: String
    public var family: String
    public var team: String?

    public init(address: String, family: String, team: String? = nil) {
        self.address = address
        self.family = family
        self.team = team
    }
}

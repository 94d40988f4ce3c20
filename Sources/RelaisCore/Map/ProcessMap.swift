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

    public init(
        organization: OrganizationProfile = .init(name: "Relais"),
        referential: Referential = .init(),
        calendars: [String: BusinessCalendar] = [:],
        sla: [String: SLAPolicy] = [:],
        teams: [String: Team] = [:],
        workflows: [String: Workflow] = [:],
        families: [String: Family] = [:],
        routing: [RoutingRule] = [],
        signals: [String: SignalRule] = [:]
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
    }

    /// The family whose ticket keys start with `prefix` (`INC` for `INC-42`).
    public func family(forKeyPrefix prefix: String) -> Family? {
        families.values.first { $0.keyPrefix == prefix }
    }

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
}

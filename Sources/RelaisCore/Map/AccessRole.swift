/// What a role may do beyond reading the tickets it reaches.
public enum Permission: String, Sendable, Equatable, Hashable, Codable, CaseIterable, Comparable {
    /// Open, change, move and comment tickets (of the families and teams the role reaches).
    case ticketsWrite = "tickets.write"
    case crmRead = "crm.read"
    case crmWrite = "crm.write"
    /// See what accounts are worth: annual revenue, and the revenue report.
    case crmRevenue = "crm.revenue"
    /// SLA, CRM and knowledge reports, and process mining.
    case reportsView = "reports.view"
    case knowledgeWrite = "kb.write"
    case cmdbWrite = "cmdb.write"
    /// Add users and change their role and teams (never to or from administrator).
    case usersManage = "users.manage"

    public static func < (lhs: Permission, rhs: Permission) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Which tickets a user reaches and what they may do: everything for administrators and agents,
/// less for a role of the map.
public struct AccessScope: Sendable, Equatable {
    public var permissions: Set<Permission>
    /// Families whose tickets the user reaches; nil for all.
    public var families: Set<String>?
    /// Teams whose tickets the user reaches (tickets no team holds yet included); nil for all.
    public var teams: Set<String>?
    /// Legal entities whose tickets and accounts the user reaches; nil for all.
    public var entities: Set<String>?
    /// Whether tickets and accounts of no entity (stored before the map declared entities) are
    /// within reach: they count as the default entity's.
    public var reachesNoEntity = true

    public init(permissions: Set<Permission>, families: Set<String>? = nil, teams: Set<String>? = nil, entities: Set<String>? = nil) {
        self.permissions = permissions
        self.families = families
        self.teams = teams
        self.entities = entities
    }

    public static let everything = AccessScope(permissions: Set(Permission.allCases))
    /// A built-in agent's: everything but managing users.
    public static let agent = AccessScope(permissions: Set(Permission.allCases).subtracting([.usersManage]))
    /// A requester's: their own tickets, which the ticket rules check on their own.
    public static let nothing = AccessScope(permissions: [])
    /// Reaches no ticket and may do nothing: a user whose role the running map no longer declares.
    public static let none = AccessScope(permissions: [], families: [], teams: [], entities: [])

    public func allows(_ permission: Permission) -> Bool { permissions.contains(permission) }

    /// Whether a ticket of `family`, held by `team`, of `entity`, is within reach.
    public func reaches(family: String, team: String?, entity: String?) -> Bool {
        if let families, !families.contains(family) { return false }
        if let teams, let team, !teams.contains(team) { return false }
        return reaches(entity: entity)
    }

    /// Whether what belongs to `entity` (an account, a ticket) is within reach.
    public func reaches(entity: String?) -> Bool {
        guard let entities else { return true }
        guard let entity else { return reachesNoEntity }
        return entities.contains(entity)
    }

    /// Narrows the scope to the entities a user is granted (none granted leaves it as it is);
    /// `defaultEntity` is the one that things of no entity count as.
    public func granted(_ grants: [String], defaultEntity: String?) -> AccessScope {
        var scope = self
        if !grants.isEmpty { scope.entities = (entities ?? Set(grants)).intersection(grants) }
        if let entities = scope.entities { scope.reachesNoEntity = defaultEntity.map(entities.contains) ?? false }
        return scope
    }

    /// Whether the user reaches every ticket (no list needs filtering).
    public var reachesAll: Bool { families == nil && teams == nil && entities == nil }
}

/// A role of the map, for agents: what they may do and which tickets they reach.
public struct AccessRole: Sendable, Equatable {
    public var code: String
    public var label: LocalizedText?
    public var scope: AccessScope
    /// `teams: mine`: the role reaches the tickets of the teams its holder is a member of.
    public var ownTeams: Bool

    public init(code: String, label: LocalizedText? = nil, scope: AccessScope, ownTeams: Bool = false) {
        self.code = code
        self.label = label
        self.scope = scope
        self.ownTeams = ownTeams
    }

    /// The scope for a holder who is a member of `teams`.
    public func scope(memberOf teams: [String]) -> AccessScope {
        guard ownTeams else { return scope }
        var scope = scope
        scope.teams = Set(teams)
        return scope
    }

    /// Names the map cannot give a role: the built-in ones.
    public static let builtIn: [String] = ["admin", "agent", "requester"]
}

import Foundation

/// Built-in roles: administrators manage, agents work tickets, requesters see only their own.
public enum Role: String, Sendable, Codable, CaseIterable { case admin, agent, requester }

/// The caller a valid API token stands for.
public struct Principal: Sendable, Equatable {
    public var userID: UUID
    public var organizationID: UUID
    public var name: String
    /// What the user is at heart; a role of the map is an agent's.
    public var role: Role
    /// The role as the user holds it: a built-in one, or one the map declares.
    public var roleName: String
    /// The tickets the user reaches and what they may do there.
    public var access: AccessScope
    /// The teams of the map the user works in.
    public var teams: [String] = []
    /// The legal entities the user is granted; none granted limits nothing.
    public var entities: [String] = []

    public init(userID: UUID, organizationID: UUID, name: String, role: Role) {
        self.init(userID: userID, organizationID: organizationID, name: name, roleName: role.rawValue)
    }

    /// A user holding `roleName`: built-in roles are whole; a role of the map reaches nothing until
    /// `resolved(in:)` reads it from the running map.
    public init(userID: UUID, organizationID: UUID, name: String, roleName: String) {
        self.userID = userID
        self.organizationID = organizationID
        self.name = name
        self.roleName = roleName
        if let role = Role(rawValue: roleName) {
            self.role = role
            self.access =
                switch role {
                case .admin: .everything
                case .agent: .agent
                case .requester: .nothing
                }
        } else {
            self.role = .agent
            self.access = .none
        }
    }

    /// Whether the user's role is one of the map's.
    public var holdsMapRole: Bool { Role(rawValue: roleName) == nil }

    /// The principal with the scope the running map gives it: a role of the map's permissions and
    /// reach (nil when the map no longer declares it), narrowed, for agents, to the entities the
    /// user is granted.
    public func resolved(in map: ProcessMap) -> Principal? {
        var principal = self
        if holdsMapRole {
            guard let definition = map.roles[roleName] else { return nil }
            principal.access = definition.scope(memberOf: teams)
        }
        if role == .agent { principal.access = principal.access.granted(entities, defaultEntity: map.defaultEntity) }
        return principal
    }

    /// Refuses making or changing what belongs to `entity` (nil: the default entity's) when the
    /// user is not granted it, naming the entity.
    public func requireReach(entity: String?, defaultEntity: String?) throws {
        guard access.reaches(entity: entity) else {
            throw AccessError.forbidden("the user '\(name)' is not granted entity '\(entity ?? defaultEntity ?? "")'")
        }
    }
}

/// An organisation sharing the database with others: every row, query and credential is its own.
public struct Organization: Sendable, Equatable {
    public var id: UUID
    public var slug: String
    public var name: String

    public init(id: UUID, slug: String, name: String) {
        self.id = id
        self.slug = slug
        self.name = name
    }
}

/// Refusals that depend on who asks.
public enum AccessError: Error, Sendable, Equatable {
    case forbidden(String)
}

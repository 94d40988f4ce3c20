import Foundation
import RelaisCore

/// Users managed over the API by holders of `users.manage`: roles and teams are checked against
/// the running map, and only administrators make, unmake or change administrators.
public struct UserService: Sendable {
    public let directory: DirectoryRepository
    public let map: ProcessMap

    public init(directory: DirectoryRepository, map: ProcessMap) {
        self.directory = directory
        self.map = map
    }

    public struct Change: Sendable {
        public var role: String?
        public var teams: [String]?
        public var entities: [String]?
        public init(role: String? = nil, teams: [String]? = nil, entities: [String]? = nil) {
            self.role = role
            self.teams = teams
            self.entities = entities
        }
    }

    public func list(by principal: Principal) async throws -> [(user: Principal, email: String?)] {
        try principal.require(.list, .user)
        return try await directory.users(organizationID: principal.organizationID)
    }

    public func create(
        name: String, email: String?, role: String, teams: [String], entities: [String] = [], by principal: Principal
    ) async throws -> Principal {
        try principal.require(.create, .user)
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else { throw StoreError.invalidValue(field: "name", reason: "a user's name is 1 to 100 characters") }
        try check(teams)
        try check(entities: entities, by: principal)
        try check(role: role, teams: teams, entities: entities, by: principal)
        var user = try await directory.addUser(organizationID: principal.organizationID, name: name, email: email, roleName: role, by: principal)
        if !teams.isEmpty {
            try await directory.setTeams(teams, of: user, by: principal)
            user.teams = Array(Set(teams)).sorted()
        }
        if !entities.isEmpty {
            try await directory.setEntities(entities, of: user, by: principal)
            user.entities = Array(Set(entities)).sorted()
        }
        return user
    }

    public func update(name: String, _ change: Change, by principal: Principal) async throws -> Principal {
        try principal.require(.change, .user)
        guard var user = try await directory.user(organizationID: principal.organizationID, name: name) else {
            throw StoreError.notFound(what: "user", id: name)
        }
        if !user.entities.allSatisfy(principal.access.reaches(entity:)) {
            throw AccessError.forbidden("the user '\(name)' is granted entities beyond the reach of '\(principal.name)'")
        }
        try check(holder: user, by: principal, "change")
        if let role = change.role, role != user.roleName {
            try check(role: role, teams: change.teams ?? user.teams, entities: change.entities ?? user.entities, by: principal)
            if user.userID == principal.userID { throw AccessError.forbidden("nobody changes their own role") }
            try await directory.setRole(role, of: user, by: principal)
            user = Principal(userID: user.userID, organizationID: user.organizationID, name: user.name, roleName: role)
        }
        if let teams = change.teams {
            try check(teams)
            try await directory.setTeams(teams, of: user, by: principal)
        }
        if let entities = change.entities {
            try check(entities: entities, by: principal)
            try await directory.setEntities(entities, of: user, by: principal)
        }
        return try await directory.withGrants(user)
    }

    /// Sets a user's password hash (the caller checked the password against `PasswordPolicy`);
    /// their sessions end.
    public func setPassword(name: String, hash: String, by principal: Principal, at instant: Date) async throws {
        let user = try await credentialsHolder(name, .user, by: principal)
        try await WebSessions(database: directory.database).setPassword(hash: hash, of: user, by: principal, at: instant)
    }

    /// Makes an API token for a user and returns it, to be shown once.
    public func createToken(name: String, label: String?, by principal: Principal) async throws -> String {
        try await directory.createToken(for: try await credentialsHolder(name, .apiToken, by: principal), label: label, by: principal)
    }

    /// The user whose credentials (password, tokens) `principal` touches: only someone whose
    /// access is no wider than their own, so a credential never opens more than its maker holds.
    func credentialsHolder(_ name: String, _ resource: Resource, by principal: Principal) async throws -> Principal {
        try principal.require(.create, resource)
        guard let user = try await directory.user(organizationID: principal.organizationID, name: name) else {
            throw StoreError.notFound(what: "user", id: name)
        }
        try check(holder: user, by: principal, "manage the credentials of")
        return user
    }

    /// The access a holder of `role`, member of `teams` and granted `entities`, would have under
    /// the running map.
    func scope(ofRole role: String, teams: [String], entities: [String]) -> AccessScope {
        var holder = Principal(userID: UUID(), organizationID: UUID(), name: "", roleName: role)
        holder.teams = teams
        holder.entities = entities
        return holder.resolved(in: map)?.access ?? .none
    }

    /// Refuses a role `principal` may not give: unknown, or wider than their own access.
    func check(role: String, teams: [String], entities: [String], by principal: Principal) throws {
        guard map.roleNames.contains(role) else { throw TicketError.unknownValue(field: "role", value: role, allowed: map.roleNames) }
        // A requester reaches their own requests only, whatever the giver's reach.
        if role == Role.requester.rawValue { return }
        if case let .refused(reason) = AccessPolicy.mayGrant(role: role, scope: scope(ofRole: role, teams: teams, entities: entities), by: principal)
        {
            throw AccessError.forbidden(reason)
        }
    }

    /// Refuses touching a user whose access is wider than `principal`'s own.
    func check(holder user: Principal, by principal: Principal, _ action: String) throws {
        if case .requestedBy = AccessPolicy.ticketCut(for: user) { return }
        let scope = scope(ofRole: user.roleName, teams: user.teams, entities: user.entities)
        if case .refused = AccessPolicy.mayGrant(role: user.roleName, scope: scope, by: principal) {
            throw AccessError.forbidden("'\(principal.name)' may not \(action) '\(user.name)', whose access is wider than theirs")
        }
    }

    /// Entities must be the map's, and a user limited to some grants no more than they reach
    /// (nor lifts the limit).
    func check(entities: [String], by principal: Principal) throws {
        if let unknown = entities.first(where: { map.entities[$0] == nil }) {
            throw TicketError.unknownValue(field: "entities", value: unknown, allowed: map.entityOrder)
        }
        if let limit = principal.access.entities {
            if entities.isEmpty {
                throw AccessError.forbidden("the user '\(principal.name)' reaches some entities only, so must name the entities to grant")
            }
            if let beyond = entities.first(where: { !limit.contains($0) }) {
                throw AccessError.forbidden("the user '\(principal.name)' is not granted entity '\(beyond)' and cannot grant it")
            }
        }
    }

    func check(_ teams: [String]) throws {
        if let unknown = teams.first(where: { map.teams[$0] == nil }) {
            throw TicketError.unknownValue(field: "teams", value: unknown, allowed: map.teams.keys.sorted())
        }
    }
}

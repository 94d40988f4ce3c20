import Crypto
import Foundation
import RelaisCore
import SQLKit

/// What a user is given beyond their role, each kept in its own table.
enum UserGrant: CaseIterable, Hashable {
    /// Teams of the map they work in (a role's `teams: mine`).
    case teams
    /// Legal entities they reach.
    case entities

    var table: String { self == .teams ? "team_members" : "entity_grants" }
    var column: String { self == .teams ? "team" : "entity" }
    var plural: String { self == .teams ? "teams" : "entities" }
    var auditAction: String { "user.\(plural)_changed" }
}

/// Organisations, their users and the users' API tokens. Tokens are stored as SHA-256 digests:
/// the token itself is shown once, at creation.
public struct DirectoryRepository: Sendable {
    public let database: RelaisDatabase
    /// The clock and the ids of what it writes, injected like the services' (tests set both).
    let now: @Sendable () -> Date
    let makeID: @Sendable () -> UUID

    public init(
        database: RelaisDatabase, now: @escaping @Sendable () -> Date = Date.init, makeID: @escaping @Sendable () -> UUID = { UUID.timeOrdered() }
    ) {
        self.database = database
        self.now = now
        self.makeID = makeID
    }

    /// The organisation with `slug`, created when it does not exist yet.
    public func ensureOrganization(slug: String, name: String) async throws -> Organization {
        let id = makeID()
        return try await database.transaction { db in
            try await db.insert(into: "organizations").columns("id", "slug", "name", "created_at")
                .values(SQLBind(id.text), SQLBind(slug), SQLBind(name), SQLBind(Millis.from(now()))).ignoringConflicts().run()
            let row = try await db.select().columns("id", "slug", "name").from("organizations").where("slug", .equal, slug).first()
            guard let row, let stored = UUID(uuidString: try row.decode(column: "id", as: String.self)) else {
                throw StoreError.notFound(what: "organization", id: slug)
            }
            return Organization(id: stored, slug: slug, name: try row.decode(column: "name", as: String.self))
        }
    }

    /// Adds a user; `actor` is who does it, for the audit log (the command line when nil).
    public func addUser(organizationID: UUID, name: String, email: String?, role: Role, by actor: Principal? = nil) async throws -> Principal {
        try await addUser(organizationID: organizationID, name: name, email: email, roleName: role.rawValue, by: actor)
    }

    /// Adds a user holding a built-in role or one of the map's (the caller checks it exists).
    public func addUser(organizationID: UUID, name: String, email: String?, roleName: String, by actor: Principal? = nil) async throws -> Principal {
        let id = makeID()
        let inserted = try await database.transaction { db in
            let existing = try await db.select().column("id").from("users")
                .where("organization_id", .equal, organizationID.text).where("name", .equal, name).first()
            guard existing == nil else { return false }
            try await db.insert(into: "users").columns("id", "organization_id", "name", "email", "role", "created_at")
                .values(SQLBind(id.text), SQLBind(organizationID.text), SQLBind(name), SQLBind(email), SQLBind(roleName), SQLBind(Millis.from(now())))
                .run()
            try await AuditLog.insert(
                [
                    AuditEntry(
                        organizationID: organizationID, actorID: actor?.userID, actor: actor?.name ?? AuditEntry.commandLine,
                        action: "user.created", target: name, detail: "role \(roleName)", at: now())
                ], on: db)
            return true
        }
        guard inserted else { throw StoreError.duplicate(field: "name", value: name) }
        return Principal(userID: id, organizationID: organizationID, name: name, roleName: roleName)
    }

    public func user(organizationID: UUID, name: String) async throws -> Principal? {
        guard let user = try await storedUser(organizationID: organizationID, name: name) else { return nil }
        return try await withGrants(user)
    }

    func storedUser(organizationID: UUID, name: String) async throws -> Principal? {
        try await database.read { db in
            try await db.select().columns("id", "role").from("users")
                .where("organization_id", .equal, organizationID.text).where("name", .equal, name).first()
        }.flatMap { row in
            guard let id = UUID(uuidString: try row.decode(column: "id", as: String.self)) else { return nil }
            return Principal(userID: id, organizationID: organizationID, name: name, roleName: try row.decode(column: "role", as: String.self))
        }
    }

    /// Creates a token for the user and returns it; only its digest is kept. `actor` is who asks,
    /// for the audit log (the command line when nil).
    public func createToken(for user: Principal, label: String? = nil, by actor: Principal? = nil) async throws -> String {
        let token = "rls_" + Self.randomToken()
        try await database.transaction { db in
            try await db.insert(into: "api_tokens").columns("id", "organization_id", "user_id", "token_hash", "label", "created_at")
                .values(
                    SQLBind(makeID().text), SQLBind(user.organizationID.text), SQLBind(user.userID.text),
                    SQLBind(Self.digest(token)), SQLBind(label), SQLBind(Millis.from(now()))
                )
                .run()
            try await AuditLog.insert(
                [
                    AuditEntry(
                        organizationID: user.organizationID, actorID: actor?.userID, actor: actor?.name ?? AuditEntry.commandLine,
                        action: "token.created", target: user.name, detail: label.map { "label \($0)" } ?? "", at: now())
                ], on: db)
        }
        return token
    }

    /// The principal a token stands for, with the teams they work in; nil when the token is
    /// unknown or revoked.
    /// The holder of `token` within `organizationID`: a token of another organisation on the same
    /// database is no token here.
    public func principal(forToken token: String, organizationID: UUID) async throws -> Principal? {
        guard let principal = try await tokenHolder(Self.digest(token), organizationID: organizationID) else { return nil }
        return try await withGrants(principal)
    }

    func tokenHolder(_ hash: String, organizationID: UUID) async throws -> Principal? {
        try await database.read { db in
            try await db.select().columns(
                SQLColumn("id", table: "users"), SQLColumn("organization_id", table: "users"),
                SQLColumn("name", table: "users"), SQLColumn("role", table: "users")
            )
            .from("api_tokens").join("users", on: SQLColumn("user_id", table: "api_tokens"), .equal, SQLColumn("id", table: "users"))
            .where(SQLColumn("token_hash", table: "api_tokens"), .equal, SQLBind(hash))
            .where(SQLColumn("organization_id", table: "users"), .equal, SQLBind(organizationID.text))
            .where(SQLColumn("revoked_at", table: "api_tokens"), .is, SQLLiteral.null)
            .first()
        }.flatMap { row in
            guard let id = UUID(uuidString: try row.decode(column: "id", as: String.self)),
                let organization = UUID(uuidString: try row.decode(column: "organization_id", as: String.self))
            else { return nil }
            return Principal(
                userID: id, organizationID: organization, name: try row.decode(column: "name", as: String.self),
                roleName: try row.decode(column: "role", as: String.self))
        }
    }

    /// Makes the user a member of exactly `teams` (the caller checks the map has them).
    public func setTeams(_ teams: [String], of user: Principal, by actor: Principal? = nil) async throws {
        try await setGrants(.teams, teams, of: user, by: actor)
    }

    /// Grants the user exactly `entities` (the caller checks the map has them); none lifts the limit.
    public func setEntities(_ entities: [String], of user: Principal, by actor: Principal? = nil) async throws {
        try await setGrants(.entities, entities, of: user, by: actor)
    }

    func setGrants(_ kind: UserGrant, _ values: [String], of user: Principal, by actor: Principal?) async throws {
        let values = Array(Set(values)).sorted()
        try await database.transaction { db in
            try await db.delete(from: kind.table).where("user_id", .equal, user.userID.text).run()
            try await RowInsert.run(
                kind.table, columns: ["organization_id", "user_id", kind.column],
                rows: values.map { [user.organizationID.text, user.userID.text, $0] as RowInsert.Row }, on: db)
            try await AuditLog.insert(
                [
                    AuditEntry(
                        organizationID: user.organizationID, actorID: actor?.userID, actor: actor?.name ?? AuditEntry.commandLine,
                        action: kind.auditAction, target: user.name,
                        detail: values.isEmpty ? "no \(kind.column)" : "\(kind.plural) \(values.joined(separator: ", "))", at: now())
                ], on: db)
        }
    }

    /// Gives a user another role, built-in or the map's (the caller checks it exists).
    public func setRole(_ roleName: String, of user: Principal, by actor: Principal? = nil) async throws {
        try await database.transaction { db in
            try await db.update("users").set("role", to: roleName).where("id", .equal, user.userID.text).run()
            try await AuditLog.insert(
                [
                    AuditEntry(
                        organizationID: user.organizationID, actorID: actor?.userID, actor: actor?.name ?? AuditEntry.commandLine,
                        action: "user.role_changed", target: user.name, detail: "role \(user.roleName) -> \(roleName)", at: now())
                ], on: db)
        }
    }

    /// An API token as administrators see it: never its value, which only its holder ever saw.
    public struct TokenRecord: Sendable, Equatable {
        public var id: UUID
        public var user: String
        public var label: String?
        public var createdAt: Date
        public var revokedAt: Date?
    }

    /// The organisation's API tokens, newest first.
    public func tokens(organizationID: UUID, limit: Int = 200) async throws -> [TokenRecord] {
        try await database.read { db in
            try await db.select()
                .columns(
                    SQLColumn("id", table: "api_tokens"), SQLColumn("label", table: "api_tokens"), SQLColumn("created_at", table: "api_tokens"),
                    SQLColumn("revoked_at", table: "api_tokens"), SQLColumn("name", table: "users")
                )
                .from("api_tokens").join("users", on: SQLColumn("user_id", table: "api_tokens"), .equal, SQLColumn("id", table: "users"))
                .where(SQLColumn("organization_id", table: "api_tokens"), .equal, SQLBind(organizationID.text))
                .orderBy(SQLColumn("created_at", table: "api_tokens"), SQLDirection.descending).limit(limit).all()
        }.map { row in
            TokenRecord(
                id: try row.uuid("id"), user: try row.decode(column: "name", as: String.self),
                label: try row.decode(column: "label", as: String?.self),
                createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)),
                revokedAt: try row.decode(column: "revoked_at", as: Int?.self).map(Millis.date))
        }
    }

    /// Revokes a token of the organisation; false when there is no such live token. Processes that
    /// saw it in the last minute may still take it until their cache forgets it.
    @discardableResult
    public func revokeToken(_ id: UUID, organizationID: UUID, by actor: Principal?) async throws -> Bool {
        try await database.transaction { db in
            guard
                let row = try await db.select().column(SQLColumn("name", table: "users")).from("api_tokens")
                    .join("users", on: SQLColumn("user_id", table: "api_tokens"), .equal, SQLColumn("id", table: "users"))
                    .where(SQLColumn("id", table: "api_tokens"), .equal, SQLBind(id.text))
                    .where(SQLColumn("organization_id", table: "api_tokens"), .equal, SQLBind(organizationID.text))
                    .where(SQLColumn("revoked_at", table: "api_tokens"), .is, SQLLiteral.null).first()
            else { return false }
            try await db.update("api_tokens").set("revoked_at", to: Millis.from(now())).where("id", .equal, id.text).run()
            try await AuditLog.insert(
                [
                    AuditEntry(
                        organizationID: organizationID, actorID: actor?.userID, actor: actor?.name ?? AuditEntry.commandLine,
                        action: "token.revoked", target: try row.decode(column: "name", as: String.self), at: now())
                ], on: db)
            return true
        }
    }

    /// The e-mail address of a user, when they have one.
    public func email(of userID: UUID) async throws -> String? {
        try await database.read { db in
            try await db.select().column("email").from("users").where("id", .equal, userID.text).first()
        }.flatMap { try $0.decode(column: "email", as: String?.self) }
    }

    /// The organisation's users by name, with their e-mail and teams.
    public func users(organizationID: UUID) async throws -> [(user: Principal, email: String?)] {
        let rows = try await database.read { db in
            try await db.select().columns("id", "name", "email", "role").from("users").where("organization_id", .equal, organizationID.text)
                .orderBy("name").all()
        }
        var granted: [UserGrant: [String: [String]]] = [:]
        for kind in UserGrant.allCases {
            let rows = try await database.read { db in
                try await db.select().column("user_id").column(SQLColumn(kind.column)).from(kind.table)
                    .where("organization_id", .equal, organizationID.text).orderBy(kind.column).all()
            }
            for row in rows {
                granted[kind, default: [:]][try row.decode(column: "user_id", as: String.self), default: []].append(
                    try row.decode(column: kind.column, as: String.self))
            }
        }
        return try rows.map { row in
            let id = try row.uuid("id")
            var user = Principal(
                userID: id, organizationID: organizationID, name: try row.decode(column: "name", as: String.self),
                roleName: try row.decode(column: "role", as: String.self))
            user.teams = granted[.teams]?[id.text] ?? []
            user.entities = granted[.entities]?[id.text] ?? []
            return (user, try row.decode(column: "email", as: String?.self))
        }
    }

    /// The teams a user works in.
    public func teams(of userID: UUID) async throws -> [String] { try await grants(.teams, of: userID) }

    /// The entities a user is granted.
    public func entities(of userID: UUID) async throws -> [String] { try await grants(.entities, of: userID) }

    func grants(_ kind: UserGrant, of userID: UUID) async throws -> [String] {
        try await database.read { db in
            try await db.select().column(SQLColumn(kind.column)).from(kind.table).where("user_id", .equal, userID.text).orderBy(kind.column)
                .all(decodingColumn: kind.column, as: String.self)
        }
    }

    /// The user with the teams they work in and the entities they are granted.
    func withGrants(_ user: Principal) async throws -> Principal {
        var user = user
        user.teams = try await teams(of: user.userID)
        user.entities = try await entities(of: user.userID)
        return user
    }

    static func digest(_ token: String) -> String {
        HexDigits.text(SHA256.hash(data: Data(token.utf8)))
    }

    /// A fresh random secret, URL- and cookie-safe.
    public static func newSecret() -> String { randomToken() }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

extension DirectoryRepository {
    public func organizations() async throws -> [Organization] {
        try await database.read { db in
            try await db.select().columns("id", "slug", "name").from("organizations").orderBy("slug").all()
        }.compactMap { row in
            try UUID(uuidString: try row.decode(column: "id", as: String.self)).map {
                Organization(id: $0, slug: try row.decode(column: "slug", as: String.self), name: try row.decode(column: "name", as: String.self))
            }
        }
    }
}

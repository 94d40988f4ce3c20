import Foundation
import RelaisCore
import SQLKit

/// Signed-in browsers of the web workspace. A session is known by the digest of its cookie, so the
/// database never holds a cookie that works; each carries the token its forms must send back.
public struct WebSessions: Sendable {
    public let database: RelaisDatabase
    let directory: DirectoryRepository

    public init(database: RelaisDatabase) {
        self.database = database
        self.directory = DirectoryRepository(database: database)
    }

    /// How long a session lives: `idle` since its last request, `absolute` since sign-in.
    public struct Lifetime: Sendable, Equatable {
        public var idle: TimeInterval
        public var absolute: TimeInterval
        public init(idle: TimeInterval = 2 * 3_600, absolute: TimeInterval = 12 * 3_600) {
            self.idle = idle
            self.absolute = absolute
        }
    }

    /// A live session: who it is, the token of its forms and their display preferences.
    public struct Session: Sendable, Equatable {
        public var user: Principal
        public var csrfToken: String
        public var locale: String?
        public var timeZone: String?
        public var createdAt: Date
    }

    /// A user found by the name or e-mail they sign in with, with their password's hash (nil
    /// when no password was ever set).
    public func credentials(organizationID: UUID, login: String) async throws -> (user: Principal, passwordHash: String?)? {
        let login = login.trimmingCharacters(in: .whitespaces)
        guard !login.isEmpty else { return nil }
        let rows = try await database.read { db in
            try await db.select().columns("id", "name", "role", "password_hash").from("users")
                .where("organization_id", .equal, organizationID.text)
                .where(group: {
                    $0.where("name", .equal, login).orWhere(SQLFunction("lower", args: SQLColumn("email")), .equal, SQLBind(login.lowercased()))
                })
                .orderBy("name").limit(2).all()
        }
        // A name wins over another user's e-mail address.
        guard let row = rows.first(where: { (try? $0.decode(column: "name", as: String.self)) == login }) ?? (rows.count == 1 ? rows.first : nil)
        else {
            return nil
        }
        let user = Principal(
            userID: try row.uuid("id"), organizationID: organizationID, name: try row.decode(column: "name", as: String.self),
            roleName: try row.decode(column: "role", as: String.self))
        return (user, try row.decode(column: "password_hash", as: String?.self))
    }

    /// Sets a user's password hash and ends their sessions: whoever held the old one is out.
    public func setPassword(hash: String, of user: Principal, by actor: Principal? = nil, at instant: Date) async throws {
        try await database.transaction { db in
            try await db.update("users").set("password_hash", to: hash).where("id", .equal, user.userID.text).run()
            try await db.update("web_sessions").set("ended_at", to: Millis.from(instant))
                .where("user_id", .equal, user.userID.text).where("ended_at", .is, SQLLiteral.null).run()
            try await AuditLog.insert(
                [
                    AuditEntry(
                        organizationID: user.organizationID, actorID: actor?.userID, actor: actor?.name ?? AuditEntry.commandLine,
                        action: "user.password_set", target: user.name)
                ], on: db)
        }
    }

    /// Opens a session for `user` and returns its cookie value and form token.
    public func start(for user: Principal, at instant: Date) async throws -> (cookie: String, csrfToken: String) {
        let cookie = DirectoryRepository.randomToken()
        let csrf = DirectoryRepository.randomToken()
        let millis = Millis.from(instant)
        try await database.transaction { db in
            try await db.insert(into: "web_sessions").columns("id", "organization_id", "user_id", "csrf_token", "created_at", "seen_at")
                .values(
                    SQLBind(DirectoryRepository.digest(cookie)), SQLBind(user.organizationID.text), SQLBind(user.userID.text),
                    SQLBind(csrf), SQLBind(millis), SQLBind(millis)
                )
                .run()
            try await AuditLog.insert(
                [
                    AuditEntry(
                        organizationID: user.organizationID, actorID: user.userID, actor: user.name,
                        action: "session.started", target: user.name)
                ], on: db)
        }
        return (cookie, csrf)
    }

    /// The live session a cookie names in `organizationID`, nil when unknown, ended, expired or
    /// another organisation's. The time it was last seen moves at most once a minute, so reading
    /// pages does not write on every request.
    public func session(cookie: String, organizationID: UUID, at instant: Date, lifetime: Lifetime) async throws -> Session? {
        let id = DirectoryRepository.digest(cookie)
        let now = Millis.from(instant)
        let row = try await database.read { db in
            try await db.select()
                .columns(
                    SQLColumn("user_id", table: "web_sessions"), SQLColumn("organization_id", table: "web_sessions"),
                    SQLColumn("csrf_token", table: "web_sessions"), SQLColumn("created_at", table: "web_sessions"),
                    SQLColumn("seen_at", table: "web_sessions"), SQLColumn("name", table: "users"), SQLColumn("role", table: "users"),
                    SQLColumn("locale", table: "users"), SQLColumn("time_zone", table: "users")
                )
                .from("web_sessions").join("users", on: SQLColumn("user_id", table: "web_sessions"), .equal, SQLColumn("id", table: "users"))
                .where(SQLColumn("id", table: "web_sessions"), .equal, SQLBind(id))
                .where(SQLColumn("organization_id", table: "web_sessions"), .equal, SQLBind(organizationID.text))
                .where(SQLColumn("ended_at", table: "web_sessions"), .is, SQLLiteral.null)
                .first()
        }
        guard let row else { return nil }
        let created = try row.decode(column: "created_at", as: Int.self)
        let seen = try row.decode(column: "seen_at", as: Int.self)
        guard Double(now - seen) <= lifetime.idle * 1_000, Double(now - created) <= lifetime.absolute * 1_000 else { return nil }
        if now - seen >= 60_000 {
            try await database.transaction { db in
                try await db.update("web_sessions").set("seen_at", to: now).where("id", .equal, id).run()
            }
        }
        let user = Principal(
            userID: try row.uuid("user_id"), organizationID: try row.uuid("organization_id"),
            name: try row.decode(column: "name", as: String.self), roleName: try row.decode(column: "role", as: String.self))
        return Session(
            user: try await directory.withGrants(user), csrfToken: try row.decode(column: "csrf_token", as: String.self),
            locale: try row.decode(column: "locale", as: String?.self), timeZone: try row.decode(column: "time_zone", as: String?.self),
            createdAt: Millis.date(created))
    }

    /// Ends the session a cookie names; its cookie works no more, wherever it was copied.
    public func end(cookie: String, at instant: Date) async throws {
        let id = DirectoryRepository.digest(cookie)
        try await database.transaction { db in
            let row = try await db.select().columns(
                SQLColumn("organization_id", table: "web_sessions"), SQLColumn("user_id", table: "web_sessions"),
                SQLColumn("name", table: "users")
            )
            .from("web_sessions").join("users", on: SQLColumn("user_id", table: "web_sessions"), .equal, SQLColumn("id", table: "users"))
            .where(SQLColumn("id", table: "web_sessions"), .equal, SQLBind(id))
            .where(SQLColumn("ended_at", table: "web_sessions"), .is, SQLLiteral.null).first()
            guard let row else { return }
            try await db.update("web_sessions").set("ended_at", to: Millis.from(instant)).where("id", .equal, id).run()
            let name = try row.decode(column: "name", as: String.self)
            try await AuditLog.insert(
                [
                    AuditEntry(
                        organizationID: try row.uuid("organization_id"), actorID: try row.uuid("user_id"), actor: name,
                        action: "session.ended", target: name)
                ], on: db)
        }
    }

    /// Records a refused sign-in for `login` from `address` (when known), in the audit log too.
    public func recordFailure(organizationID: UUID, login: String, address: String? = nil, reason: String, at instant: Date) async throws {
        try await database.transaction { db in
            try await db.insert(into: "login_failures").columns("organization_id", "login", "address", "failed_at")
                .values(
                    SQLBind(organizationID.text), SQLBind(Self.key(login)), SQLBind(address.map { String($0.prefix(64)) }),
                    SQLBind(Millis.from(instant))
                ).run()
            try await AuditLog.insert(
                [
                    AuditEntry(
                        organizationID: organizationID, actorID: nil, actor: "anonymous", action: "session.refused",
                        target: String(login.prefix(100)), outcome: .refused,
                        detail: address.map { "\(reason) (from \($0.prefix(64)))" } ?? reason)
                ], on: db)
        }
    }

    /// The times of the refused sign-ins from `address` since `instant`, whatever the login, oldest first.
    public func failures(organizationID: UUID, address: String, since instant: Date) async throws -> [Date] {
        try await database.read { db in
            try await db.select().column("failed_at").from("login_failures")
                .where("organization_id", .equal, organizationID.text).where("address", .equal, String(address.prefix(64)))
                .where("failed_at", .greaterThanOrEqual, Millis.from(instant)).orderBy("failed_at").all(decodingColumn: "failed_at", as: Int.self)
        }.map(Millis.date)
    }

    /// The times of the refused sign-ins for `login` since `instant`, oldest first.
    public func failures(organizationID: UUID, login: String, since instant: Date) async throws -> [Date] {
        try await database.read { db in
            try await db.select().column("failed_at").from("login_failures")
                .where("organization_id", .equal, organizationID.text).where("login", .equal, Self.key(login))
                .where("failed_at", .greaterThanOrEqual, Millis.from(instant)).orderBy("failed_at").all(decodingColumn: "failed_at", as: Int.self)
        }.map(Millis.date)
    }

    /// Forgets the refused sign-ins of `login` (after a sign-in that succeeded).
    public func clearFailures(organizationID: UUID, login: String) async throws {
        try await database.transaction { db in
            try await db.delete(from: "login_failures").where("organization_id", .equal, organizationID.text)
                .where("login", .equal, Self.key(login)).run()
        }
    }

    /// Keeps a user's language and time zone; nil clears one (the browser's is used then).
    public func setPreferences(locale: String?, timeZone: String?, of user: Principal) async throws {
        try await database.transaction { db in
            try await db.update("users").set("locale", to: locale).set("time_zone", to: timeZone).where("id", .equal, user.userID.text).run()
        }
    }

    /// Names and e-mails differ in case only by typing: failures of either count together.
    static func key(_ login: String) -> String { String(login.trimmingCharacters(in: .whitespaces).lowercased().prefix(200)) }
}

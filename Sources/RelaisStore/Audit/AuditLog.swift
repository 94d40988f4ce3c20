import Foundation
import RelaisCore
import SQLKit

/// One line of the audit log: a change to users, tokens or integrations, or a refusal.
public struct AuditEntry: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        case done, refused
    }

    public var id: UUID
    /// Nil for a request whose token named nobody.
    public var organizationID: UUID?
    public var occurredAt: Date
    public var actorID: UUID?
    public var actor: String
    /// What was done or tried: `token.created`, `webhook.deleted`, `access.refused` ...
    public var action: String
    /// What it was done to: a user's name, an endpoint's id, a request's method and path.
    public var target: String?
    public var outcome: Outcome
    public var detail: String

    public init(
        organizationID: UUID?, actorID: UUID?, actor: String, action: String, target: String?, outcome: Outcome = .done,
        detail: String = "", at time: Date = Date()
    ) {
        self.id = UUID.timeOrdered(at: time)
        self.organizationID = organizationID
        self.occurredAt = Millis.date(Millis.from(time))
        self.actorID = actorID
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.detail = String(detail.prefix(2_000))
    }

    /// By a user of the API.
    public init(_ principal: Principal, action: String, target: String?, outcome: Outcome = .done, detail: String = "", at time: Date = Date()) {
        self.init(
            organizationID: principal.organizationID, actorID: principal.userID, actor: principal.name, action: action, target: target,
            outcome: outcome, detail: detail, at: time)
    }

    /// Who acts from the command line (an operator of the server, not a user of the API).
    public static let commandLine = "command line"
}

/// The append-only audit log: written in the transaction of the change it records, read oldest
/// first. The database refuses to change or remove its rows.
public struct AuditLog: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    static let columns = ["id", "organization_id", "occurred_at", "actor_id", "actor", "action", "target", "outcome", "detail"]

    /// Records entries on their own (a refusal, which changes nothing else).
    public func record(_ entries: AuditEntry...) async throws {
        try await database.transaction { db in try await Self.insert(entries, on: db) }
    }

    static func insert(_ entries: [AuditEntry], on db: any SQLDatabase) async throws {
        try await RowInsert.run(
            "audit_log", columns: columns,
            rows: entries.map { entry in
                [
                    entry.id.text, entry.organizationID?.text, Millis.from(entry.occurredAt), entry.actorID?.text, entry.actor, entry.action,
                    entry.target, entry.outcome.rawValue, entry.detail,
                ] as RowInsert.Row
            }, on: db)
    }

    /// An organisation's entries, oldest first, after `cursor`; `action` keeps those whose action
    /// is it or starts with it and a dot. Entries that named no organisation (requests whose token
    /// named nobody, whose paths may name any organisation's resources) are for the operator of
    /// the server only: `unattributed` adds them.
    public func entries(
        organizationID: UUID, unattributed: Bool = false, action: String? = nil, since: Date? = nil, limit: Int,
        after cursor: UUID? = nil
    ) async throws -> Page<AuditEntry> {
        let rows = try await database.read { db in
            var select = db.select().column(SQLRaw(Self.columns.joined(separator: ", "))).from("audit_log")
                .where { group in
                    let own = group.where("organization_id", .equal, organizationID.text)
                    return unattributed ? own.orWhere("organization_id", .is, SQLLiteral.null) : own
                }
            if let action { select = select.where { $0.where("action", .equal, action).orWhere("action", .like, action + ".%") } }
            if let since { select = select.where("occurred_at", .greaterThanOrEqual, Millis.from(since)) }
            if let cursor { select = select.where("id", .greaterThan, cursor.text) }
            return try await select.orderBy("id").limit(limit + 1).all()
        }
        let entries = try rows.map { row in
            var entry = AuditEntry(
                organizationID: try row.optionalUUID("organization_id"), actorID: try row.optionalUUID("actor_id"),
                actor: try row.decode(column: "actor", as: String.self), action: try row.decode(column: "action", as: String.self),
                target: try row.decode(column: "target", as: String?.self),
                outcome: AuditEntry.Outcome(rawValue: try row.decode(column: "outcome", as: String.self)) ?? .done,
                detail: try row.decode(column: "detail", as: String.self), at: Millis.date(try row.decode(column: "occurred_at", as: Int.self)))
            entry.id = try row.uuid("id")
            return entry
        }
        return Page(fetched: entries, limit: limit) { PageCursor(value: 0, id: $0.id.text) }
    }
}

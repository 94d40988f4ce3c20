import Foundation
import RelaisCore
import SQLKit

/// Relais's own event log as process mining reads it: every `ticket_events` row of the tickets
/// chosen, with the ticket's key, family and account, a ticket's rows together in the order
/// they were written.
public struct TicketEventLog: Sendable {
    public struct Row: Sendable, Equatable {
        public var ticketKey: String
        public var family: String
        public var accountID: String?
        public var kind: TicketChange.Kind
        public var field: String?
        public var from: String?
        public var to: String?
        public var actor: String
        public var occurredAt: Date
    }

    /// Which tickets: created in `[createdFrom, createdBefore)`, of these families, of this account.
    public struct Selection: Sendable {
        public var createdFrom: Date?
        public var createdBefore: Date?
        public var families: [String] = []
        public var accountID: UUID?
        /// Only the tickets this scope reaches (a role's families and teams, an agent's entities).
        public var scope: AccessScope = .everything

        public init(createdFrom: Date? = nil, createdBefore: Date? = nil, families: [String] = [], accountID: UUID? = nil) {
            self.createdFrom = createdFrom
            self.createdBefore = createdBefore
            self.families = families
            self.accountID = accountID
        }
    }

    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    /// The rows, ticket after ticket.
    public func rows(organizationID: UUID, selection: Selection = .init()) async throws -> [Row] {
        try await database.read { db in
            var query = SQLQueryString(
                """
                SELECT t.key, t.family, t.account_id, e.kind, e.field, e.from_value, e.to_value, e.actor, e.occurred_at
                FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
                WHERE t.organization_id = \(bind: organizationID.text)
                """)
            if let from = selection.createdFrom {
                query.appendInterpolation(unsafeRaw: " AND t.created_at >= ")
                query.appendInterpolation(bind: Millis.from(from))
            }
            if let before = selection.createdBefore {
                query.appendInterpolation(unsafeRaw: " AND t.created_at < ")
                query.appendInterpolation(bind: Millis.from(before))
            }
            if let account = selection.accountID {
                query.appendInterpolation(unsafeRaw: " AND t.account_id = ")
                query.appendInterpolation(bind: account.text)
            }
            if !selection.families.isEmpty {
                query.appendInterpolation(unsafeRaw: " AND t.family IN (")
                for (index, family) in selection.families.enumerated() {
                    if index > 0 { query.appendInterpolation(unsafeRaw: ", ") }
                    query.appendInterpolation(bind: family)
                }
                query.appendInterpolation(unsafeRaw: ")")
            }
            if !selection.scope.reachesAll {
                query.appendInterpolation(unsafeRaw: " AND ")
                query.appendInterpolation(AccessFilter.condition(selection.scope, table: "t"))
            }
            query.appendInterpolation(unsafeRaw: " ORDER BY e.ticket_id, e.sequence")
            return try await db.raw(query).all().compactMap(Self.decode)
        }
    }

    /// Nil for a kind of change this version does not know (written by a newer one).
    private static func decode(_ row: any SQLRow) throws -> Row? {
        guard let kind = TicketChange.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
        return Row(
            ticketKey: try row.decode(column: "key", as: String.self),
            family: try row.decode(column: "family", as: String.self),
            accountID: try row.decode(column: "account_id", as: String?.self),
            kind: kind,
            field: try row.decode(column: "field", as: String?.self),
            from: try row.decode(column: "from_value", as: String?.self),
            to: try row.decode(column: "to_value", as: String?.self),
            actor: try row.decode(column: "actor", as: String.self),
            occurredAt: Millis.date(try row.decode(column: "occurred_at", as: Int.self)))
    }
}

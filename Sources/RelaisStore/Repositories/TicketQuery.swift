import Foundation
import RelaisCore
import SQLKit

/// Filters, order and page of a ticket list. Pages are cut with a keyset cursor, so page 1,000 costs
/// what page 1 costs.
public struct TicketQuery: Sendable, Equatable {
    public enum SortField: String, Sendable, CaseIterable { case createdAt = "created_at", updatedAt = "updated_at" }

    public var organizationID: UUID
    public var family: String?
    public var status: String?
    public var statusCategory: StatusCategory?
    public var team: String?
    public var assignee: String?
    public var accountID: UUID?
    public var priority: String?
    public var entity: String?
    public var brand: String?
    /// Set for requesters, who see only what they opened.
    public var requesterID: UUID?
    /// Only tickets nobody is assigned to.
    public var unassigned = false
    /// Only tickets still being worked on (new, open or pending).
    public var active = false
    /// Only tickets of one of these teams.
    public var teams: [String]?
    /// The families and teams the caller's role reaches.
    public var scope: AccessScope = .everything
    public var sort: SortField = .createdAt
    public var descending = true
    public var limit = 50
    public var cursor: PageCursor?

    public init(organizationID: UUID) { self.organizationID = organizationID }
}

/// Where the previous page stopped: the sort value and id of its last ticket.
public struct PageCursor: Sendable, Equatable {
    public var value: Int
    public var id: String

    public init(value: Int, id: String) {
        self.value = value
        self.id = id
    }

    /// An opaque, URL-safe token.
    public var token: String {
        Data("\(value)|\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|", maxSplits: 1)
        guard parts.count == 2, let value = Int(parts[0]), UUID(uuidString: String(parts[1])) != nil else { return nil }
        self.init(value: value, id: String(parts[1]))
    }
}

public struct TicketPage: Sendable {
    public var tickets: [Ticket]
    public var nextCursor: PageCursor?
}

extension TicketRepository {
    public func list(_ query: TicketQuery) async throws -> TicketPage {
        let limit = max(1, min(query.limit, 200))
        let rows = try await database.read { db in
            var select = TicketRow.select(on: db)
                .where("organization_id", .equal, query.organizationID.text)
            let filters: [(String, String?)] = [
                ("family", query.family), ("status", query.status), ("status_category", query.statusCategory?.rawValue),
                ("team", query.team), ("assignee", query.assignee), ("account_id", query.accountID?.text),
                ("priority", query.priority), ("requester_id", query.requesterID?.text),
                ("entity", query.entity), ("brand", query.brand),
            ]
            for case let (column, value?) in filters { select = select.where(SQLColumn(column), .equal, SQLBind(value)) }
            if query.unassigned { select = select.where("assignee", .is, SQLLiteral.null) }
            if query.active {
                select = select.where(SQLColumn("status_category"), .in, SQLBind.group(StatusCategory.unfinished.map(\.rawValue)))
            }
            if let teams = query.teams {
                select = teams.isEmpty ? select.where(SQLQueryString("1 = 0")) : select.where(SQLColumn("team"), .in, SQLBind.group(teams))
            }
            if !query.scope.reachesAll { select = select.where(AccessFilter.condition(query.scope)) }
            let column = query.sort.rawValue
            if let cursor = query.cursor {
                let comparison = query.descending ? "<" : ">"
                select = select.where(
                    SQLQueryString(
                        "(\(ident: column) \(unsafeRaw: comparison) \(bind: cursor.value) OR (\(ident: column) = \(bind: cursor.value) AND id \(unsafeRaw: comparison) \(bind: cursor.id)))"
                    ))
            }
            let direction: SQLDirection = query.descending ? .descending : .ascending
            return try await select.orderBy(column, direction).orderBy("id", direction).limit(limit + 1).all()
        }
        var tickets = try rows.map(TicketRow.decode)
        var next: PageCursor?
        if tickets.count > limit {
            tickets.removeLast()
            let last = tickets[tickets.count - 1]
            next = PageCursor(value: Millis.from(query.sort == .createdAt ? last.createdAt : last.updatedAt), id: last.id.text)
        }
        return TicketPage(tickets: tickets, nextCursor: next)
    }

    /// The ticket's history, oldest first.
    public func events(organizationID: UUID, ticketID: UUID) async throws -> [TicketEventRecord] {
        try await database.read { db in
            try await db.select().columns("id", "sequence", "occurred_at", "actor", "kind", "field", "from_value", "to_value", "rule")
                .from("ticket_events").where("organization_id", .equal, organizationID.text)
                .where("ticket_id", .equal, ticketID.text).orderBy("sequence").all()
        }.map { row in
            TicketEventRecord(
                id: try row.decode(column: "id", as: String.self), sequence: try row.decode(column: "sequence", as: Int.self),
                occurredAt: Millis.date(try row.decode(column: "occurred_at", as: Int.self)),
                actor: try row.decode(column: "actor", as: String.self),
                change: TicketChange(
                    kind: TicketChange.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .fieldChanged,
                    field: try row.decode(column: "field", as: String?.self), from: try row.decode(column: "from_value", as: String?.self),
                    to: try row.decode(column: "to_value", as: String?.self), rule: try row.decode(column: "rule", as: String?.self)))
        }
    }

    /// Comments on the ticket, oldest first; internal ones only when `includeInternal`.
    public func comments(organizationID: UUID, ticketID: UUID, includeInternal: Bool) async throws -> [TicketComment] {
        try await database.read { db in
            var select = db.select().columns("id", "author", "body", "is_public", "channel", "created_at").from("ticket_comments")
                .where("organization_id", .equal, organizationID.text).where("ticket_id", .equal, ticketID.text)
            if !includeInternal { select = select.where("is_public", .equal, 1) }
            return try await select.orderBy("created_at").all()
        }.map { row in
            TicketComment(
                id: try row.decode(column: "id", as: String.self), author: try row.decode(column: "author", as: String.self),
                body: try row.decode(column: "body", as: String.self), isPublic: try row.decode(column: "is_public", as: Int.self) == 1,
                channel: try row.decode(column: "channel", as: String?.self),
                createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)))
        }
    }
}

/// One stored entry of a ticket's history.
public struct TicketEventRecord: Sendable, Equatable {
    public var id: String
    public var sequence: Int
    public var occurredAt: Date
    public var actor: String
    public var change: TicketChange
}

public struct TicketComment: Sendable, Equatable {
    public var id: String
    public var author: String
    public var body: String
    public var isPublic: Bool
    /// How it came, when not through Relais itself: `phone`, `email`, `chat`...
    public var channel: String?
    public var createdAt: Date
}

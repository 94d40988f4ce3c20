import Foundation
import RelaisCore
import SQLKit

/// What Relais sends to an outside CRM: tickets of accounts the CRM knows (by their external
/// id), changed since the last push, and the accounts' roll-ups; and what was sent already.
public struct CRMPushes: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    /// A ticket to push, with the CRM's id of its account.
    public struct TicketPush: Sendable {
        public var ticket: Ticket
        public var companyID: String
        /// The CRM's ids of the other objects the ticket is linked to (contact, asset, contract...), by kind.
        public var linked: [CRMObjectKind: String] = [:]
    }

    /// Where the ticket push stands: the last ticket pushed, by update time then id.
    public struct Mark: Codable, Sendable, Equatable {
        public var updatedAt: Int64
        public var id: String
        public init(updatedAt: Int64, id: String) {
            self.updatedAt = updatedAt
            self.id = id
        }
    }

    /// Up to `limit` tickets changed after `mark`, oldest change first, whose account has an external id.
    public func tickets(organizationID: UUID, after mark: Mark?, limit: Int) async throws -> [TicketPush] {
        try await database.read { db in
            var query = SQLQueryString(
                """
                SELECT t.id, a.external_id FROM tickets t JOIN accounts a ON a.id = t.account_id
                WHERE t.organization_id = \(bind: organizationID.text) AND a.external_id IS NOT NULL
                """)
            if let mark {
                query.appendLiteral(" AND (t.updated_at > ")
                query.appendInterpolation(bind: mark.updatedAt)
                query.appendLiteral(" OR (t.updated_at = ")
                query.appendInterpolation(bind: mark.updatedAt)
                query.appendLiteral(" AND t.id > ")
                query.appendInterpolation(bind: mark.id)
                query.appendLiteral("))")
            }
            query.appendLiteral(" ORDER BY t.updated_at, t.id LIMIT ")
            query.appendInterpolation(literal: limit)
            let rows = try await db.raw(query).all()
            let companies = Dictionary(
                try rows.map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "external_id", as: String.self)) },
                uniquingKeysWith: { first, _ in first })
            guard !companies.isEmpty else { return [] }
            let tickets = try await TicketRow.select(on: db).where("id", .in, Array(companies.keys)).all().map(TicketRow.decode)
            // The CRM's ids of the linked contacts and records.
            let linkedIDs = Set(tickets.flatMap { $0.links.filter { $0.kind != .account }.map(\.id.text) })
            var external: [String: String] = [:]
            if !linkedIDs.isEmpty {
                for table in ["contacts", "crm_records"] {
                    for row in try await db.select().columns("id", "external_id").from(table).where("id", .in, linkedIDs.sorted())
                        .where("external_id", .isNot, SQLLiteral.null).all()
                    {
                        external[try row.decode(column: "id", as: String.self)] = try row.decode(column: "external_id", as: String.self)
                    }
                }
            }
            return tickets.sorted { ($0.updatedAt, $0.id.text) < ($1.updatedAt, $1.id.text) }.compactMap { ticket in
                companies[ticket.id.text].map { company in
                    var push = TicketPush(ticket: ticket, companyID: company)
                    for link in ticket.links where link.kind != .account {
                        if push.linked[link.kind] == nil, let id = external[link.id.text] { push.linked[link.kind] = id }
                    }
                    return push
                }
            }
        }
    }

    /// Accounts the CRM knows, with their roll-ups, `limit` at a time after account id `after`.
    public func rollups(organizationID: UUID, after: String?, limit: Int) async throws -> [(companyID: String, summary: AccountRollups.Summary)] {
        let rows = try await database.read { db in
            var select = db.select().columns("id", "external_id").from("accounts").where("organization_id", .equal, organizationID.text)
                .where("external_id", .isNot, SQLLiteral.null)
            if let after { select = select.where("id", .greaterThan, after) }
            return try await select.orderBy("id").limit(limit).all()
                .map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "external_id", as: String.self)) }
        }
        let rollups = AccountRollups(database: database)
        var result: [(companyID: String, summary: AccountRollups.Summary)] = []
        for (id, external) in rows {
            guard let accountID = UUID(uuidString: id) else { continue }
            result.append((external, try await rollups.summary(organizationID: organizationID, accountID: accountID)))
        }
        return result
    }

    /// What was pushed of `object` for these local ids: the CRM's id and the digest sent.
    public func links(
        connector: String, object: String, organizationID: UUID, localIDs: [String]
    ) async throws -> [String: (remoteID: String, digest: String)] {
        guard !localIDs.isEmpty else { return [:] }
        return try await database.read { db in
            var links: [String: (remoteID: String, digest: String)] = [:]
            for row in try await db.select().columns("local_id", "remote_id", "digest").from("crm_links")
                .where("organization_id", .equal, organizationID.text).where("connector", .equal, connector).where("object", .equal, object)
                .where("local_id", .in, localIDs).all()
            {
                links[try row.decode(column: "local_id", as: String.self)] = (
                    try row.decode(column: "remote_id", as: String.self),
                    try row.decode(column: "digest", as: String.self)
                )
            }
            return links
        }
    }

    /// Records what was pushed.
    public func record(
        connector: String, object: String, organizationID: UUID, _ pushed: [(localID: String, remoteID: String, digest: String)],
        at instant: Date
    ) async throws {
        guard !pushed.isEmpty else { return }
        try await database.transaction { db in
            try await RowInsert.run(
                "crm_links", columns: ["organization_id", "connector", "object", "local_id", "remote_id", "digest", "pushed_at"],
                rows: pushed.map { [organizationID.text, connector, object, $0.localID, $0.remoteID, $0.digest, Millis.from(instant)] },
                upsertingOn: "organization_id, connector, object, local_id",
                updating: "remote_id = excluded.remote_id, digest = excluded.digest, pushed_at = excluded.pushed_at", on: db)
        }
    }
}

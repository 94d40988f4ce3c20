import Crypto
import Foundation
import RelaisCore
import SQLKit

/// What a proposed map would change in the data already stored, and the rows of versions.
extension MapVersions {
    // MARK: Live data

    func liveTickets(organizationID: UUID) async throws -> LiveTickets {
        var live = try await database.read { db in try await Self.liveTickets(organizationID: organizationID, sample: Self.routingSample, on: db) }
        // Routing reads what the account says of itself (`account.tier` ...).
        let crm = CRMRepository(database: database)
        var contexts: [UUID: RoutingContext] = [:]
        for (ticket, _) in live.sample {
            guard let account = ticket.accountID, contexts[account] == nil else { continue }
            contexts[account] = try await crm.account(organizationID: organizationID, id: account)?.routingContext ?? [:]
        }
        live.sample = live.sample.map { ($0.ticket, $0.ticket.accountID.flatMap { contexts[$0] } ?? [:]) }
        return live
    }

    static func liveTickets(organizationID: UUID, sample: Int, on db: any SQLDatabase) async throws -> LiveTickets {
        var live = LiveTickets()
        let statusRows = try await db.select().column("family").column("status").column("status_category").column(
            SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("tickets"))
        )
        .from("tickets").where("organization_id", .equal, organizationID.text)
        .groupBy("family").groupBy("status").groupBy("status_category").all()
        for row in statusRows {
            let category = try row.decode(column: "status_category", as: String.self)
            live.statuses.append(
                .init(
                    family: try row.decode(column: "family", as: String.self), status: try row.decode(column: "status", as: String.self),
                    category: StatusCategory(rawValue: category) ?? .open, tickets: try row.decode(column: "tickets", as: Int.self)))
        }
        func counts(_ table: String, by column: String) async throws -> [String: Int] {
            var counts: [String: Int] = [:]
            for row in try await db.raw(
                """
                SELECT \(ident: column) AS code, COUNT(*) AS n FROM \(ident: table)
                WHERE organization_id = \(bind: organizationID.text) AND \(ident: column) IS NOT NULL GROUP BY \(ident: column)
                """
            ).all() {
                counts[try row.decode(column: "code", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
        live.entityTickets = try await counts("tickets", by: "entity")
        live.brandTickets = try await counts("tickets", by: "brand")
        live.entityAccounts = try await counts("accounts", by: "entity")
        for row in try await db.raw(
            """
            SELECT tracker, COUNT(*) AS n FROM escalations WHERE organization_id = \(bind: organizationID.text)
            AND (status = 'pending' OR (status = 'open' AND fixed_at IS NULL)) GROUP BY tracker
            """
        ).all() {
            live.trackerEscalations[try row.decode(column: "tracker", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        guard sample > 0 else { return live }
        let slaRows = try await db.raw(
            """
            SELECT s.policy_code AS policy, t.priority AS priority, COUNT(*) AS tickets FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
            WHERE s.organization_id = \(bind: organizationID.text) AND s.is_open = 1 GROUP BY s.policy_code, t.priority
            """
        ).all()
        for row in slaRows {
            live.sla.append(
                .init(
                    policy: try row.decode(column: "policy", as: String.self), priority: try row.decode(column: "priority", as: String?.self),
                    openTickets: try row.decode(column: "tickets", as: Int.self)))
        }
        let open = [StatusCategory.new, .open, .pending].map(\.rawValue)
        live.sample = try await TicketRow.select(on: db).where("organization_id", .equal, organizationID.text)
            .where("status_category", .in, open).orderBy("created_at", .descending).limit(sample).all()
            .map { (try TicketRow.decode($0), [:]) }
        return live
    }

    // MARK: Rows

    static let columns = [
        "id", "organization_id", "number", "state", "base_number", "rollback_of", "text", "included", "hash", "message", "author_id", "author",
        "created_at", "decided_by_id", "decided_by", "decided_at", "decision_note", "applied_by", "applied_at",
        "sections", "domains", "moves", "problems",
    ]

    static func make(
        organizationID: UUID, number: Int, text: String, included: [String: String], message: String, by actor: MapActor, base: Int?,
        change: MapChange?,
        moves: [StatusMove], at time: Date
    ) -> MapVersion {
        MapVersion(
            id: UUID.timeOrdered(at: time), organizationID: organizationID, number: number, state: .proposed, baseNumber: base, rollbackOf: nil,
            text: text, included: included, hash: digest(text, included: included), message: message, authorID: actor.id, author: actor.name,
            createdAt: Millis.date(Millis.from(time)),
            decidedByID: nil, decidedBy: nil, decidedAt: nil, decisionNote: nil, appliedBy: nil, appliedAt: nil,
            sections: (change?.sections ?? []).sorted(), domains: (change?.domains ?? []).map(\.rawValue).sorted(), moves: moves, problems: [])
    }

    /// SHA-256 of a map's text and of the files it names (each as its name and content, in name
    /// order), in hex: what `MapVersion.hash` holds.
    public static func digest(_ text: String, included: [String: String]) -> String {
        var hash = SHA256()
        hash.update(data: Data(text.utf8))
        for (name, content) in included.sorted(by: { $0.key < $1.key }) {
            hash.update(data: Data("\u{0}\(name)\u{0}".utf8))
            hash.update(data: Data(content.utf8))
        }
        return HexDigits.text(hash.finalize())
    }

    /// Refuses the actor when the running map's governance does not let their role `action` the change.
    static func require(_ action: MapGovernance.Action, of change: MapChange, under running: ProcessMap, by actor: MapActor) throws {
        let missing = running.governance.missing(action, role: actor.role, change: change)
        guard missing.isEmpty else { throw MapChangeError.forbidden(permissions: missing) }
    }

    static func secondApproverScope(_ governance: MapGovernance, _ change: MapChange) -> [String] {
        let sections = change.sections.sorted().filter { (governance.sections[$0] ?? governance.defaults).secondApprover }.map(\.rawValue)
        let domains = change.domains.sorted { $0.rawValue < $1.rawValue }.filter { (governance.domains[$0] ?? governance.defaults).secondApprover }
        return sections + domains.map { "domain \($0.rawValue)" }
    }

    static func audit(
        _ version: MapVersion, action: String, by actor: MapActor, outcome: AuditEntry.Outcome = .done, detail: String, at time: Date
    ) -> AuditEntry {
        AuditEntry(
            organizationID: version.organizationID, actorID: actor.id, actor: actor.name, action: action, target: "map version \(version.number)",
            outcome: outcome, detail: detail, at: time)
    }

    /// Serialises the map writes of one organisation (SQLite has one writer anyway).
    static func lock(_ organizationID: UUID, on db: any SQLDatabase) async throws {
        _ = try await db.select().column("id").from("organizations").where("id", .equal, organizationID.text).for(.update).first()
    }

    static func nextNumber(_ organizationID: UUID, on db: any SQLDatabase) async throws -> Int {
        let last = try await db.select().column(SQLAlias(SQLFunction("MAX", args: SQLIdentifier("number")), as: SQLIdentifier("last")))
            .from("map_versions").where("organization_id", .equal, organizationID.text).first(decodingColumn: "last", as: Int?.self)
        return (last.flatMap { $0 } ?? 0) + 1
    }

    static func running(organizationID: UUID, on db: any SQLDatabase) async throws -> MapVersion? {
        guard
            let number = try await db.select().column("number").from("map_heads").where("organization_id", .equal, organizationID.text)
                .first(decodingColumn: "number", as: Int.self)
        else { return nil }
        return try await version(organizationID: organizationID, number: number, on: db)
    }

    static func version(organizationID: UUID, number: Int, on db: any SQLDatabase) async throws -> MapVersion? {
        try await db.select().column(SQLRaw(columns.joined(separator: ", "))).from("map_versions")
            .where("organization_id", .equal, organizationID.text).where("number", .equal, number).first().map(decode)
    }

    static let json = JSONEncoder()

    static func insert(_ version: MapVersion, on db: any SQLDatabase) async throws {
        func encoded(_ value: some Encodable) throws -> String { String(decoding: try json.encode(value), as: UTF8.self) }
        try await RowInsert.run(
            "map_versions", columns: columns,
            rows: [
                [
                    version.id.text, version.organizationID.text, version.number, version.state.rawValue, version.baseNumber, version.rollbackOf,
                    version.text, try encoded(version.included), version.hash, version.message, version.authorID?.text, version.author,
                    Millis.from(version.createdAt),
                    version.decidedByID?.text, version.decidedBy, version.decidedAt.map(Millis.from), version.decisionNote, version.appliedBy,
                    version.appliedAt.map(Millis.from), try encoded(version.sections.map(\.rawValue)), try encoded(version.domains),
                    try encoded(version.moves),
                    try encoded(version.problems),
                ]
            ], on: db)
    }

    static func decode(_ row: any SQLRow) throws -> MapVersion {
        func json<T: Decodable>(_ column: String, _ type: T.Type) throws -> T {
            try JSONDecoder().decode(type, from: Data(try row.decode(column: column, as: String.self).utf8))
        }
        func date(_ column: String) throws -> Date? { try row.decode(column: column, as: Int?.self).map(Millis.date) }
        let state = try row.decode(column: "state", as: String.self)
        guard let parsed = MapVersion.State(rawValue: state) else {
            throw StoreError.invalidValue(field: "state", reason: "unknown map version state '\(state)'")
        }
        return MapVersion(
            id: try row.uuid("id"), organizationID: try row.uuid("organization_id"), number: try row.decode(column: "number", as: Int.self),
            state: parsed,
            baseNumber: try row.decode(column: "base_number", as: Int?.self), rollbackOf: try row.decode(column: "rollback_of", as: Int?.self),
            text: try row.decode(column: "text", as: String.self), included: try json("included", [String: String].self),
            hash: try row.decode(column: "hash", as: String.self),
            message: try row.decode(column: "message", as: String.self), authorID: try row.optionalUUID("author_id"),
            author: try row.decode(column: "author", as: String.self), createdAt: try date("created_at") ?? Date(timeIntervalSince1970: 0),
            decidedByID: try row.optionalUUID("decided_by_id"), decidedBy: try row.decode(column: "decided_by", as: String?.self),
            decidedAt: try date("decided_at"), decisionNote: try row.decode(column: "decision_note", as: String?.self),
            appliedBy: try row.decode(column: "applied_by", as: String?.self), appliedAt: try date("applied_at"),
            sections: try json("sections", [String].self).compactMap(MapSection.init(rawValue:)), domains: try json("domains", [String].self),
            moves: try json("moves", [StatusMove].self), problems: try json("problems", [MapVersion.Problem].self))
    }
}

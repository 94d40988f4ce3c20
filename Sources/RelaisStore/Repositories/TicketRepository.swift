import Foundation
import RelaisCore
import SQLKit

/// Stores tickets. Every write puts the new state, its `ticket_events` rows and its `outbox`
/// rows in one transaction, so the history and the outside world never miss a change.
public struct TicketRepository: Sendable {
    public let database: RelaisDatabase
    /// Keeps SLA rows in step with every change, when the map has SLA policies.
    public var sla: SLATracker?

    public init(database: RelaisDatabase, sla: SLATracker? = nil) {
        self.database = database
        self.sla = sla
    }

    /// Who made a change, as the history records it.
    public struct Actor: Sendable, Equatable {
        public var id: UUID?
        public var name: String
        public init(id: UUID?, name: String) {
            self.id = id
            self.name = name
        }
        public static let system = Actor(id: nil, name: "system")
    }

    /// A creation request's `Idempotency-Key`, scoped to the caller.
    public struct IdempotencyClaim: Sendable {
        public var userID: UUID
        public var key: String
        public var requestHash: String
        public init(userID: UUID, key: String, requestHash: String) {
            self.userID = userID
            self.key = key
            self.requestHash = requestHash
        }
    }

    public struct Creation: Sendable {
        public var ticket: Ticket
        /// True when an earlier request with the same idempotency key created the ticket.
        public var replayed: Bool
    }

    /// Draws the next number for `prefix`, then stores the ticket, its history and its events.
    /// Creations arriving together are committed together (see `CreationQueue`).
    public func insert(
        _ draft: Ticket, prefix: String, changes: [TicketChange], actor: Actor, idempotency: IdempotencyClaim? = nil,
        tier: String? = nil, contractLevel: String? = nil
    ) async throws -> Creation {
        try await insert(
            draft, prefix: prefix, changes: changes, actor: actor, idempotency: idempotency, tier: tier, contractLevel: contractLevel,
            record: nil)
    }

    func insert(
        _ draft: Ticket, prefix: String, changes: [TicketChange], actor: Actor, idempotency: IdempotencyClaim?,
        tier: String?, contractLevel: String?, record: IntakeRecord?
    ) async throws -> Creation {
        let item = PendingCreation(
            ticket: draft, prefix: prefix, changes: changes, actor: actor, claim: idempotency,
            sla: sla?.creationRow(draft, changes: changes, tier: tier, contractLevel: contractLevel), record: record)
        return try await database.creations.submit(item, to: database)
    }

    /// Saves `ticket` if nobody changed it since `expectedVersion` was read.
    /// `also` writes what else belongs with the change (an article, a tie to an item) in the same
    /// transaction, after the version check.
    public func update(
        _ ticket: Ticket, expectedVersion: Int, changes: [TicketChange], actor: Actor, comment: NewComment? = nil, rating: Rating? = nil,
        also: (@Sendable (any SQLDatabase) async throws -> Void)? = nil
    ) async throws -> Ticket {
        // Only changes that can move a clock or change the account re-evaluate the SLA.
        let tracker = SLAEngine.mayChangeSLA(changes) ? sla : nil
        return try await database.transaction { db in
            if let tracker { try await tracker.lock([ticket.id.text], on: db) }
            // The row stays locked until commit (PostgreSQL; SQLite serialises writers), so two
            // changes based on the same version cannot both pass the check.
            guard
                let current = try await db.select().columns("version").from("tickets")
                    .where("id", .equal, ticket.id.text).where("organization_id", .equal, ticket.organizationID.text)
                    .for(.update).first()
            else { throw StoreError.notFound(what: "ticket", id: ticket.key) }
            let version = try current.decode(column: "version", as: Int.self)
            guard version == expectedVersion else { throw StoreError.versionConflict(current: version) }
            if let comment { try await Self.insert(comment, on: ticket, by: actor, on: db) }
            if let rating {
                try await RowInsert.run(
                    "ticket_ratings", columns: ["ticket_id", "organization_id", "account_id", "score", "comment", "rated_at"],
                    rows: [
                        [
                            ticket.id.text, ticket.organizationID.text, ticket.accountID?.text, rating.score, rating.comment,
                            Millis.from(ticket.updatedAt),
                        ]
                    ],
                    upsertingOn: "ticket_id", on: db)
            }
            try await also?(db)
            try await Self.write(ticket, changes: changes, actor: actor, on: db)
            if let tracker { try await tracker.refresh([ticket], on: db, now: Int64(Millis.from(ticket.updatedAt))) }
            return ticket
        }
    }

    /// Stores a comment written on `ticket` (as it is after the comment), inside the caller's transaction.
    static func insert(_ comment: NewComment, on ticket: Ticket, by actor: Actor, on db: any SQLDatabase) async throws {
        try await insertComments([commentRow(comment, on: ticket, by: actor)], on: db)
    }

    static func commentRow(_ comment: NewComment, on ticket: Ticket, by actor: Actor) -> RowInsert.Row {
        [
            comment.id.text, ticket.organizationID.text, ticket.id.text, actor.id?.text, actor.name, comment.body,
            comment.isPublic ? 1 : 0, comment.channel, Millis.from(ticket.updatedAt),
        ]
    }

    static func insertComments(_ rows: [RowInsert.Row], on db: any SQLDatabase) async throws {
        try await RowInsert.run(
            "ticket_comments", columns: ["id", "organization_id", "ticket_id", "author_id", "author", "body", "is_public", "channel", "created_at"],
            rows: rows, on: db)
    }

    /// A change to save: the ticket as it is after `changes`.
    struct Write: Sendable {
        var ticket: Ticket
        var changes: [TicketChange]
        var actor: Actor
    }

    /// What a ticket's stored row holds that a write builds on: its last event number and what it
    /// counts for its account.
    struct Stored: Sendable {
        var sequence: Int
        var contribution: AccountRollups.Contribution

        init(row: any SQLRow) throws {
            sequence = try row.decode(column: "last_event_sequence", as: Int.self)
            contribution = try AccountRollups.Contribution(row: row)
        }

        static let columns = ["last_event_sequence"] + AccountRollups.ticketColumns
    }

    /// Saves the ticket's new state with the history and outside events of `changes`, inside the
    /// caller's transaction.
    static func write(_ ticket: Ticket, changes: [TicketChange], actor: Actor, on db: any SQLDatabase) async throws {
        guard
            let row = try await db.select().column(SQLRaw(Stored.columns.joined(separator: ", ")))
                .from("tickets").where("id", .equal, ticket.id.text).first()
        else {
            throw StoreError.notFound(what: "ticket", id: ticket.key)
        }
        try await write([Write(ticket: ticket, changes: changes, actor: actor)], stored: [ticket.id.text: try Stored(row: row)], on: db)
    }

    /// Saves several changes in order (the same ticket may come more than once), given what the
    /// tickets' rows held when the transaction read them: one update per ticket, its final state,
    /// and one statement per table for the history and outside events of them all.
    static func write(_ writes: [Write], stored: [String: Stored], on db: any SQLDatabase) async throws {
        var sequences = stored.mapValues(\.sequence)
        var final: [String: Ticket] = [:], order: [String] = []
        var relinked: [String] = [], readableChanged = Set<String>()
        var events: [RowInsert.Row] = [], outbox: [RowInsert.Row] = []
        for write in writes {
            let id = write.ticket.id.text
            guard let sequence = sequences[id] else { throw StoreError.notFound(what: "ticket", id: write.ticket.key) }
            let rows = TicketHistoryRows.rows(for: write.changes, of: write.ticket, after: sequence, actor: write.actor)
            events += rows.events
            outbox += rows.outbox
            sequences[id] = sequence + write.changes.count
            if final.updateValue(write.ticket, forKey: id) == nil { order.append(id) }
            if write.changes.contains(where: { $0.kind == .linked || $0.kind == .unlinked }), !relinked.contains(id) { relinked.append(id) }
            if write.changes.contains(where: { $0.field.map(SignalRule.TicketFilter.readableFields.contains) ?? false }) {
                readableChanged.insert(id)
            }
        }
        var old: [AccountRollups.Contribution] = [], new: [AccountRollups.Contribution] = [], dirty = Set<String>()
        for id in order {
            let ticket = final[id]!
            try await update(ticket, lastEventSequence: sequences[id]!, on: db)
            let before = stored[id]!.contribution, after = AccountRollups.Contribution(ticket)
            if before != after {
                old.append(before)
                new.append(after)
            } else if !after.accountID.isEmpty, readableChanged.contains(id) {
                // Nothing counted moved, but a field signals read (tags, priority, team ...) did: they must look again.
                dirty.insert(after.accountID)
            }
        }
        if !relinked.isEmpty {
            try await db.delete(from: "ticket_links").where("ticket_id", .in, relinked).run()
            let rows: [RowInsert.Row] = relinked.flatMap { id in
                final[id]!.links.map { [final[id]!.organizationID.text, id, $0.kind.rawValue, $0.id.text] as RowInsert.Row }
            }
            try await RowInsert.run("ticket_links", columns: ["organization_id", "ticket_id", "kind", "object_id"], rows: rows, on: db)
        }
        if !old.isEmpty { try await AccountRollups.apply(old: old, new: new, on: db) }
        if !dirty.isEmpty {
            try await db.update("account_rollups").set("dirty", to: 1).where("account_id", .in, dirty.sorted()).where("dirty", .equal, 0).run()
        }
        try await RowInsert.run("ticket_events", columns: TicketHistoryRows.eventColumns, rows: events, on: db)
        try await RowInsert.run("outbox", columns: TicketHistoryRows.outboxColumns, rows: outbox, on: db)
    }

    /// Rewrites a ticket's row to its new state, as plain SQL text.
    static func update(_ ticket: Ticket, lastEventSequence: Int, on db: any SQLDatabase) async throws {
        var query = SQLQueryString("UPDATE tickets SET ")
        for (index, (column, value)) in TicketRow.assignments(ticket, lastEventSequence: lastEventSequence).enumerated() {
            query.appendLiteral(index == 0 ? "\(column) = " : ", \(column) = ")
            query.appendInterpolation(bind: value)
        }
        query.appendLiteral(" WHERE id = ")
        query.appendInterpolation(bind: ticket.id.text)
        try await db.raw(query).run()
    }

    /// The rating of a ticket, if its requester gave one.
    public func rating(ticketID: UUID) async throws -> Rating? {
        try await database.read { db in
            try await db.select().columns("score", "comment").from("ticket_ratings").where("ticket_id", .equal, ticketID.text).first()
                .map { Rating(score: try $0.decode(column: "score", as: Int.self), comment: try $0.decode(column: "comment", as: String?.self)) }
        }
    }

    public func find(organizationID: UUID, key: String) async throws -> Ticket? {
        try await database.read { db in
            try await TicketRow.select(on: db)
                .where("organization_id", .equal, organizationID.text).where("key", .equal, key)
                .first().map(TicketRow.decode)
        }
    }

    public func find(organizationID: UUID, id: String) async throws -> Ticket? {
        try await database.read { db in
            try await TicketRow.select(on: db)
                .where("organization_id", .equal, organizationID.text).where("id", .equal, id)
                .first().map(TicketRow.decode)
        }
    }

    /// Tickets by id, whatever their organisation: for callers that hold ids they just wrote.
    func tickets(ids: [String]) async throws -> [String: Ticket] {
        try await database.read { db in
            try await TicketRow.select(on: db)
                .where("id", .in, ids).all()
        }.map(TicketRow.decode).reduce(into: [:]) { $0[$1.id.text] = $1 }
    }
}

/// A requester's satisfaction with a resolved ticket.
public struct Rating: Sendable, Equatable {
    public var score: Int
    public var comment: String?
    public init(score: Int, comment: String?) {
        self.score = score
        self.comment = comment
    }
}

/// A comment to store with the change that records it.
public struct NewComment: Sendable {
    public var id: UUID
    public var body: String
    public var isPublic: Bool
    public var channel: String?
    public init(id: UUID, body: String, isPublic: Bool, channel: String? = nil) {
        self.id = id
        self.body = body
        self.isPublic = isPublic
        self.channel = channel
    }
}

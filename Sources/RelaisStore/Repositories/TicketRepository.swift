import Foundation
import RelaisCore
import SQLKit

/// Stores tickets. Every write puts the new state, its `ticket_events` rows and its `outbox`
/// rows in one transaction, so the history and the outside world never miss a change.
public struct TicketRepository: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

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
    public func insert(
        _ draft: Ticket, prefix: String, changes: [TicketChange], actor: Actor, idempotency: IdempotencyClaim? = nil
    ) async throws -> Creation {
        try await database.transaction { db in
            if let idempotency {
                if let existing = try await claim(idempotency, ticketID: draft.id, organizationID: draft.organizationID, on: db) {
                    return Creation(ticket: existing, replayed: true)
                }
            }
            let number = try await db.raw("""
                INSERT INTO ticket_sequences (organization_id, prefix, last_number) VALUES (\(bind: draft.organizationID.text), \(bind: prefix), 1)
                ON CONFLICT (organization_id, prefix) DO UPDATE SET last_number = ticket_sequences.last_number + 1
                RETURNING last_number
                """).first(decodingColumn: "last_number", as: Int.self) ?? 1
            let ticket = draft.numbered(number, prefix: prefix)
            try await db.insert(into: "tickets").columns(TicketRow.columns)
                .values(TicketRow.values(ticket, lastEventSequence: changes.count)).run()
            try await insertLinks(ticket, on: db)
            try await record(changes, for: ticket, after: 0, actor: actor, on: db)
            return Creation(ticket: ticket, replayed: false)
        }
    }

    /// Saves `ticket` if nobody changed it since `expectedVersion` was read.
    public func update(
        _ ticket: Ticket, expectedVersion: Int, changes: [TicketChange], actor: Actor, comment: NewComment? = nil
    ) async throws -> Ticket {
        try await database.transaction { db in
            guard let current = try await db.select().columns("version", "last_event_sequence").from("tickets")
                .where("id", .equal, ticket.id.text).where("organization_id", .equal, ticket.organizationID.text)
                .first() else { throw StoreError.notFound(what: "ticket", id: ticket.key) }
            let version = try current.decode(column: "version", as: Int.self)
            guard version == expectedVersion else { throw StoreError.versionConflict(current: version) }
            let sequence = try current.decode(column: "last_event_sequence", as: Int.self)
            var update = db.update("tickets")
            for (column, value) in TicketRow.assignments(ticket, lastEventSequence: sequence + changes.count) {
                update = update.set(column, to: value)
            }
            try await update.where("id", .equal, ticket.id.text).run()
            if changes.contains(where: { $0.kind == .linked || $0.kind == .unlinked }) {
                try await db.delete(from: "ticket_links").where("ticket_id", .equal, ticket.id.text).run()
                try await insertLinks(ticket, on: db)
            }
            if let comment {
                try await db.insert(into: "ticket_comments")
                    .columns("id", "organization_id", "ticket_id", "author_id", "author", "body", "is_public", "created_at")
                    .values(SQLBind(comment.id.text), SQLBind(ticket.organizationID.text), SQLBind(ticket.id.text),
                            SQLBind(actor.id?.text), SQLBind(actor.name), SQLBind(comment.body),
                            SQLBind(comment.isPublic ? 1 : 0), SQLBind(Millis.from(ticket.updatedAt)))
                    .run()
            }
            try await record(changes, for: ticket, after: sequence, actor: actor, on: db)
            return ticket
        }
    }

    public func find(organizationID: UUID, key: String) async throws -> Ticket? {
        try await database.read { db in
            try await db.select().columns(TicketRow.columns.map { SQLColumn($0) }).from("tickets")
                .where("organization_id", .equal, organizationID.text).where("key", .equal, key)
                .first().map(TicketRow.decode)
        }
    }

    /// Returns the idempotent replay when the key was already used for the same request; claims it otherwise.
    private func claim(_ claim: IdempotencyClaim, ticketID: UUID, organizationID: UUID, on db: any SQLDatabase) async throws -> Ticket? {
        try await db.insert(into: "idempotency_keys")
            .columns("organization_id", "user_id", "key", "request_hash", "status", "resource", "created_at")
            .values(SQLBind(organizationID.text), SQLBind(claim.userID.text), SQLBind(claim.key),
                    SQLBind(claim.requestHash), SQLBind(201), SQLBind(ticketID.text), SQLBind(Millis.now()))
            .ignoringConflicts().run()
        guard let row = try await db.select().columns("request_hash", "resource").from("idempotency_keys")
            .where("organization_id", .equal, organizationID.text).where("user_id", .equal, claim.userID.text)
            .where("key", .equal, claim.key).first() else { return nil }
        let resource = try row.decode(column: "resource", as: String.self)
        if resource == ticketID.text { return nil }
        guard try row.decode(column: "request_hash", as: String.self) == claim.requestHash else {
            throw StoreError.idempotencyMismatch(key: claim.key)
        }
        return try await db.select().columns(TicketRow.columns.map { SQLColumn($0) }).from("tickets")
            .where("id", .equal, resource).first().map(TicketRow.decode)
    }

    private func insertLinks(_ ticket: Ticket, on db: any SQLDatabase) async throws {
        guard !ticket.links.isEmpty else { return }
        var insert = db.insert(into: "ticket_links").columns("organization_id", "ticket_id", "kind", "object_id")
        for link in ticket.links {
            insert = insert.values(SQLBind(ticket.organizationID.text), SQLBind(ticket.id.text), SQLBind(link.kind.rawValue), SQLBind(link.id.text))
        }
        try await insert.run()
    }

    /// Appends the changes to the ticket's history and queues the outside events they announce.
    private func record(_ changes: [TicketChange], for ticket: Ticket, after sequence: Int, actor: Actor, on db: any SQLDatabase) async throws {
        guard !changes.isEmpty else { return }
        let time = Millis.from(ticket.updatedAt)
        var events = db.insert(into: "ticket_events")
            .columns("id", "organization_id", "ticket_id", "sequence", "occurred_at", "actor", "kind", "field", "from_value", "to_value", "rule")
        var outbox: [CloudEvent] = []
        // A creation is announced once, in its routed state; otherwise one event per type and operation.
        let isCreation = changes.contains { $0.kind == .created }
        var announced = Set<String>()
        for (offset, change) in changes.enumerated() {
            let eventID = UUID()
            events = events.values(
                SQLBind(eventID.text), SQLBind(ticket.organizationID.text), SQLBind(ticket.id.text), SQLBind(sequence + offset + 1),
                SQLBind(time), SQLBind(actor.name), SQLBind(change.kind.rawValue), SQLBind(change.field),
                SQLBind(change.from), SQLBind(change.to), SQLBind(change.rule))
            if let type = change.eventType, !isCreation || change.kind == .created, announced.insert(type).inserted {
                outbox.append(CloudEvent(
                    id: eventID, organizationID: ticket.organizationID, type: type, subject: ticket.key, time: ticket.updatedAt,
                    sequence: sequence + offset + 1,
                    data: ["key": ticket.key, "family": ticket.family, "status": ticket.status, "status_category": ticket.statusCategory.rawValue,
                           "priority": ticket.priority, "team": ticket.team, "assignee": ticket.assignee, "actor": actor.name,
                           "field": change.field, "from": change.from, "to": change.to]))
            }
        }
        try await events.run()
        guard !outbox.isEmpty else { return }
        var insert = db.insert(into: "outbox").columns("id", "organization_id", "type", "subject", "sequence", "payload", "created_at")
        for event in outbox {
            insert = insert.values(SQLBind(event.id), SQLBind(ticket.organizationID.text), SQLBind(event.type), SQLBind(event.subject),
                                   SQLBind(Int(event.sequence) ?? 0), SQLBind(JSONText.encode(event)), SQLBind(time))
        }
        try await insert.run()
    }
}

/// A comment to store with the change that records it.
public struct NewComment: Sendable {
    public var id: UUID
    public var body: String
    public var isPublic: Bool
    public init(id: UUID, body: String, isPublic: Bool) {
        self.id = id
        self.body = body
        self.isPublic = isPublic
    }
}

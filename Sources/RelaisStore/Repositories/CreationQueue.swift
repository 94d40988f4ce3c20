import Foundation
import RelaisCore
import SQLKit

/// A ticket ready to be stored, waiting for its number.
struct PendingCreation: Sendable {
    var ticket: Ticket
    var prefix: String
    var changes: [TicketChange]
    var actor: TicketRepository.Actor
    var claim: TicketRepository.IdempotencyClaim?
    /// The ticket's `ticket_sla` row, when a policy covers it.
    var sla: RowInsert.Row?
    /// The message that opened the ticket, recorded in the batch's transaction.
    var record: IntakeRecord?
}

/// Group commit for ticket creations: requests that arrive while a batch is being written are
/// written together in the next transaction, with one multi-row statement per table.
typealias CreationQueue = GroupCommit<PendingCreation, TicketRepository.Creation>

extension GroupCommit where Item == PendingCreation, Output == TicketRepository.Creation {
    func submit(_ item: PendingCreation, to database: RelaisDatabase) async throws -> TicketRepository.Creation {
        try await submit(item) { items in await CreationBatch.commit(items, to: database) }
    }
}

/// Writes one batch of creations inside a transaction.
enum CreationBatch {
    /// Writes a batch in one transaction and tells each item what became of it; when the
    /// transaction fails, every item fails with it.
    static func commit(_ items: [PendingCreation], to database: RelaisDatabase) async -> [Result<TicketRepository.Creation, any Error>] {
        do {
            let outcomes = try await database.transaction { db in try await write(items, on: db) }
            let replayIDs = outcomes.compactMap { if case let .replay(id) = $0 { id } else { nil } }
            let replayed = replayIDs.isEmpty ? [:] : try await TicketRepository(database: database).tickets(ids: replayIDs)
            return outcomes.map { outcome in
                switch outcome {
                case let .created(ticket): .success(.init(ticket: ticket, replayed: false))
                case let .replay(id):
                    replayed[id].map { .success(.init(ticket: $0, replayed: true)) } ?? .failure(StoreError.notFound(what: "ticket", id: id))
                case let .failed(error): .failure(error)
                }
            }
        } catch {
            return items.map { _ in .failure(error) }
        }
    }

    enum Outcome: Sendable {
        case created(Ticket)
        /// An earlier request with the same idempotency key created ticket `id`.
        case replay(String)
        case failed(StoreError)
    }

    static func write(_ items: [PendingCreation], on db: any SQLDatabase) async throws -> [Outcome] {
        var outcomes = try await claimIdempotencyKeys(items, on: db)
        // Numbers are drawn per organisation and family prefix, one statement each.
        var counts: [String: (organization: String, prefix: String, count: Int)] = [:]
        for (item, outcome) in zip(items, outcomes) where outcome == nil {
            let group = "\(item.ticket.organizationID.text)|\(item.prefix)"
            counts[group, default: (item.ticket.organizationID.text, item.prefix, 0)].count += 1
        }
        var next: [String: Int] = [:]
        for (group, entry) in counts {
            let last =
                try await db.raw(
                    """
                    INSERT INTO ticket_sequences (organization_id, prefix, last_number) VALUES (\(bind: entry.organization), \(bind: entry.prefix), \(bind: entry.count))
                    ON CONFLICT (organization_id, prefix) DO UPDATE SET last_number = ticket_sequences.last_number + \(bind: entry.count)
                    RETURNING last_number
                    """
                ).first(decodingColumn: "last_number", as: Int.self) ?? entry.count
            next[group] = last - entry.count + 1
        }
        var tickets: [RowInsert.Row] = [], links: [RowInsert.Row] = [], events: [RowInsert.Row] = [], outbox: [RowInsert.Row] = []
        var sla: [RowInsert.Row] = []
        var contributions: [AccountRollups.Contribution] = []
        for (index, item) in items.enumerated() where outcomes[index] == nil {
            let group = "\(item.ticket.organizationID.text)|\(item.prefix)"
            let ticket = item.ticket.numbered(next[group]!, prefix: item.prefix)
            next[group]! += 1
            tickets.append(TicketRow.row(ticket, lastEventSequence: item.changes.count))
            links += ticket.links.map { [ticket.organizationID.text, ticket.id.text, $0.kind.rawValue, $0.id.text] }
            let history = TicketHistoryRows.rows(for: item.changes, of: ticket, after: 0, actor: item.actor)
            events += history.events
            outbox += history.outbox
            if let row = item.sla { sla.append(row) }
            contributions.append(AccountRollups.Contribution(ticket))
            outcomes[index] = .created(ticket)
        }
        try await RowInsert.run("tickets", columns: TicketRow.columns, rows: tickets, on: db)
        try await RowInsert.run("ticket_links", columns: ["organization_id", "ticket_id", "kind", "object_id"], rows: links, on: db)
        try await RowInsert.run("ticket_events", columns: TicketHistoryRows.eventColumns, rows: events, on: db)
        try await RowInsert.run("outbox", columns: TicketHistoryRows.outboxColumns, rows: outbox, on: db)
        try await RowInsert.run("ticket_sla", columns: SLATracker.columns, rows: sla, on: db)
        try await AccountRollups.apply(old: [], new: contributions, on: db)
        try await IntakeRecord.write(
            zip(items, outcomes).compactMap { item, outcome in
                guard let record = item.record, case let .created(ticket)? = outcome else { return nil }
                return (record, ticket.id, "opened")
            }, takingOver: true, on: db)
        return outcomes.map { $0! }
    }

    /// Claims the idempotency keys of the batch. Items whose key an earlier request (or an earlier
    /// item of this batch) holds become replays, or failures when their request differs.
    static func claimIdempotencyKeys(_ items: [PendingCreation], on db: any SQLDatabase) async throws -> [Outcome?] {
        var outcomes = [Outcome?](repeating: nil, count: items.count)
        let claimed = items.enumerated().compactMap { index, item in item.claim.map { (index, item, $0) } }
        guard !claimed.isEmpty else { return outcomes }
        try await RowInsert.run(
            "idempotency_keys", columns: ["organization_id", "user_id", "key", "request_hash", "status", "resource", "created_at"],
            rows: claimed.map { _, item, claim in
                [
                    item.ticket.organizationID.text, claim.userID.text, claim.key, claim.requestHash, 201, item.ticket.id.text,
                    Millis.from(item.ticket.createdAt),
                ]
            },
            ignoringConflicts: true, on: db)
        var query = SQLQueryString(
            "SELECT organization_id, user_id, key, request_hash, resource FROM idempotency_keys WHERE (organization_id, user_id, key) IN (")
        for (position, (_, item, claim)) in claimed.enumerated() {
            query.appendLiteral(position == 0 ? "(" : ", (")
            query.appendInterpolation(binds: [item.ticket.organizationID.text, claim.userID.text, claim.key])
            query.appendLiteral(")")
        }
        query.appendLiteral(")")
        var holders: [String: (hash: String, resource: String)] = [:]
        for row in try await db.raw(query).all() {
            let id = [
                try row.decode(column: "organization_id", as: String.self), try row.decode(column: "user_id", as: String.self),
                try row.decode(column: "key", as: String.self),
            ].joined(separator: "|")
            holders[id] = (try row.decode(column: "request_hash", as: String.self), try row.decode(column: "resource", as: String.self))
        }
        for (index, item, claim) in claimed {
            guard let holder = holders["\(item.ticket.organizationID.text)|\(claim.userID.text)|\(claim.key)"],
                holder.resource != item.ticket.id.text
            else { continue }
            outcomes[index] = holder.hash == claim.requestHash ? .replay(holder.resource) : .failed(.idempotencyMismatch(key: claim.key))
        }
        return outcomes
    }
}

import Foundation
import RelaisCore
import SQLKit

/// A ticket with its whole history, made outside the request path (demo data, imports).
public struct HistoricTicket: Sendable {
    public struct Entry: Sendable {
        public var change: TicketChange
        public var at: Date
        public var actor: String
        public init(change: TicketChange, at: Date, actor: String) {
            self.change = change
            self.at = at
            self.actor = actor
        }
    }

    /// The ticket in its final state, not yet numbered.
    public var ticket: Ticket
    public var prefix: String
    public var history: [Entry]

    public init(ticket: Ticket, prefix: String, history: [Entry]) {
        self.ticket = ticket
        self.prefix = prefix
        self.history = history
    }
}

/// Writes many tickets at once: numbers are reserved per family in one statement and rows go in
/// multi-row inserts, one transaction per batch. History entries keep their own times. Nothing is
/// queued in the outbox: past events are not news for the outside world.
public struct BulkTicketWriter: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    @discardableResult
    public func write(_ batch: [HistoricTicket], organizationID: UUID) async throws -> [Ticket] {
        try await database.transaction { db in try await Self.write(batch, organizationID: organizationID, on: db) }
    }

    /// The same, inside the caller's transaction.
    static func write(_ batch: [HistoricTicket], organizationID: UUID, on db: any SQLDatabase) async throws -> [Ticket] {
        var numbered: [Ticket] = []
        numbered.reserveCapacity(batch.count)
        var next: [String: Int] = [:]
        for (prefix, count) in Dictionary(grouping: batch, by: \.prefix).mapValues(\.count) {
            let last = try await db.raw("""
                INSERT INTO ticket_sequences (organization_id, prefix, last_number) VALUES (\(bind: organizationID.text), \(bind: prefix), \(bind: count))
                ON CONFLICT (organization_id, prefix) DO UPDATE SET last_number = ticket_sequences.last_number + \(bind: count)
                RETURNING last_number
                """).first(decodingColumn: "last_number", as: Int.self) ?? count
            next[prefix] = last - count + 1
        }
        for item in batch {
            let number = next[item.prefix]!
            next[item.prefix] = number + 1
            numbered.append(item.ticket.numbered(number, prefix: item.prefix))
        }
        let tickets = zip(numbered, batch).map { TicketRow.row($0, lastEventSequence: $1.history.count) }
        try await RowInsert.run("tickets", columns: TicketRow.columns, rows: tickets, on: db)
        let links: [RowInsert.Row] = numbered.flatMap { ticket in
            ticket.links.map { [organizationID.text, ticket.id.text, $0.kind.rawValue, $0.id.text] }
        }
        try await RowInsert.run("ticket_links", columns: ["organization_id", "ticket_id", "kind", "object_id"], rows: links, on: db)
        let organization = organizationID.text
        let events: [RowInsert.Row] = zip(numbered, batch).flatMap { ticket, item in
            let ticketID = ticket.id.text
            return item.history.enumerated().map { offset, entry -> RowInsert.Row in
                [UUID.timeOrdered(at: entry.at).text, organization, ticketID, offset + 1, Millis.from(entry.at), entry.actor, entry.change.kind.rawValue,
                 entry.change.field, entry.change.from, entry.change.to, entry.change.rule]
            }
        }
        try await RowInsert.run("ticket_events", columns: TicketHistoryRows.eventColumns, rows: events, on: db)
        try await AccountRollups.apply(old: [], new: numbered.map(AccountRollups.Contribution.init), on: db)
        return numbered
    }
}

extension Range where Bound == Int {
    /// Consecutive sub-ranges of at most `size` elements.
    func chunks(_ size: Int) -> [Range<Int>] {
        stride(from: lowerBound, to: upperBound, by: size).map { $0..<Swift.min($0 + size, upperBound) }
    }
}

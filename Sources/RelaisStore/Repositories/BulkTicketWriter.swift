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

    /// Rows per INSERT statement, under SQLite's limit of 32,766 bound values.
    static let ticketRowsPerInsert = 1_000
    static let eventRowsPerInsert = 2_500

    @discardableResult
    public func write(_ batch: [HistoricTicket], organizationID: UUID) async throws -> [Ticket] {
        try await database.transaction { db in
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
            for chunk in numbered.indices.chunks(Self.ticketRowsPerInsert) {
                var insert = db.insert(into: "tickets").columns(TicketRow.columns)
                for index in chunk { insert = insert.values(TicketRow.values(numbered[index], lastEventSequence: batch[index].history.count)) }
                try await insert.run()
            }
            let links = numbered.flatMap { ticket in ticket.links.map { (ticket, $0) } }
            for chunk in links.indices.chunks(Self.eventRowsPerInsert) {
                var insert = db.insert(into: "ticket_links").columns("organization_id", "ticket_id", "kind", "object_id")
                for index in chunk {
                    let (ticket, link) = links[index]
                    insert = insert.values(SQLBind(organizationID.text), SQLBind(ticket.id.text), SQLBind(link.kind.rawValue), SQLBind(link.id.text))
                }
                try await insert.run()
            }
            let events = zip(numbered, batch).flatMap { ticket, item in item.history.enumerated().map { (ticket, $0.offset + 1, $0.element) } }
            for chunk in events.indices.chunks(Self.eventRowsPerInsert) {
                var insert = db.insert(into: "ticket_events")
                    .columns("id", "organization_id", "ticket_id", "sequence", "occurred_at", "actor", "kind", "field", "from_value", "to_value", "rule")
                for index in chunk {
                    let (ticket, sequence, entry) = events[index]
                    insert = insert.values(
                        SQLBind(UUID().text), SQLBind(organizationID.text), SQLBind(ticket.id.text), SQLBind(sequence),
                        SQLBind(Millis.from(entry.at)), SQLBind(entry.actor), SQLBind(entry.change.kind.rawValue),
                        SQLBind(entry.change.field), SQLBind(entry.change.from), SQLBind(entry.change.to), SQLBind(entry.change.rule))
                }
                try await insert.run()
            }
            return numbered
        }
    }
}

extension Range where Bound == Int {
    /// Consecutive sub-ranges of at most `size` elements.
    func chunks(_ size: Int) -> [Range<Int>] {
        stride(from: lowerBound, to: upperBound, by: size).map { $0..<Swift.min($0 + size, upperBound) }
    }
}

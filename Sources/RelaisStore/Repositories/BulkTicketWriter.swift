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

/// A ticket whose rows are built, waiting only for its number: what can be done before the
/// transaction (texts, ids, history rows) is, so that a caller may prepare the next batch while
/// the database writes this one.
struct PreparedTicket: Sendable {
    var ticket: Ticket
    var prefix: String
    /// The `tickets` row, its key and number filled in when written.
    var row: RowInsert.Row
    var events: [RowInsert.Row]
    var links: [RowInsert.Row]

    init(_ item: HistoricTicket) {
        ticket = item.ticket
        prefix = item.prefix
        row = TicketRow.row(item.ticket, lastEventSequence: item.history.count)
        let organization = item.ticket.organizationID.text, ticketID = item.ticket.id.text
        events = item.history.enumerated().map { offset, entry -> RowInsert.Row in
            [
                UUID.timeOrdered(at: entry.at).text, organization, ticketID, offset + 1, Millis.from(entry.at), entry.actor,
                entry.change.kind.rawValue, entry.change.field, entry.change.from, entry.change.to, entry.change.rule,
            ]
        }
        links = item.ticket.links.map { [organization, ticketID, $0.kind.rawValue, $0.id.text] }
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
        let prepared = batch.map(PreparedTicket.init)
        return try await database.transaction { db in try await Self.write(prepared, organizationID: organizationID, on: db) }
    }

    /// Numbers and writes prepared tickets inside the caller's transaction.
    static func write(_ batch: [PreparedTicket], organizationID: UUID, on db: any SQLDatabase) async throws -> [Ticket] {
        guard !batch.isEmpty else { return [] }
        var next: [String: Int] = [:]
        for (prefix, count) in Dictionary(grouping: batch, by: \.prefix).mapValues(\.count) {
            let last =
                try await db.raw(
                    """
                    INSERT INTO ticket_sequences (organization_id, prefix, last_number) VALUES (\(bind: organizationID.text), \(bind: prefix), \(bind: count))
                    ON CONFLICT (organization_id, prefix) DO UPDATE SET last_number = ticket_sequences.last_number + \(bind: count)
                    RETURNING last_number
                    """
                ).first(decodingColumn: "last_number", as: Int.self) ?? count
            next[prefix] = last - count + 1
        }
        var numbered: [Ticket] = [], rows: [RowInsert.Row] = []
        numbered.reserveCapacity(batch.count)
        rows.reserveCapacity(batch.count)
        for item in batch {
            let number = next[item.prefix]!
            next[item.prefix] = number + 1
            let ticket = item.ticket.numbered(number, prefix: item.prefix)
            numbered.append(ticket)
            rows.append(TicketRow.numbering(item.row, as: ticket))
        }
        try await RowInsert.run("tickets", columns: TicketRow.columns, rows: rows, on: db)
        try await RowInsert.run("ticket_links", columns: ["organization_id", "ticket_id", "kind", "object_id"], rows: batch.flatMap(\.links), on: db)
        try await RowInsert.run("ticket_events", columns: TicketHistoryRows.eventColumns, rows: batch.flatMap(\.events), on: db)
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

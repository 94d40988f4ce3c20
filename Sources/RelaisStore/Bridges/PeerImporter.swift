import Crypto
import Foundation
import RelaisCore
import SQLKit

/// Brings peer tools' tickets in, one transaction per batch: a record seen for the first time
/// becomes a ticket with its history at the tool's times; one seen before is updated when it
/// changed (its changes written as events) and left alone when not, so re-running an import
/// duplicates nothing. The raw local values are kept beside the ticket.
public struct PeerImporter: Sendable {
    public let database: RelaisDatabase
    public let map: ProcessMap
    public static let batchSize = 1_000

    public init(database: RelaisDatabase, map: ProcessMap) {
        self.database = database
        self.map = map
    }

    public struct Report: Sendable, Equatable {
        public var received = 0
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        /// Records not imported, with their position and why.
        public var skipped: [PeerRecordProblem] = []
        /// Local values no mapping of the source covers: field, then value, then how many records.
        public var uncovered: [String: [String: Int]] = [:]

        public init() {}
    }

    /// Imports `inputs`; `fields` are the local fields the coverage report looks at.
    public func run(_ inputs: [PeerInput], fields: [String], organizationID: UUID, progress: (@Sendable (Int) -> Void)? = nil) async throws -> Report {
        var report = Report()
        report.received = inputs.count
        // A record that comes again later in the input is taken at its last occurrence.
        var last: [String: Int] = [:]
        for (index, input) in inputs.enumerated() {
            if case let .success(record) = input.record { last[Self.key(record.source, record.externalID)] = index }
        }
        var batch: [(position: String, record: PeerRecord)] = []
        for (index, input) in inputs.enumerated() {
            switch input.record {
            case let .failure(problem):
                report.skipped.append(problem)
            case let .success(record):
                for (field, value) in PeerImportRules.uncovered(record, fields: fields, mappings: map.referential.mappings) {
                    report.uncovered[field, default: [:]][value, default: 0] += 1
                }
                if let later = last[Self.key(record.source, record.externalID)], later != index {
                    report.skipped.append(PeerRecordProblem(position: input.position, reason: "'\(record.externalID)' comes again at \(inputs[later].position), which is imported"))
                    continue
                }
                batch.append((input.position, record))
            }
            if batch.count == Self.batchSize {
                try await write(batch, organizationID: organizationID, into: &report)
                batch.removeAll(keepingCapacity: true)
                progress?(index + 1)
            }
        }
        if !batch.isEmpty { try await write(batch, organizationID: organizationID, into: &report) }
        progress?(inputs.count)
        var order: [String: Int] = [:]
        for (index, input) in inputs.enumerated() { order[input.position] = index }
        report.skipped.sort { (order[$0.position] ?? 0) < (order[$1.position] ?? 0) }
        return report
    }

    func write(_ batch: [(position: String, record: PeerRecord)], organizationID: UUID, into report: inout Report) async throws {
        let map = self.map
        let outcome = try await database.transaction { db -> Report in
            var partial = Report()
            let known = try await Self.known(batch.map(\.record), organizationID: organizationID, on: db)
            var fresh: [HistoricTicket] = [], freshRows: [(record: PeerRecord, digest: String)] = []
            var changed: [(ticketID: String, record: PeerRecord, digest: String, position: String)] = []
            for (position, record) in batch {
                let digest = Self.digest(record)
                if let stored = known[Self.key(record.source, record.externalID)] {
                    if stored.digest == digest { partial.unchanged += 1 } else { changed.append((stored.ticketID, record, digest, position)) }
                    continue
                }
                switch PeerImportRules.translate(record, map: map, organizationID: organizationID, id: UUID.timeOrdered(at: record.createdAt)) {
                case let .failure(unmapped):
                    partial.skipped.append(PeerRecordProblem(position: position, reason: unmapped.reason))
                case let .success(translation):
                    let prefix = map.families[translation.ticket.family]?.keyPrefix ?? "T"
                    fresh.append(HistoricTicket(ticket: translation.ticket, prefix: prefix,
                                                history: translation.history.map { .init(change: $0.change, at: $0.at, actor: $0.actor) }))
                    freshRows.append((record, digest))
                }
            }
            let written = try await BulkTicketWriter.write(fresh, organizationID: organizationID, on: db)
            let now = Millis.now()
            try await RowInsert.run("peer_tickets", columns: ["organization_id", "source", "external_id", "ticket_id", "raw", "digest", "imported_at"],
                                    rows: zip(written, freshRows).map { ticket, row in
                                        [organizationID.text, row.record.source, row.record.externalID, ticket.id.text,
                                         JSONText.encode(row.record.values), row.digest, now] as RowInsert.Row
                                    }, on: db)
            partial.created += written.count
            for item in changed {
                if let problem = try await Self.update(item.ticketID, from: item.record, map: map, on: db) {
                    partial.skipped.append(PeerRecordProblem(position: item.position, reason: problem))
                    continue
                }
                try await db.update("peer_tickets").set("raw", to: JSONText.encode(item.record.values)).set("digest", to: item.digest)
                    .set("imported_at", to: now)
                    .where("organization_id", .equal, organizationID.text).where("source", .equal, item.record.source)
                    .where("external_id", .equal, item.record.externalID).run()
                partial.updated += 1
            }
            return partial
        }
        report.created += outcome.created
        report.updated += outcome.updated
        report.unchanged += outcome.unchanged
        report.skipped += outcome.skipped
    }

    /// Applies a changed record to the ticket it made, with one event per field that moved at the
    /// record's update time; the reason when it cannot be applied.
    static func update(_ ticketID: String, from record: PeerRecord, map: ProcessMap, on db: any SQLDatabase) async throws -> String? {
        guard let row = try await TicketRow.select(on: db).where("id", .equal, ticketID).first() else { return "its ticket no longer exists" }
        var ticket = try TicketRow.decode(row)
        let changes: [TicketChange]
        switch PeerImportRules.update(&ticket, from: record, map: map) {
        case let .failure(unmapped): return unmapped.reason
        case let .success(found): changes = found
        }
        guard !changes.isEmpty else { return nil }
        try await TicketRepository.write(ticket, changes: changes, actor: .init(id: nil, name: record.source), on: db)
        return nil
    }

    /// The records of this batch already imported: their ticket and digest, by external id.
    static func known(_ records: [PeerRecord], organizationID: UUID, on db: any SQLDatabase) async throws -> [String: (ticketID: String, digest: String)] {
        var known: [String: (ticketID: String, digest: String)] = [:]
        for (source, group) in Dictionary(grouping: records, by: \.source) {
            for chunk in group.indices.chunks(500) {
                let ids = group[chunk].map(\.externalID) as [any Encodable & Sendable]
                let rows = try await db.select().columns("external_id", "ticket_id", "digest").from("peer_tickets")
                    .where("organization_id", .equal, organizationID.text).where("source", .equal, source)
                    .where(SQLQueryString("external_id IN (\(binds: ids))")).all()
                for row in rows {
                    known[key(source, try row.decode(column: "external_id", as: String.self))] =
                        (try row.decode(column: "ticket_id", as: String.self), try row.decode(column: "digest", as: String.self))
                }
            }
        }
        return known
    }

    static func key(_ source: String, _ externalID: String) -> String { "\(source)\u{1F}\(externalID)" }

    /// What tells a changed record: its texts, local values, times and history.
    static func digest(_ record: PeerRecord) -> String {
        var text = "\(record.title)\u{1F}\(record.description)\u{1F}\(Millis.from(record.createdAt))\u{1F}\(Millis.from(record.updatedAt))"
        for (field, value) in record.values.sorted(by: { $0.key < $1.key }) { text += "\u{1E}\(field)=\(value)" }
        for change in record.history { text += "\u{1D}\(Millis.from(change.at)) \(change.actor) \(change.field) \(change.from ?? "") \(change.to ?? "")" }
        return HexDigits.text(SHA256.hash(data: Data(text.utf8)))
    }
}

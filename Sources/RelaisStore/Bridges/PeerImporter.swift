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
    /// Records per transaction: large enough that a commit writes an index page once for many
    /// rows (in 1,000-record transactions SQLite alone took nearly twice as long for the same
    /// rows), small enough that other writers wait a fraction of a second.
    public static let batchSize = 5_000
    /// The first batch is smaller, so that writing starts while the next one is being prepared.
    public static let firstBatchSize = 500

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

    /// Imports `inputs`; `fields` are the local fields the coverage report looks at. Batches go
    /// through two stages: records are translated and their rows built (no database) while the
    /// batch before is being written, so mapping and writing overlap.
    public func run(_ inputs: [PeerInput], fields: [String], organizationID: UUID, progress: (@Sendable (Int) -> Void)? = nil) async throws -> Report
    {
        var report = Report()
        report.received = inputs.count
        // A record that comes again later in the input is taken at its last occurrence.
        var last: [String: Int] = [:]
        for (index, input) in inputs.enumerated() {
            if case let .success(record) = input.record { last[Self.key(record.source, record.externalID)] = index }
        }
        var batches: [(records: [(position: String, record: PeerRecord)], through: Int)] = []
        var batch: [(position: String, record: PeerRecord)] = []
        for (index, input) in inputs.enumerated() {
            switch input.record {
            case let .failure(problem):
                report.skipped.append(problem)
            case let .success(record):
                if let later = last[Self.key(record.source, record.externalID)], later != index {
                    Self.count(PeerImportRules.uncovered(record, fields: fields, mappings: map.referential.mappings), into: &report.uncovered)
                    report.skipped.append(
                        PeerRecordProblem(
                            position: input.position, reason: "'\(record.externalID)' comes again at \(inputs[later].position), which is imported"))
                    continue
                }
                batch.append((input.position, record))
            }
            if batch.count == (batches.isEmpty ? Self.firstBatchSize : Self.batchSize) {
                batches.append((batch, index + 1))
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { batches.append((batch, inputs.count)) }
        let map = self.map
        func prepare(_ index: Int) -> Task<PreparedBatch, Never> {
            Task { [batch = batches[index].records] in Self.prepare(batch, fields: fields, map: map, organizationID: organizationID) }
        }
        var next = batches.isEmpty ? nil : prepare(0)
        for index in batches.indices {
            guard let prepared = await next?.value else { break }
            next = index + 1 < batches.count ? prepare(index + 1) : nil
            Self.count(prepared.uncovered, into: &report.uncovered)
            do {
                try await write(prepared.records, organizationID: organizationID, into: &report)
            } catch {
                next?.cancel()
                throw error
            }
            progress?(batches[index].through)
        }
        progress?(inputs.count)
        var order: [String: Int] = [:]
        for (index, input) in inputs.enumerated() { order[input.position] = index }
        report.skipped.sort { (order[$0.position] ?? 0) < (order[$1.position] ?? 0) }
        return report
    }

    /// A record ready to be written: its digest and raw values' text, and, should it be new, its
    /// ticket with every row built (or why it cannot be mapped).
    struct Prepared: Sendable {
        var position: String
        var record: PeerRecord
        var digest: String
        var raw: String
        var ticket: Result<PreparedTicket, PeerImportRules.Unmapped>
    }

    /// A batch out of the first stage, with the local values of its records no mapping covers.
    struct PreparedBatch: Sendable {
        var records: [Prepared]
        var uncovered: [(field: String, value: String)]
    }

    /// The first stage: everything a batch needs that does not read the database. A record
    /// already imported does not use its translation; translating it anyway keeps this stage
    /// free of reads, and costs less than the write it overlaps.
    static func prepare(_ batch: [(position: String, record: PeerRecord)], fields: [String], map: ProcessMap, organizationID: UUID) -> PreparedBatch {
        var uncovered: [(field: String, value: String)] = []
        let records = batch.map { position, record in
            uncovered += PeerImportRules.uncovered(record, fields: fields, mappings: map.referential.mappings)
            let ticket = PeerImportRules.translate(record, map: map, organizationID: organizationID, id: UUID.timeOrdered(at: record.createdAt))
                .map { translation in
                    PreparedTicket(
                        HistoricTicket(
                            ticket: translation.ticket, prefix: map.families[translation.ticket.family]?.keyPrefix ?? "T",
                            history: translation.history.map { .init(change: $0.change, at: $0.at, actor: $0.actor) }))
                }
            return Prepared(position: position, record: record, digest: digest(record), raw: JSONText.encode(record.values), ticket: ticket)
        }
        return PreparedBatch(records: records, uncovered: uncovered)
    }

    static func count(_ values: some Sequence<(field: String, value: String)>, into counts: inout [String: [String: Int]]) {
        for (field, value) in values { counts[field, default: [:]][value, default: 0] += 1 }
    }

    /// The second stage, in one transaction: records seen for the first time are written from
    /// their prepared rows, changed ones updated, the others counted as unchanged.
    func write(_ batch: [Prepared], organizationID: UUID, into report: inout Report) async throws {
        let map = self.map
        let outcome = try await database.transaction { db -> Report in
            var partial = Report()
            let known = try await Self.known(batch.map(\.record), organizationID: organizationID, on: db)
            var fresh: [PreparedTicket] = [], freshRows: [Prepared] = []
            var changed: [(ticketID: String, item: Prepared)] = []
            for item in batch {
                if let stored = known[Self.key(item.record.source, item.record.externalID)] {
                    if stored.digest == item.digest { partial.unchanged += 1 } else { changed.append((stored.ticketID, item)) }
                    continue
                }
                switch item.ticket {
                case let .failure(unmapped):
                    partial.skipped.append(PeerRecordProblem(position: item.position, reason: unmapped.reason))
                case let .success(ticket):
                    fresh.append(ticket)
                    freshRows.append(item)
                }
            }
            let written = try await BulkTicketWriter.write(fresh, organizationID: organizationID, on: db)
            let now = Millis.now()
            try await RowInsert.run(
                "peer_tickets", columns: ["organization_id", "source", "external_id", "ticket_id", "raw", "digest", "imported_at"],
                rows: zip(written, freshRows).map { ticket, item in
                    [organizationID.text, item.record.source, item.record.externalID, ticket.id.text, item.raw, item.digest, now] as RowInsert.Row
                }, on: db)
            partial.created += written.count
            for (ticketID, item) in changed {
                if let problem = try await Self.update(ticketID, from: item.record, map: map, on: db) {
                    partial.skipped.append(PeerRecordProblem(position: item.position, reason: problem))
                    continue
                }
                try await db.update("peer_tickets").set("raw", to: item.raw).set("digest", to: item.digest)
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
    static func known(
        _ records: [PeerRecord], organizationID: UUID, on db: any SQLDatabase
    ) async throws -> [String: (ticketID: String, digest: String)] {
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
        for change in record.history {
            text += "\u{1D}\(Millis.from(change.at)) \(change.actor) \(change.field) \(change.from ?? "") \(change.to ?? "")"
        }
        return HexDigits.text(SHA256.hash(data: Data(text.utf8)))
    }
}

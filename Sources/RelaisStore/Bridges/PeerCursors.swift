import Foundation
import RelaisCore
import SQLKit

/// Where each peer tool's sync stands, kept after every page imported.
public struct PeerCursors: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    public struct Position: Sendable, Equatable {
        public var cursor: String
        /// Records read since the first sync.
        public var records: Int
        public var syncedAt: Date
        /// Why the last run stopped early, if it did.
        public var lastError: String?
    }

    public func position(of source: String, organizationID: UUID) async throws -> Position? {
        try await database.read { db in
            try await db.select().columns("cursor", "records", "synced_at", "last_error").from("peer_cursors")
                .where("organization_id", .equal, organizationID.text).where("source", .equal, source).first()
                .map { row in
                    Position(
                        cursor: try row.decode(column: "cursor", as: String.self), records: try row.decode(column: "records", as: Int.self),
                        syncedAt: Millis.date(try row.decode(column: "synced_at", as: Int.self)),
                        lastError: try row.decode(column: "last_error", as: String?.self))
                }
        }
    }

    /// Moves the source's cursor after a page of `records` was imported.
    public func advance(_ source: String, to cursor: String, records: Int, organizationID: UUID, at instant: Date) async throws {
        try await database.transaction { db in
            try await RowInsert.run(
                "peer_cursors", columns: ["organization_id", "source", "cursor", "records", "synced_at"],
                rows: [[organizationID.text, source, cursor, records, Millis.from(instant)]],
                upsertingOn: "organization_id, source",
                updating:
                    "cursor = excluded.cursor, records = peer_cursors.records + excluded.records, synced_at = excluded.synced_at, last_error = NULL",
                on: db)
        }
    }

    /// Records why a run stopped, leaving the cursor where the last imported page put it.
    public func failed(_ source: String, reason: String, organizationID: UUID) async throws {
        try await database.transaction { db in
            try await db.update("peer_cursors").set("last_error", to: reason).where("organization_id", .equal, organizationID.text)
                .where("source", .equal, source).run()
        }
    }
}

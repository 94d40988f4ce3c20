import Foundation
import RelaisCore
import SQLKit

/// The tickets of a period as double-entry detection reads them: each with the tool it came
/// from (`relais` when opened here), its account and its requester or contact.
public struct DoubleEntries: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    public func pairs(
        organizationID: UUID, from: Date, to: Date, window: TimeInterval = 86_400, threshold: Double = 0.6
    ) async throws -> [DoubleEntry.Pair] {
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT t.key, t.title, t.created_at, t.account_id, t.requester_id, p.source
                FROM tickets t LEFT JOIN peer_tickets p ON p.ticket_id = t.id
                WHERE t.organization_id = \(bind: organizationID.text)
                  AND t.created_at >= \(bind: Millis.from(from) - Int(window * 1000)) AND t.created_at < \(bind: Millis.from(to))
                """
            ).all()
        }
        let entries = try rows.map { row in
            DoubleEntry.Entry(
                source: try row.decode(column: "source", as: String?.self) ?? "relais", key: try row.decode(column: "key", as: String.self),
                title: try row.decode(column: "title", as: String.self),
                createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)),
                account: try row.decode(column: "account_id", as: String?.self), requester: try row.decode(column: "requester_id", as: String?.self))
        }
        return DoubleEntry.pairs(entries, window: window, threshold: threshold).filter { $0.second.createdAt >= from }
    }
}

import Foundation
import SQLKit

/// Rows of one organisation looked up by a list of ids.
///
/// The ids alone are in the `WHERE` clause: with `organization_id = ?` beside `id IN (…)`, SQLite
/// walks the organisation's index (all its rows) instead of looking the ids up, tens of
/// milliseconds at 100,000 rows. The organisation is checked on each row found instead, so a row
/// of another organisation is never returned. Long lists go 1,000 ids to a statement.
enum RowsByID {
    static func select(
        _ columns: [String], from table: String, ids: [String], organizationID: UUID,
        on db: any SQLDatabase
    ) async throws -> [any SQLRow] {
        var rows: [any SQLRow] = []
        for start in stride(from: 0, to: ids.count, by: 1_000) {
            let chunk = Array(ids[start..<min(start + 1_000, ids.count)])
            rows += try await db.select().column(SQLRaw((columns + ["organization_id"]).joined(separator: ", "))).from(table)
                .where("id", .in, SQLBind.group(chunk)).all()
                .filter { (try? $0.decode(column: "organization_id", as: String.self)) == organizationID.text }
        }
        return rows
    }
}

extension SQLRow {
    /// A column holding an id; a value that is not a UUID is an error, never a made-up id.
    func uuid(_ column: String) throws -> UUID {
        let text = try decode(column: column, as: String.self)
        guard let id = UUID(uuidString: text) else { throw StoreError.invalidValue(field: column, reason: "'\(text)' is not a UUID") }
        return id
    }

    func optionalUUID(_ column: String) throws -> UUID? {
        try decode(column: column, as: String?.self).map { _ in try uuid(column) }
    }
}

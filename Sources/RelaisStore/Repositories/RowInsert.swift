import SQLKit

/// Multi-row INSERT statements written as plain SQL text with bound values.
///
/// SQLKit's builders quote every identifier anew for each row, which costs more than the insert
/// itself on hot paths; the column lists here are fixed names, so the text is built directly.
enum RowInsert {
    typealias Row = [any Encodable & Sendable]

    /// SQLite accepts 32,766 bound values per statement; PostgreSQL 65,535.
    static let maxBinds = 30_000

    /// With `upsertingOn`, a row whose key (one or more columns) exists replaces the stored values,
    /// or applies `updating` (`count = t.count + excluded.count`) when given.
    static func run(_ table: String, columns: [String], rows: [Row], ignoringConflicts: Bool = false,
                    upsertingOn key: String? = nil, updating assignments: String? = nil, on db: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, maxBinds / columns.count)
        let head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            var query = SQLQueryString(head)
            for index in start..<min(start + perStatement, rows.count) {
                query.appendLiteral(index == start ? "(" : ", (")
                query.appendInterpolation(binds: rows[index])
                query.appendLiteral(")")
            }
            if ignoringConflicts { query.appendLiteral(" ON CONFLICT DO NOTHING") }
            if let key {
                let updates = assignments ?? columns.filter { $0 != key }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
                query.appendLiteral(" ON CONFLICT (\(key)) DO UPDATE SET \(updates)")
            }
            try await db.raw(query).run()
        }
    }
}

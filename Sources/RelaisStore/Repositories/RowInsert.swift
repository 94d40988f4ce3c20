import PostgresKit
import SQLKit
import SQLiteKit

/// Multi-row INSERT statements written as plain SQL text with values bound by their type.
///
/// SQLKit's builders quote every identifier anew for each row and its encoders take each value
/// through `Encodable`, which costs more than the insert itself on bulk paths (imports, demo
/// data, batched creations). The column lists here are fixed names, so the text is built
/// directly, and on a pooled connection the values go straight onto the driver's statement.
enum RowInsert {
    typealias Row = [any SQLCell]

    /// SQLite accepts 32,766 bound values per statement; PostgreSQL 65,535.
    static let maxBinds = 30_000
    /// From this many rows on, a plain insert goes to PostgreSQL as one `COPY`.
    static let copyFrom = 200

    /// With `upsertingOn`, a row whose key (one or more columns) exists replaces the stored values,
    /// or applies `updating` (`count = t.count + excluded.count`) when given.
    static func run(
        _ table: String, columns: [String], rows: [Row], ignoringConflicts: Bool = false,
        upsertingOn key: String? = nil, updating assignments: String? = nil, on db: any SQLDatabase
    ) async throws {
        guard !rows.isEmpty else { return }
        for row in rows { precondition(row.count == columns.count, "\(table): a row of \(row.count) values for \(columns.count) columns") }
        if !ignoringConflicts, key == nil, rows.count >= copyFrom, case let .postgres(connection)? = (db as? PooledConnection)?.driver {
            try await copy(table, columns: columns, rows: rows, on: connection, logger: db.logger)
            return
        }
        let perStatement = max(1, maxBinds / columns.count)
        let head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        var tail = ""
        if ignoringConflicts { tail += " ON CONFLICT DO NOTHING" }
        if let key {
            let updates = assignments ?? columns.filter { $0 != key }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            tail += " ON CONFLICT (\(key)) DO UPDATE SET \(updates)"
        }
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let chunk = rows[start..<min(start + perStatement, rows.count)]
            switch (db as? PooledConnection)?.driver {
            case let .sqlite(connection):
                var binds: [SQLiteData] = []
                binds.reserveCapacity(chunk.count * columns.count)
                for row in chunk { for cell in row { binds.append(cell.sqliteData) } }
                let text = head + placeholders(rows: chunk.count, columns: columns.count, numbered: false) + tail
                try await connection.query(text, binds) { _ in }
            case let .postgres(connection):
                var bindings = PostgresBindings(capacity: chunk.count * columns.count)
                for row in chunk { for cell in row { cell.bind(into: &bindings) } }
                let text = head + placeholders(rows: chunk.count, columns: columns.count, numbered: true) + tail
                try await connection.query(PostgresQuery(unsafeSQL: text, binds: bindings), logger: db.logger)
            case nil:
                var query = SQLQueryString(head)
                for (offset, row) in chunk.enumerated() {
                    query.appendLiteral(offset == 0 ? "(" : ", (")
                    query.appendInterpolation(binds: row)
                    query.appendLiteral(")")
                }
                query.appendLiteral(tail)
                try await db.raw(query).run()
            }
        }
    }

    /// Rows in `COPY`'s text format (tab between values, a line each), sent in pieces of about
    /// a megabyte.
    static func copy(_ table: String, columns: [String], rows: [Row], on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(1 << 20)
            for row in rows {
                for (index, cell) in row.enumerated() {
                    if index > 0 { buffer.writeInteger(UInt8(0x09)) }
                    cell.copyText(into: &buffer)
                }
                buffer.writeInteger(UInt8(0x0A))
                if buffer.readableBytes >= 1 << 20 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
    }

    /// `(?, ?), (?, ?)` for SQLite, `($1, $2), ($3, $4)` for PostgreSQL.
    static func placeholders(rows: Int, columns: Int, numbered: Bool) -> String {
        var text = ""
        text.reserveCapacity(rows * columns * (numbered ? 8 : 3))
        var number = 0
        for row in 0..<rows {
            text += row == 0 ? "(" : ", ("
            for column in 0..<columns {
                if column > 0 { text += ", " }
                number += 1
                if numbered {
                    text += "$"
                    text += String(number)
                } else {
                    text += "?"
                }
            }
            text += ")"
        }
        return text
    }
}

import PostgresKit
import SQLiteKit

/// A value written into a row by its type: bound straight onto SQLite's statement or into
/// PostgreSQL's typed bindings, without going through `Encodable` and SQLKit's encoders on the
/// way. Still `Encodable`, so the same rows can go through SQLKit where no driver connection is
/// at hand.
protocol SQLCell: Encodable, Sendable {
    var sqliteData: SQLiteData { get }
    func bind(into bindings: inout PostgresBindings)
    /// The value in the text format of PostgreSQL's `COPY` (`\N` for null).
    func copyText(into buffer: inout ByteBuffer)
}

extension SQLCell where Self: LosslessStringConvertible {
    func copyText(into buffer: inout ByteBuffer) { buffer.writeString(description) }
}

extension String: SQLCell {
    var sqliteData: SQLiteData { .text(self) }
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }

    /// Backslashes, tabs, line feeds and carriage returns escaped, as `COPY` reads them.
    func copyText(into buffer: inout ByteBuffer) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x09: buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: buffer.writeInteger(byte)
            }
        }
    }
}

extension Int: SQLCell {
    var sqliteData: SQLiteData { .integer(self) }
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Int64: SQLCell {
    var sqliteData: SQLiteData { .integer(Int(self)) }
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Double: SQLCell {
    var sqliteData: SQLiteData { .float(self) }
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

/// Booleans are stored as SQLite integers, as SQLKit's SQLite encoder stores them.
extension Bool: SQLCell {
    var sqliteData: SQLiteData { .integer(self ? 1 : 0) }
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
    func copyText(into buffer: inout ByteBuffer) { buffer.writeString(self ? "t" : "f") }
}

extension Optional: SQLCell where Wrapped: SQLCell {
    var sqliteData: SQLiteData { self?.sqliteData ?? .null }
    func bind(into bindings: inout PostgresBindings) {
        if let self { self.bind(into: &bindings) } else { bindings.appendNull() }
    }
    func copyText(into buffer: inout ByteBuffer) {
        if let self { self.copyText(into: &buffer) } else { buffer.writeString("\\N") }
    }
}

/// The driver connection under a pooled SQLKit view, for statements that bind typed values.
enum DriverConnection: Sendable {
    case sqlite(SQLiteConnection)
    case postgres(PostgresConnection)
}

import Foundation
import Logging
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// The database Relais stores into: an SQLite file (the embedded default) or PostgreSQL,
/// behind the same SQLKit interface. Reads and transactions each borrow a pooled connection.
public final class RelaisDatabase: Sendable {
    public enum Kind: String, Sendable { case sqlite, postgres }

    public let kind: Kind
    /// Where the data lives, without any password: a file path or `postgres://host:port/db`.
    public let location: String
    private let readers: ConnectionPool
    private let writers: ConnectionPool
    /// Ticket creations waiting to be committed together.
    let creations = CreationQueue(maxBatch: 256)

    private init(kind: Kind, location: String, readers: ConnectionPool, writers: ConnectionPool) {
        self.kind = kind
        self.location = location
        self.readers = readers
        self.writers = writers
    }

    /// Opens `url`: `postgres://user:password@host:port/database`, or an SQLite file path
    /// (optionally written `sqlite:path`). Nothing is created until the first query.
    public static func open(_ url: String, poolSize: Int = 8, logger: Logger = Logger(label: "relais.store")) throws -> RelaisDatabase {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try openPostgres(url, poolSize: poolSize, logger: logger)
        }
        let path = url.hasPrefix("sqlite:") ? String(url.dropFirst("sqlite:".count)) : url
        guard !path.isEmpty else { throw StoreError.invalidConfiguration("the SQLite path is empty") }
        return openSQLite(path: path, readers: max(1, poolSize / 2), logger: logger)
    }

    static func openSQLite(path: String, readers: Int, logger: Logger) -> RelaisDatabase {
        let open: @Sendable () async throws -> PooledConnection = {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            let database = connection.sql(queryLogLevel: nil)
            // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes.
            for pragma in [
                "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL",
                "PRAGMA busy_timeout = 10000", "PRAGMA foreign_keys = ON",
                "PRAGMA cache_size = -32768", "PRAGMA temp_store = MEMORY",
            ] {
                try await database.raw(SQLQueryString(pragma)).run()
            }
            return PooledConnection(database: database, driver: .sqlite(connection), close: { try? await connection.close() }, isUsable: { true })
        }
        return RelaisDatabase(
            kind: .sqlite, location: path,
            readers: ConnectionPool(limit: readers, open: open),
            writers: ConnectionPool(limit: 1, open: open)
        )
    }

    static func openPostgres(_ url: String, poolSize: Int, logger: Logger) throws -> RelaisDatabase {
        let configuration: SQLPostgresConfiguration
        do {
            configuration = try SQLPostgresConfiguration(url: url)
        } catch {
            throw StoreError.invalidConfiguration("cannot read the PostgreSQL URL: \(error)")
        }
        let core = configuration.coreConfiguration
        let open: @Sendable () async throws -> PooledConnection = {
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: core, id: 0, logger: logger)
            return PooledConnection(
                database: connection.sql(queryLogLevel: nil), driver: .postgres(connection),
                close: { try? await connection.close() }, isUsable: { !connection.isClosed })
        }
        var location = URLComponents(string: url)
        location?.password = nil
        location?.user = nil
        let pool = ConnectionPool(limit: poolSize, open: open)
        return RelaisDatabase(kind: .postgres, location: location?.string ?? "postgres", readers: pool, writers: pool)
    }

    /// Runs `body` on a connection outside any explicit transaction.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let connection = try await readers.acquire()
        do {
            let result = try await body(connection)
            await readers.release(connection)
            return result
        } catch {
            await readers.release(connection)
            throw Self.translate(error)
        }
    }

    /// Driver errors (a lost connection, a full disk, a busy file) become `StoreError.unavailable`,
    /// so callers see one kind of storage failure; errors of Relais pass through unchanged.
    static func translate(_ error: any Error) -> any Error {
        switch error {
        case let error as SQLiteError: StoreError.unavailable("SQLite: \(error)")
        case let error as PSQLError: StoreError.unavailable("PostgreSQL: \(String(reflecting: error))")
        default: error
        }
    }

    /// Runs `body` in one transaction: everything it writes is committed together or not at all.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let connection = try await writers.acquire()
        do {
            try await connection.raw(kind == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run()
            do {
                let result = try await body(connection)
                try await connection.raw("COMMIT").run()
                await writers.release(connection)
                return result
            } catch {
                try? await connection.raw("ROLLBACK").run()
                throw error
            }
        } catch {
            await writers.release(connection)
            throw Self.translate(error)
        }
    }

    public func close() async {
        await readers.shutdown()
        await writers.shutdown()
    }
}

/// A pooled connection's SQLKit view, with what the pool needs to check and close it.
struct PooledConnection: SQLDatabase {
    let database: any SQLDatabase
    /// The same connection, for statements bound by type (`RowInsert`).
    let driver: DriverConnection
    let close: @Sendable () async -> Void
    let isUsable: @Sendable () -> Bool

    var logger: Logger { database.logger }
    var eventLoop: any EventLoop { database.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { database.version }
    var dialect: any SQLDialect { database.dialect }
    var queryLogLevel: Logger.Level? { nil }
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        database.execute(sql: query, onRow)
    }
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await database.execute(sql: query, onRow)
    }
}

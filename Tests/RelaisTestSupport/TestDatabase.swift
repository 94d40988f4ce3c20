import Foundation
import RelaisCore
import RelaisMap
import RelaisStore

/// The database engines store and API tests run on: SQLite always, PostgreSQL too when
/// `RELAIS_TEST_POSTGRES_URL` points at a server the tests may create databases on.
public enum Engine: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["RELAIS_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The engines available here; tests take them as arguments, so each runs once per engine.
    public static var available: [Engine] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
}

/// A fresh, migrated, empty database for one test, removed afterwards.
public enum TestDatabase {
    /// The URL of a new empty database of `engine`, and how to remove it.
    public static func make(_ engine: Engine) async throws -> (url: String, drop: @Sendable () async -> Void) {
        switch engine {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("relais.sqlite").path
            return (path, { try? FileManager.default.removeItem(at: folder) })
        case .postgres:
            guard let admin = Engine.postgresURL, var components = URLComponents(string: admin) else {
                throw StoreError.invalidConfiguration("RELAIS_TEST_POSTGRES_URL is not set")
            }
            let name = "relais_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
            let server = try RelaisDatabase.open(admin, poolSize: 1)
            try await server.read { db in try await db.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            await server.close()
            components.path = "/\(name)"
            return (
                components.string!,
                {
                    guard let server = try? RelaisDatabase.open(admin, poolSize: 1) else { return }
                    _ = try? await server.read { db in try await db.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run() }
                    await server.close()
                }
            )
        }
    }

    /// Runs `body` with an open, migrated database of `engine`.
    public static func with<T: Sendable>(_ engine: Engine, _ body: (RelaisDatabase) async throws -> T) async throws -> T {
        let (url, drop) = try await make(engine)
        let database = try RelaisDatabase.open(url)
        do {
            try await Migrator.migrate(database)
            let result = try await body(database)
            await database.close()
            await drop()
            return result
        } catch {
            await database.close()
            await drop()
            throw error
        }
    }
}

/// The example map shipped in `Examples/`, which most tests run.
public enum ExampleMap {
    public static let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/acme.map.yaml").path

    public static func load() throws -> ProcessMap { try MapLoader.load(contentsOf: path) }

    public static func text() throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
}

import RelaisCore
import RelaisStore
import RelaisTestSupport
import SQLKit
import Testing

@Suite struct MigratorTests {
    @Test(arguments: Engine.available)
    func migratingTwiceAppliesNothingTheSecondTime(engine: Engine) async throws {
        let (url, drop) = try await TestDatabase.make(engine)
        defer { Task { await drop() } }
        let database = try RelaisDatabase.open(url)
        let first = try await Migrator.migrate(database)
        #expect(first == Migrator.all.map(\.name))
        #expect(try await Migrator.migrate(database).isEmpty)
        let versions = try await database.read { db in
            try await db.select().column("version").from("schema_migrations").orderBy("version").all(decodingColumn: "version", as: Int.self)
        }
        #expect(versions == Migrator.all.map(\.version))
        await database.close()
    }

    @Test(arguments: Engine.available)
    func driverErrorsReachCallersAsStoreErrors(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            await #expect {
                try await database.read { db in try await db.raw("SELECT * FROM no_such_table").all() }
            } throws: { error in
                guard case StoreError.unavailable = error else { return false }
                return true
            }
            await #expect(throws: StoreError.self) {
                try await database.transaction { db in try await db.raw("INSERT INTO no_such_table VALUES (1)").run() }
            }
        }
    }

    @Test func aBadDatabaseURLIsAConfigurationError() {
        #expect(throws: StoreError.self) { try RelaisDatabase.open("") }
        #expect(throws: StoreError.self) { try RelaisDatabase.open("postgres://") }
    }

    @Test func anUnreachableServerIsUnavailableNotACrash() async throws {
        let database = try RelaisDatabase.open("postgres://relais@127.0.0.1:1/none")
        await #expect(throws: StoreError.self) { try await Migrator.migrate(database) }
        await database.close()
    }
}

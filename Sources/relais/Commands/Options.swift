import ArgumentParser
import Foundation
import Logging
import RelaisCore
import RelaisIntegrations
import RelaisMap
import RelaisProcess
import RelaisServer
import RelaisStore

/// Where the data lives; shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "An SQLite file path, or a postgres:// URL.")
    var database: String = "relais.sqlite"
}

/// Which map to run; `--demo` picks the bundled example.
struct MapOptions: ParsableArguments {
    @Option(name: .long, help: "The process map to run.")
    var map: String = "relais.map.yaml"
}

enum CLI {
    /// Loads a map, or stops with its problems listed and a non-zero exit.
    static func loadMap(_ path: String) throws -> ProcessMap {
        do {
            return try MapLoader.load(contentsOf: path)
        } catch let error as MapValidationError {
            printError(error.description)
            throw ExitCode(1)
        }
    }

    /// The map an organisation runs: its running version when the database holds one (the file
    /// then only names the organisation; a note says when it differs), else the file.
    static func mapInForce(_ path: String, database: RelaisDatabase, organizationID: UUID) async throws -> ProcessMap {
        let versions = MapVersions(database: database, reader: MapText.reader(file: path))
        guard let running = try await versions.running(organizationID: organizationID) else { return try loadMap(path) }
        if let text = try? String(contentsOfFile: path, encoding: .utf8), case let .success(read) = MapText.reader(file: path)(text, nil),
            MapVersions.digest(text, included: read.included) != running.version.hash
        {
            printError("note: running map version \(running.version.number) of the database, not \(path), which differs")
        }
        return running.map
    }

    static func demoMapPath() throws -> String {
        guard let url = DemoMap.url else {
            printError("error: the bundled demo map is missing from this build")
            throw ExitCode(1)
        }
        return url.path
    }

    /// Opens and migrates the database, or stops with a readable message.
    static func openDatabase(_ url: String) async throws -> RelaisDatabase {
        do {
            let database = try RelaisDatabase.open(url)
            try await Migrator.migrate(database)
            return database
        } catch let error as StoreError {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// Writes `text` to `path`, or to standard output without one.
    static func write(_ text: String, to path: String?) throws {
        guard let path else { return FileHandle.standardOutput.write(Data(text.utf8)) }
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            printError("error: cannot write \(path): \(error.localizedDescription)")
            throw ExitCode(1)
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// The organisation a command acts on: the map's when a map is given, else the only one stored.
    /// Runs `body` on the opened database as an administrator of the map's organisation; a refusal
    /// of the store is printed and ends the command with status 1.
    static func asAdministrator<T: Sendable>(
        database url: String, mapPath: String?,
        _ body: (RelaisDatabase, Principal) async throws -> T
    ) async throws -> T {
        let db = try await openDatabase(url)
        do {
            let organization = try await organization(in: db, mapPath: mapPath)
            let result = try await body(db, Principal(userID: UUID(), organizationID: organization.id, name: "relais", role: .admin))
            await db.close()
            return result
        } catch let error as StoreError {
            await db.close()
            printError("error: \(error)")
            throw ExitCode(1)
        } catch {
            await db.close()
            throw error
        }
    }

    /// Runs `body` on the opened database with the map's organisation and the map version running
    /// for it; the database is closed afterwards, whatever happens.
    static func withMapInForce<T: Sendable>(
        _ mapPath: String, database url: String,
        _ body: (RelaisDatabase, Organization, ProcessMap) async throws -> T
    ) async throws -> T {
        let db = try await openDatabase(url)
        do {
            let organization = try await organization(in: db, mapPath: mapPath)
            let result = try await body(db, organization, try await mapInForce(mapPath, database: db, organizationID: organization.id))
            await db.close()
            return result
        } catch {
            await db.close()
            throw error
        }
    }

    /// Runs a sync's `round` once, or again every `every` seconds until stopped; a round that
    /// stops (the other tool refused, or failed too often) is printed and the next one goes on.
    /// `close` is called at the end in every case. Returns whether a round stopped.
    static func syncRounds(once: Bool, every: Int, close: () async -> Void, _ round: () async throws -> Void) async throws -> Bool {
        var stopped = false
        do {
            while true {
                do {
                    try await round()
                } catch let error as SyncStopped {
                    printError("error: \(error.reason)")
                    stopped = true
                }
                if once { break }
                try await Task.sleep(for: .seconds(every))
            }
        } catch {
            await close()
            throw error
        }
        await close()
        return stopped
    }

    static func organization(in database: RelaisDatabase, mapPath: String?) async throws -> Organization {
        let directory = DirectoryRepository(database: database)
        if let mapPath {
            let map = try loadMap(mapPath)
            return try await directory.ensureOrganization(slug: map.organization.slug, name: map.organization.name)
        }
        let organizations = try await directory.organizations()
        guard organizations.count == 1 else {
            printError(
                organizations.isEmpty
                    ? "error: no organisation yet; pass --map FILE (or start `relais serve`) first"
                    : "error: several organisations are stored; pass --map FILE to pick one")
            throw ExitCode(1)
        }
        return organizations[0]
    }

    /// An import file: `.json` read as a JSON array of objects, anything else as CSV with a header
    /// row. A file that cannot be read at all stops the command with a message.
    static func readImportFile(_ file: String) throws -> ImportFile.Parsed {
        guard let data = FileManager.default.contents(atPath: file) else {
            printError("error: cannot read \(file)")
            throw ExitCode(1)
        }
        do {
            if file.lowercased().hasSuffix(".json") { return try ImportFile.json(data: data) }
            guard let text = String(data: data, encoding: .utf8) else {
                printError("error: \(file) is not UTF-8 text")
                throw ExitCode(1)
            }
            return try ImportFile.csv(text)
        } catch let error as ImportFileError {
            printError("error: \(file): \(error)")
            throw ExitCode(1)
        }
    }

    /// The report of an import, refused rows as FILE:LINE: reason on stderr; exit 2 when some were refused.
    static func finish(_ report: ImportReport, parsed: ImportFile.Parsed, file: String, what: String) throws {
        var report = report
        report.rejected = (parsed.rejected + report.rejected).sorted { $0.line < $1.line }
        for rejection in report.rejected { printError("\(file):\(rejection.line): \(rejection.reason)") }
        print("\(what): \(report.created) created, \(report.updated) updated, \(report.rejected.count) refused")
        if !report.rejected.isEmpty { throw ExitCode(2) }
    }

    static var isTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}

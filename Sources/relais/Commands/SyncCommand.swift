import ArgumentParser
import Foundation
import RelaisCore
import RelaisIntegrations
import RelaisStore

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Keeps the tickets of a peer tool in step through its API, from where the last sync stopped.",
        discussion: """
            The map's `peers` section says how to reach the tool (servicenow, jira, zendesk, freshservice): its
            address, the environment variables holding the account and the token, how often to sync, and where a
            first sync starts. Pages are imported as they come, through the map's referential.mappings, upserted by
            source and id; the cursor is stored after each page, so a sync that stops resumes after the last page
            imported and nothing is imported twice. 5xx, 429 and transport errors are tried again after a growing
            pause (Retry-After when the tool gives one). Without --once, syncs again every `every` of the map.
            Exit codes: 0 caught up, 2 caught up with records skipped, 1 stopped (the reason is printed and kept).
            """)
    @Argument(help: "The tool: servicenow, jira, zendesk or freshservice.") var source: String
    @Flag(help: "Sync once, until caught up, then stop.") var once = false
    @Option(help: "Records asked per page (1 to 1000).") var pageSize = 100
    @Option(help: "Tries of one page before the sync stops.") var tries = 6
    @Flag(help: "Allow the tool's address to be on loopback or a private network (local tests only).") var allowPrivateEgress = false
    @OptionGroup var map: MapOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard PeerConnection.sources.contains(source) else {
            throw ValidationError("unknown tool '\(source)'; expected one of \(PeerConnection.sources.joined(separator: ", "))")
        }
        guard (1...1000).contains(pageSize) else { throw ValidationError("--page-size must be between 1 and 1000") }
        guard (1...20).contains(tries) else { throw ValidationError("--tries must be between 1 and 20") }
    }

    func run() async throws {
        let (stopped, skipped) = try await CLI.withMapInForce(map.map, database: database.database) { db, organization, running in
            guard let connection = running.peers[source] else {
                CLI.printError("error: the map's 'peers' section does not declare '\(source)'")
                throw ExitCode(1)
            }
            var settings = PeerSync.Settings()
            settings.pageSize = pageSize
            settings.tries = tries
            settings.allowPrivateEgress = allowPrivateEgress
            let sync: PeerSync
            do {
                sync = try PeerSync(connection: connection, map: running, database: db, organizationID: organization.id, settings: settings)
            } catch let stopped as SyncStopped {
                CLI.printError("error: \(stopped.reason)")
                throw ExitCode(1)
            }
            var skipped = false
            let stopped = try await CLI.syncRounds(once: once, every: Int(connection.every), close: { await sync.shutdown() }) {
                let showProgress = CLI.isTerminal
                let report = try await sync.run { done in if showProgress { CLI.printProgress("\(source): read \(done) records") } }
                ImportCommand.printReport(report.imported, source: source, origin: source)
                if report.retries > 0 { print("\(source): \(report.retries) tr\(report.retries == 1 ? "y" : "ies") made again after a failure") }
                skipped = skipped || !report.imported.skipped.isEmpty
            }
            return (stopped, skipped)
        }
        if stopped { throw ExitCode(1) }
        if skipped { throw ExitCode(2) }
    }
}

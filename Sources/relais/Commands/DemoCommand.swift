import ArgumentParser
import Foundation
import RelaisServer
import RelaisStore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Demo data.", subcommands: [Generate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generates accounts, contacts and tickets with months of realistic history.")
        @Option(help: "How many tickets.") var tickets = 10_000
        @Option(help: "How many accounts (default: one per 150 tickets).") var accounts: Int?
        @Option(help: "Months of history.") var months = 6
        @Option(help: "Seed: the same seed gives the same data.") var seed: UInt64 = 42
        @Option(help: "The map to follow (default: the bundled demo map).") var map: String?
        @Option(name: .long, help: "An SQLite file path, or a postgres:// URL.") var database = "relais-demo.sqlite"

        func validate() throws {
            guard tickets > 0 else { throw ValidationError("--tickets must be at least 1") }
            guard months > 0 else { throw ValidationError("--months must be at least 1") }
        }

        func run() async throws {
            let mapPath = try map ?? CLI.demoMapPath()
            let processMap = try CLI.loadMap(mapPath)
            let db = try await CLI.openDatabase(database)
            let organization = try await CLI.organization(in: db, mapPath: mapPath)
            let total = tickets
            let showProgress = CLI.isTerminal
            let started = ContinuousClock.now
            let summary = try await DemoData(map: processMap, database: db).generate(
                organizationID: organization.id, options: .init(tickets: tickets, accounts: accounts, months: months, seed: seed)
            ) { done in
                if showProgress { CLI.printProgress("generated \(done)/\(total) tickets") }
            }
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            if showProgress { CLI.printProgress(nil) }
            print("Generated \(summary.tickets) tickets with \(summary.events) events, \(summary.accounts) accounts and "
                + "\(summary.contacts) contacts in \(String(format: "%.2f", seconds)) s "
                + "(\(Int(Double(summary.tickets) / max(seconds, 0.001))) tickets/s) into \(db.location).")
            await db.close()
        }
    }
}

extension CLI {
    /// Rewrites one status line on the terminal; nil ends it.
    static func printProgress(_ text: String?) {
        FileHandle.standardError.write(Data((text.map { "\r\u{1B}[K" + $0 } ?? "\n").utf8))
    }
}

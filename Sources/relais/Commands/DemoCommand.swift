import ArgumentParser
import Foundation
import RelaisCore
import RelaisServer
import RelaisStore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Demo data.", subcommands: [Generate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generates accounts, contacts and tickets with months of realistic history, and optionally a knowledge base and a CMDB.")
        @Option(help: "How many tickets (0 for none).") var tickets = 10_000
        @Option(help: "How many knowledge articles, half French and half English.") var articles = 0
        @Option(help: "How many configuration items.") var items = 0
        @Option(help: "How many relations between the items (default: five per item).") var relations: Int?
        @Option(help: "How many accounts (default: one per 150 tickets).") var accounts: Int?
        @Option(help: "Months of history.") var months = 6
        @Option(help: "Seed: the same seed gives the same data.") var seed: UInt64 = 42
        @Option(help: "The map to follow (default: the bundled demo map).") var map: String?
        @Option(name: .long, help: "An SQLite file path, or a postgres:// URL.") var database = "relais-demo.sqlite"

        func validate() throws {
            guard tickets >= 0, articles >= 0, items >= 0, (relations ?? 0) >= 0 else { throw ValidationError("counts must not be negative") }
            guard tickets + articles + items > 0 else { throw ValidationError("nothing to generate: give --tickets, --articles or --items") }
            guard months > 0 else { throw ValidationError("--months must be at least 1") }
        }

        func run() async throws {
            let mapPath = try map ?? CLI.demoMapPath()
            let processMap = try CLI.loadMap(mapPath)
            let db = try await CLI.openDatabase(database)
            let organization = try await CLI.organization(in: db, mapPath: mapPath)
            if articles > 0 {
                let started = ContinuousClock.now
                try await DemoCatalogue(database: db).generateArticles(articles, organizationID: organization.id, seed: seed)
                print("Generated \(articles) articles in \(String(format: "%.2f", (ContinuousClock.now - started) / .seconds(1))) s.")
            }
            if items > 0 {
                let started = ContinuousClock.now
                let accountIDs = try await CRMRepository(database: db).accounts(organizationID: organization.id, limit: 200, after: nil).map(\.id)
                let made = try await DemoCatalogue(database: db).generateCMDB(
                    items: items, relations: relations ?? items * 5, accounts: accountIDs,
                    organizationID: organization.id, seed: seed)
                print(
                    "Generated \(made.items) configuration items and \(made.relations) relations in "
                        + "\(String(format: "%.2f", (ContinuousClock.now - started) / .seconds(1))) s.")
            }
            guard tickets > 0 else {
                await db.close()
                return
            }
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
            print(
                "Generated \(summary.tickets) tickets with \(summary.events) events, \(summary.accounts) accounts and "
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

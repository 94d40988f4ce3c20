import ArgumentParser
import Foundation
import RelaisCore
import RelaisStore

struct SLACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sla", abstract: "SLA clocks.", subcommands: [Reconcile.self])

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-evaluates stored SLAs against a map: open tickets whose policy or calendar changed, tickets without one.",
            discussion: "relais serve does the same when it starts; this runs it alone and says how long it took.")
        @Option(help: "The process map.") var map = "relais.map.yaml"
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try await CLI.openDatabase(database.database)
            let organization = try await CLI.organization(in: db, mapPath: map)
            let tickets = TicketService(map: try await CLI.mapInForce(map, database: db, organizationID: organization.id), database: db)
            let started = ContinuousClock.now
            do {
                let count = try await SLAService(tickets: tickets, database: db).reconcile()
                let seconds = (ContinuousClock.now - started) / .seconds(1)
                print("Re-evaluated the SLA of \(count) tickets in \(String(format: "%.2f", seconds)) s.")
            } catch let error as StoreError {
                CLI.printError("error: \(error)")
                await db.close()
                throw ExitCode(1)
            }
            await db.close()
        }
    }
}

import ArgumentParser
import Foundation
import RelaisCore
import RelaisProcess
import RelaisServer
import RelaisStore

struct CMDBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cmdb", abstract: "Configuration items: inventory import and impact analysis.",
        subcommands: [Import.self, Impact.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Imports items or relations from an inventory export (CSV with a header row, or a JSON array).",
            discussion: """
                items: upserted by external_id; type (one the map declares), name, status, owner_team,
                account_id or account_external_id; any other column becomes an attribute.
                relations: source, type, target (external ids of items), or source_id/target_id.
                Refused rows are listed as FILE:LINE: reason and the others applied. Exits with 2 when
                some rows were refused.
                """)
        @Argument(help: "What the file holds: items or relations.") var kind: String
        @Argument(help: "The file; .json is read as JSON, anything else as CSV.") var file: String
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let importKind = CMDBService.ImportKind(rawValue: kind) else {
                throw ValidationError("KIND must be items or relations, not '\(kind)'")
            }
            let parsed = try CLI.readImportFile(file)
            let report = try await CLI.withCMDB(mapPath: map.map, database: database.database) { cmdb, principal in
                try await cmdb.importRows(parsed.rows, kind: importKind, by: principal)
            }
            try CLI.finish(report, parsed: parsed, file: file, what: importKind.rawValue)
        }
    }

    struct Impact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What an incident on an item reaches: items, services and accounts, following the map's relations.")
        @Argument(help: "The item: its id or the inventory's external id.") var item: String
        @Option(help: "Stop this many relations away.") var depth: Int?
        @Option(help: "Impacted items listed (all are counted).") var limit: Int = 50
        @Flag(help: "Print the report as JSON.") var json = false
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let report = try await CLI.withCMDB(mapPath: map.map, database: database.database) { cmdb, principal in
                let id: UUID
                if let uuid = UUID(uuidString: item) {
                    id = uuid
                } else if let found = try await cmdb.repository.item(organizationID: principal.organizationID, externalID: item) {
                    id = found.id
                } else {
                    throw StoreError.notFound(what: "configuration item", id: item)
                }
                return try await cmdb.impact(of: id, maxDepth: depth, limit: limit, by: principal)
            }
            if json {
                print(Self.json(report))
                return
            }
            print("\(report.item.name) (\(report.item.type)) reaches \(report.impactedCount) item(s)")
            for entry in report.impacted {
                print(
                    "  \(String(repeating: "  ", count: max(0, entry.distance - 1)))\(entry.item.name) (\(entry.item.type)) — \(entry.relation), \(entry.distance) away"
                )
            }
            if report.impactedCount > report.impacted.count { print("  … and \(report.impactedCount - report.impacted.count) more") }
            print("services: " + (report.services.isEmpty ? "none" : report.services.map(\.item.name).joined(separator: ", ")))
            print(
                "accounts: " + (report.accounts.isEmpty ? "none" : report.accounts.map { "\($0.name) (\($0.items) item(s))" }.joined(separator: ", "))
            )
            if !report.openTickets.isEmpty { print("open tickets: " + report.openTickets.joined(separator: ", ")) }
        }

        static func json(_ report: ImpactReport) -> String {
            func item(_ item: ConfigItem) -> [String: Any] {
                var object: [String: Any] = ["id": item.id.text, "type": item.type, "name": item.name]
                object["external_id"] = item.externalID
                object["account_id"] = item.accountID?.text
                return object
            }
            func entry(_ entry: ImpactReport.Entry) -> [String: Any] {
                ["item": item(entry.item), "distance": entry.distance, "via": entry.via.text, "relation": entry.relation]
            }
            let object: [String: Any] = [
                "item": item(report.item), "impacted_count": report.impactedCount, "impacted": report.impacted.map(entry),
                "services": report.services.map(entry),
                "accounts": report.accounts.map { ["account_id": $0.accountID.text, "name": $0.name, "items": $0.items] },
                "open_tickets": report.openTickets,
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}

extension CLI {
    /// Runs `body` with the CMDB service of the map's organisation, acting as an administrator;
    /// refusals of the store end the command with their message.
    static func withCMDB<T: Sendable>(
        mapPath: String, database: String,
        _ body: (CMDBService, Principal) async throws -> T
    ) async throws -> T {
        try await asAdministrator(database: database, mapPath: mapPath) { db, principal in
            let map = try await mapInForce(mapPath, database: db, organizationID: principal.organizationID)
            return try await body(CMDBService(map: map, database: db, tickets: TicketService(map: map, database: db)), principal)
        }
    }
}

import ArgumentParser
import Foundation
import RelaisCore
import RelaisStore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The audit log: refusals (401, 403) and changes to users, tokens and integrations.",
        subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints the audit log oldest first, as text or as NDJSON (one JSON object a line, to export).")
        @Option(help: "Only this action, or those under it (token, webhook, access.refused ...).") var action: String?
        @Option(help: "Only entries at or after this instant (ISO 8601).") var since: String?
        @Option(help: "At most this many entries (all when not given).") var limit: Int?
        @Option(help: "text or ndjson.") var format = "text"
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard ["text", "ndjson"].contains(format) else { throw ValidationError("--format must be text or ndjson, not '\(format)'") }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            let start = try CLI.instant(since, "--since")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.dateEncodingStrategy = .custom { date, encoder in
                var container = encoder.singleValueContainer()
                try container.encode(CloudEvent.timestamp(date))
            }
            try await CLI.asAdministrator(database: database.database, mapPath: nil) { db, principal in
                let log = AuditLog(database: db)
                var cursor: UUID?, printed = 0
                while true {
                    let want = min(1_000, (limit ?? Int.max) - printed)
                    guard want > 0 else { break }
                    let page = try await log.entries(
                        organizationID: principal.organizationID, unattributed: true, action: action, since: start, limit: want, after: cursor)
                    for entry in page {
                        if format == "ndjson" {
                            print(String(decoding: try encoder.encode(entry), as: UTF8.self))
                        } else {
                            let target = entry.target.map { " \($0)" } ?? ""
                            let detail = entry.detail.isEmpty ? "" : "  (\(entry.detail))"
                            print(
                                "\(CloudEvent.timestamp(entry.occurredAt))  \(entry.outcome.rawValue)  \(entry.action)\(target)  by \(entry.actor)\(detail)"
                            )
                        }
                    }
                    printed += page.count
                    guard page.count == want, let last = page.last else { break }
                    cursor = last.id
                }
            }
        }
    }
}

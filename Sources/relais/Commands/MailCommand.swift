import ArgumentParser
import Foundation
import RelaisCore
import RelaisStore

struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail", abstract: "Mail intake: import saved messages, list and retry the quarantine.",
        subcommands: [Import.self, Quarantine.self, Retry.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Runs saved messages through intake: .eml files, mbox files, or Maildir folders (cur/ and new/).",
            discussion: """
                Each message opens a ticket for its mailbox, threads onto its ticket, or is quarantined
                with its reason; a message already received (same Message-ID) is counted once. Exits
                with 2 when some messages were quarantined.
                """)
        @Argument(help: "Files or folders.") var paths: [String]
        @Option(help: "Envelope recipient to assume (repeat for several), when the messages' own To and Cc do not name a mailbox.")
        var recipient: [String] = []
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            var messages: [(String, [UInt8])] = []
            for path in paths { messages += try Self.read(path) }
            let recipients = recipient
            let counts = try await CLI.asAdministrator(database: database.database, mapPath: map.map) { db, principal in
                let processMap = try await CLI.mapInForce(map.map, database: db, organizationID: principal.organizationID)
                let intake = MailIntake(map: processMap, database: db, tickets: TicketService(map: processMap, database: db))
                var counts: [String: Int] = [:]
                for (name, raw) in messages {
                    let outcome = try await intake.receive(raw, recipients: recipients, organizationID: principal.organizationID)
                    switch outcome {
                    case .opened: counts["opened", default: 0] += 1
                    case .commented: counts["commented", default: 0] += 1
                    case .bounce: counts["bounces", default: 0] += 1
                    case .duplicate: counts["already received", default: 0] += 1
                    case let .quarantined(_, reason):
                        counts["quarantined", default: 0] += 1
                        CLI.printError("\(name): quarantined: \(reason)")
                    }
                }
                return counts
            }
            let order = ["opened", "commented", "bounces", "already received", "quarantined"]
            print("\(messages.count) messages: " + order.map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", "))
            if (counts["quarantined"] ?? 0) > 0 { throw ExitCode(2) }
        }

        /// The messages at `path`, each named for error messages.
        static func read(_ path: String) throws -> [(String, [UInt8])] {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ValidationError("\(path): no such file or folder")
            }
            if isFolder.boolValue {
                var found: [(String, [UInt8])] = []
                for sub in ["new", "cur"] {
                    let folder = (path as NSString).appendingPathComponent(sub)
                    let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
                    for name in names {
                        let file = (folder as NSString).appendingPathComponent(name)
                        found.append((file, Array(try Data(contentsOf: URL(fileURLWithPath: file)))))
                    }
                }
                if found.isEmpty {
                    throw ValidationError("\(path): a Maildir folder holds its messages in new/ and cur/, and these are empty or missing")
                }
                return found
            }
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            if bytes.starts(with: Array("From ".utf8)) {
                return MailboxFile.mbox(bytes).enumerated().map { ("\(path)#\($0.offset + 1)", $0.element) }
            }
            return [(path, bytes)]
        }
    }

    struct Quarantine: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the messages held in the quarantine, newest first.")
        @Option(help: "Messages listed.") var limit = 50
        @Option(help: "The map whose organisation to act for (needed only when several are stored).") var map: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let entries = try await CLI.asAdministrator(database: database.database, mapPath: map) { db, principal in
                try await MailIntake.quarantined(in: db, organizationID: principal.organizationID, limit: limit, before: nil)
            }
            for entry in entries {
                print("\(entry.id.text)  \(CloudEvent.timestamp(entry.receivedAt))  \(entry.size) bytes  \(entry.attempts) tries  \(entry.reason)")
            }
            if entries.isEmpty { print("The quarantine is empty.") }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Runs a quarantined message through intake again.")
        @Argument var id: String
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let uuid = try CLI.uuid(id, "ID")
            let outcome = try await CLI.asAdministrator(database: database.database, mapPath: map.map) { db, principal in
                let processMap = try await CLI.mapInForce(map.map, database: db, organizationID: principal.organizationID)
                return try await MailIntake(map: processMap, database: db, tickets: TicketService(map: processMap, database: db))
                    .retry(uuid, organizationID: principal.organizationID)
            }
            switch outcome {
            case let .opened(key): print("Opened \(key).")
            case let .commented(key): print("Added to \(key).")
            case .bounce: print("Recorded as a delivery report.")
            case .duplicate: print("Already received.")
            case let .quarantined(_, reason):
                CLI.printError("still quarantined: \(reason)")
                throw ExitCode(2)
            }
        }
    }
}

import ArgumentParser
import Foundation
import RelaisCore
import RelaisIntegrations
import RelaisMap
import RelaisProcess
import RelaisStore

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Brings tickets in from the other ticketing tools the organisation keeps.",
        subcommands: [ServiceNow.self, Jira.self, Zendesk.self, Freshservice.self, Generic.self, Duplicates.self])

    struct ServiceNow: PeerFileImport {
        static let configuration = CommandConfiguration(
            commandName: "servicenow",
            abstract: "Imports incidents exported from ServiceNow's Table API (a JSON object with 'result', or a list of records).",
            discussion: """
                Local values (state, impact, urgency, priority, category, subcategory, assignment_group, contact_type)
                go through the map's referential.mappings for source 'servicenow'; a record whose family or status no
                mapping gives is reported and skipped, and every local value no mapping covers is listed with its count.
                Records are upserted by sys_id: running the same import again creates nothing and changes only what
                changed. Refused records are listed as FILE: record N: reason. Exits with 2 when some were skipped.
                """)
        @Argument(help: "The exported file.") var file: String
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        static let tool: any PeerTool.Type = ServiceNowRecords.self
    }

    struct Jira: PeerFileImport {
        static let configuration = CommandConfiguration(
            commandName: "jira",
            abstract: "Imports Jira issues as the REST API v3 gives them (a search answer with 'issues', expand=changelog, or a list of issues).",
            discussion: """
                Local values (issuetype, status, statusCategory, priority, project, labels) go through the map's
                referential.mappings for source 'jira'; the changelog's status moves become the ticket's history at
                Jira's times, and descriptions in Atlassian Document Format become plain text. Issues are upserted by key.
                """)
        @Argument(help: "The exported file.") var file: String
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        static let tool: any PeerTool.Type = JiraIssues.self
    }

    struct Zendesk: PeerFileImport {
        static let configuration = CommandConfiguration(
            commandName: "zendesk", abstract: "Imports Zendesk tickets (an incremental export page with 'tickets', or a list of tickets).",
            discussion: "Local values: status, type, priority, channel (via.channel), group_id. Tickets are upserted by id.")
        @Argument(help: "The exported file.") var file: String
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        static let tool: any PeerTool.Type = ZendeskTickets.self
    }

    struct Freshservice: PeerFileImport {
        static let configuration = CommandConfiguration(
            commandName: "freshservice", abstract: "Imports Freshservice tickets (an API v2 answer with 'tickets', or a list of tickets).",
            discussion: "Local values: status, priority, urgency, impact, source, type, category, group_id (numbers as text). Upserted by id.")
        @Argument(help: "The exported file.") var file: String
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        static let tool: any PeerTool.Type = FreshserviceTickets.self
    }

    struct Duplicates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "duplicates",
            abstract: "Lists requests entered twice: tickets from two tools (Relais counts as one), close in time, with similar subjects.",
            discussion: "Tickets tied to two different accounts or requesters are never paired. Pairs are counted per pair of tools.")
        @Option(help: "Days back from now to look at.") var days = 30
        @Option(help: "Hours within which two entries count as the same request.") var windowHours = 24
        @Option(help: "Share of subject words two entries must have in common, 0 to 1.") var similarity = 0.6
        @Option(help: "The map naming the organisation (default: the only one stored).") var map: String?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard days > 0 else { throw ValidationError("--days must be at least 1") }
            guard windowHours > 0 else { throw ValidationError("--window-hours must be at least 1") }
            guard (0...1).contains(similarity), similarity > 0 else { throw ValidationError("--similarity must be above 0 and at most 1") }
        }

        func run() async throws {
            let db = try await CLI.openDatabase(database.database)
            defer { Task { await db.close() } }
            let organization = try await CLI.organization(in: db, mapPath: map)
            let now = Date()
            let pairs = try await DoubleEntries(database: db).pairs(
                organizationID: organization.id, from: now.addingTimeInterval(-Double(days) * 86_400), to: now,
                window: Double(windowHours) * 3_600, threshold: similarity)
            let byTools = Dictionary(grouping: pairs, by: \.tools)
            print("\(pairs.count) request\(pairs.count == 1 ? "" : "s") entered twice in the last \(days) days")
            for tools in byTools.keys.sorted() {
                print("\(tools): \(byTools[tools]!.count)")
                for pair in byTools[tools]! {
                    print(
                        "  \(pair.first.key) (\(pair.first.source)) ~ \(pair.second.key) (\(pair.second.source)), \(Int(pair.similarity * 100)) %: \(pair.second.title)"
                    )
                }
            }
        }
    }

    /// Reads `file` with a tool's reader and imports it.
    static func run(_ file: String, tool: any PeerTool.Type, map: String, database: String) async throws {
        try await run(file, reader: tool.read, fields: tool.referentialFields, source: tool.source, map: map, database: database)
    }

    static func run(
        _ file: String, reader: (Data) throws -> [PeerInput], fields: [String], source: String, map: String, database: String
    ) async throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            CLI.printError("error: cannot read \(file): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        let inputs: [PeerInput]
        do {
            inputs = try reader(data)
        } catch let problem as PeerRecordProblem {
            CLI.printError("error: \(file): \(problem.reason)")
            throw ExitCode(1)
        }
        try await run(inputs, fields: fields, source: source, file: file, map: map, database: database)
    }

    struct Generic: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "csv",
            abstract: "Imports tickets another tool exported as CSV (a header row) or a JSON list of objects, read through a mapping file.",
            discussion: """
                The mapping file names the tool (the source of the map's referential.mappings), the columns of the
                id, title, description and times, and the columns of local values:
                  source: legacy-desk
                  columns: { id: Ticket ID, title: Subject, description: Body, created_at: Created, updated_at: Updated }
                  values: { status: Status, type: Type, group: Group }
                Records are upserted by source and id; skipped rows are listed as FILE: line N: reason.
                """)
        @Argument(help: "The exported file; .json is read as JSON, anything else as CSV.") var file: String
        @Option(help: "The mapping file (YAML).") var mapping: String
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let text = try? String(contentsOfFile: mapping, encoding: .utf8) else {
                CLI.printError("error: cannot read the mapping file \(mapping)")
                throw ExitCode(1)
            }
            let columns: ColumnMapping
            do {
                columns = try ColumnMappingLoader.load(yaml: text, file: mapping)
            } catch let error as MapValidationError {
                for problem in error.problems { CLI.printError(problem.description) }
                throw ExitCode(1)
            }
            let parsed = try CLI.readImportFile(file)
            let unit = file.lowercased().hasSuffix(".json") ? "record" : "line"
            var inputs = parsed.rejected.map { rejection in
                let position = "\(unit) \(rejection.line)"
                return PeerInput(position: position, record: .failure(PeerRecordProblem(position: position, reason: rejection.reason)))
            }
            for row in parsed.rows {
                let position = "\(unit) \(row.line)"
                inputs.append(
                    PeerInput(
                        position: position, record: columns.record(row.values).mapError { PeerRecordProblem(position: position, reason: $0.text) }))
            }
            try await ImportCommand.run(
                inputs, fields: columns.values.keys.sorted(), source: columns.source, file: file, map: map.map, database: database.database)
        }
    }

    /// Imports `inputs` into the organisation of the map running on the database, and prints the report.
    static func run(_ inputs: [PeerInput], fields: [String], source: String, file: String, map path: String, database url: String) async throws {
        let report = try await CLI.withMapInForce(path, database: url) { db, organization, running in
            let showProgress = CLI.isTerminal, total = inputs.count
            return try await PeerImporter(database: db, map: running).run(inputs, fields: fields, organizationID: organization.id) { done in
                if showProgress { CLI.printProgress("imported \(done)/\(total) records") }
            }
        }
        printReport(report, source: source, origin: file)
        if !report.skipped.isEmpty { throw ExitCode(2) }
    }

    /// Prints what an import did: the records skipped (`origin: position: reason`), the counts, and
    /// the local values no mapping covers.
    static func printReport(_ report: PeerImporter.Report, source: String, origin: String) {
        for problem in report.skipped { CLI.printError("\(origin): \(problem)") }
        print(
            "\(source): \(report.received) records: \(report.created) created, \(report.updated) updated, "
                + "\(report.unchanged) unchanged, \(report.skipped.count) skipped")
        if !report.uncovered.isEmpty {
            print("Local values no mapping covers (add them to referential.mappings, source '\(source)'):")
            for field in report.uncovered.keys.sorted() {
                for (value, count) in report.uncovered[field]!.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
                    print("  \(field)=\(value): \(count) record\(count == 1 ? "" : "s")")
                }
            }
        }
    }
}

/// An import of one tool's export file: the file, the map, the database.
protocol PeerFileImport: AsyncParsableCommand {
    static var tool: any PeerTool.Type { get }
    var file: String { get }
    var map: MapOptions { get }
    var database: DatabaseOptions { get }
}

extension PeerFileImport {
    func run() async throws {
        try await ImportCommand.run(file, tool: Self.tool, map: map.map, database: database.database)
    }
}

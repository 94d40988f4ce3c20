import ArgumentParser
import Foundation
import RelaisCore
import RelaisMining
import RelaisProcess
import RelaisStore

struct MineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mine",
        abstract: "Mines an event log (XES, XES.gz, CSV, or Relais's own with --store): graph, variants, friction, conformance.",
        discussion: """
            Events of a case are put in time order; events at the same time keep the order of the file.
            CSV columns default to pm4py's names (case:concept:name, concept:name, time:timestamp, org:resource);
            timestamps are ISO 8601 unless --timestamp-format gives a Unicode pattern such as 'dd/MM/yyyy HH:mm'.
            Rows without a case, an activity or a readable timestamp are reported with their line and left out.
            """)

    @Argument(help: "The log file (.xes, .xes.gz, .csv); omit with --store.") var file: String?
    @Flag(help: "Mine Relais's own ticket history instead of a file.") var store = false
    @OptionGroup(title: "Relais's own log (with --store)") var own: OwnLogOptions
    @Option(help: "xes, csv or ocel (OCEL 2.0 JSON); by default from the file's name.") var format: String?
    @Option(help: "OCEL: the object type whose objects are the cases.") var objectType: String?

    @Option(name: .customLong("case"), help: "CSV column of the case id.") var caseColumn: String?
    @Option(name: .customLong("activity"), help: "CSV column (or XES key) of the activity.") var activityColumn: String?
    @Option(name: .customLong("timestamp"), help: "CSV column (or XES key) of the time.") var timestampColumn: String?
    @Option(name: .customLong("resource"), help: "CSV column (or XES key) of who did it.") var resourceColumn: String?
    @Option(name: .customLong("group"), help: "CSV column (or XES key) of the team or group.") var groupColumn: String?
    @Option(help: "Unicode date pattern of the CSV timestamps.") var timestampFormat: String?
    @Option(help: "CSV delimiter (one character); detected by default.") var delimiter: String?

    @Option(help: "Keep the cases started at or after this date or instant (ISO 8601).") var from: String?
    @Option(help: "Keep the cases started before this date or instant (ISO 8601).") var to: String?
    @Option(name: .customLong("where"), help: "Keep the cases with an attribute KEY=VALUE[,VALUE…]; repeatable.") var filters: [String] = []
    @Option(help: "With --store: a team that held the ticket (repeatable).") var team: [String] = []
    @Option(help: "With --store: a CRM account id.") var account: String?
    @Option(help: "Keep the commonest variants covering this percentage of cases.") var topVariants: Double?
    @Option(help: "List only this many variants, the commonest first.") var variants: Int?
    @Option(help: "Hold the cases against this workflow of the map (--map, or the demo map with --demo).") var workflow: String?

    @Flag(help: "Print the report as JSON on standard output.") var json = false
    @Option(help: "Write the graph as SVG (needs Graphviz).") var svg: String?
    @Option(help: "Write the graph as DOT.") var dot: String?
    @Option(help: "Write a self-contained HTML report.") var html: String?
    @Option(help: "Colour the graph by frequency or waiting.") var colour = "frequency"

    func run() async throws {
        guard let colouring = ProcessGraphDOT.Colouring(rawValue: colour) else {
            throw ValidationError("--colour must be frequency or waiting")
        }
        let report: MiningReport
        do {
            report = store ? try await mineStore() : try mineFile()
        } catch let error as EventLogError {
            CLI.printError("error: \(error)")
            throw ExitCode(1)
        }
        let title = store ? "Relais tickets" : URL(fileURLWithPath: file ?? "log").lastPathComponent
        try await MiningOutput(report: report, title: title, colouring: colouring).write(json: json, svg: svg, dot: dot, html: html)
    }

    /// The options shared by files and the store; `--workflow` is looked up in `map`.
    private func options(map: () throws -> ProcessMap) throws -> ProcessMiner.Options {
        var options = ProcessMiner.Options()
        options.startedFrom = try from.map { try instant($0, option: "--from") }
        options.startedBefore = try to.map { try instant($0, option: "--to") }
        options.attributes = try filters.map(AttributeFilter.init(parsing:))
        options.variantCoverage = topVariants.map { $0 / 100 }
        options.variantLimit = variants
        if let workflow {
            guard own.map != nil || own.demo else { throw ValidationError("--workflow needs --map or --demo") }
            let loaded = try map()
            guard let declared = loaded.workflows[workflow] else {
                throw ValidationError(
                    "--workflow: the map has no workflow '\(workflow)'; it has \(loaded.workflows.keys.sorted().joined(separator: ", "))")
            }
            options.workflow = declared
        }
        return options
    }

    private func mineFile() throws -> MiningReport {
        guard let file else { throw ValidationError("give a log file, or --store for Relais's own log") }
        guard own.family.isEmpty, team.isEmpty, account == nil else {
            throw ValidationError("--family, --team and --account choose tickets with --store; for a file use --where KEY=VALUE")
        }
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw ValidationError("\(file): no such readable file")
        }
        guard delimiter == nil || delimiter!.utf8.count == 1 else { throw ValidationError("--delimiter must be one character") }
        let kind = try format.map { name in
            guard let kind = EventLogFormat(rawValue: name) else { throw ValidationError("--format must be xes, csv or ocel") }
            return kind
        }
        let source = try GzipBytes.inflating(FileBytes(path: file), name: file)
        if objectType == nil, try (kind ?? EventLogFormat.detect(source)) == .ocel {
            throw ValidationError("an OCEL log is mined per object type: pass --object-type TYPE")
        }
        let reading = EventLogReading(
            names: LogFieldNames(
                caseID: caseColumn, activity: activityColumn, timestamp: timestampColumn, resource: resourceColumn, group: groupColumn),
            timestampFormat: timestampFormat, delimiter: delimiter?.utf8.first, objectType: objectType)
        return try ProcessMiner.mine(reading.log(source, format: kind), options: options(map: own.loadMap))
    }

    private func mineStore() async throws -> MiningReport {
        guard file == nil else { throw ValidationError("give a log file or --store, not both") }
        let accountID = try account.map { text in
            guard let id = UUID(uuidString: text) else { throw ValidationError("--account: '\(text)' is not an account id") }
            return id
        }
        return try await own.withService({ request in
            request.selection.accountID = accountID
            request.teams = team
        }) { service, request, principal in
            try await service.mine(request, options: options { service.map }, by: principal)
        }.result
    }

    /// A date (`2024-01-31`, midnight UTC) or an instant in ISO 8601.
    private func instant(_ text: String, option: String) throws -> Int64 {
        guard let value = TimestampParser().parse(text) else {
            throw ValidationError("\(option): '\(text)' is not an ISO 8601 date or instant")
        }
        return value
    }
}

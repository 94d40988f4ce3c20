import ArgumentParser
import Foundation
import RelaisCore
import RelaisServer
import RelaisStore

/// Options every command on map versions shares: the database, and who acts.
struct MapVersionOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Act as this user of the organisation (their role decides what they may do); the command line acts as an administrator otherwise.")
    var user: String?
}

extension CLI {
    /// Runs `body` with the organisation's map versions and the actor; map refusals print their
    /// reason (and a text's problems as relais.map.yaml:LINE:COLUMN) and exit 1.
    /// `bootstrap`: a map file whose organisation is created when the database holds none yet.
    static func withMapVersions(
        _ options: MapVersionOptions, file: String = "relais.map.yaml", bootstrap: String? = nil,
        _ body: (MapVersions, UUID, MapActor) async throws -> Void
    ) async throws {
        var mapPath: String?
        if let bootstrap {
            let db = try await openDatabase(options.database.database)
            let empty = (try? await DirectoryRepository(database: db).organizations().isEmpty) ?? false
            await db.close()
            mapPath = empty ? bootstrap : nil
        }
        do {
            try await asAdministrator(database: options.database.database, mapPath: mapPath) { db, principal in
                var actor = MapActor.commandLine
                if let name = options.user {
                    guard let user = try await DirectoryRepository(database: db).user(organizationID: principal.organizationID, name: name) else {
                        printError("error: no user '\(name)' in this organisation")
                        throw ExitCode(1)
                    }
                    actor = MapActor(user)
                }
                try await body(MapVersions(database: db, reader: MapText.reader(file: file)), principal.organizationID, actor)
            }
        } catch let error as MapChangeError {
            if case let .invalid(_, problems) = error { problems.forEach { printError(describe($0)) } }
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// A problem of a stored map text, as `relais map check` writes problems.
    static func describe(_ problem: MapVersion.Problem) -> String { "relais.map.yaml:\(problem.line):\(problem.column): \(problem.message)" }

    static func describe(_ version: MapVersion) -> String {
        var line =
            "version \(version.number)  \(version.state.rawValue)  \(CloudEvent.timestamp(version.createdAt))  by \(version.author)  \(version.message)"
        if let base = version.baseNumber { line += "  (against \(base))" }
        if let rolled = version.rollbackOf { line += "  (text of \(rolled))" }
        if !version.sections.isEmpty { line += "  [\(version.sections.map(\.rawValue).joined(separator: ", "))]" }
        return line
    }

    static func describe(_ impact: MapImpact) -> [String] {
        var lines: [String] = []
        for removed in impact.removedStatuses {
            lines.append(
                "  \(removed.family): \(removed.tickets) tickets in '\(removed.status)', which goes: "
                    + (removed.movedTo.map { "moved to '\($0)'" } ?? "REFUSED, no move declared"))
        }
        for change in impact.categoryChanges {
            lines.append(
                "  \(change.family): '\(change.status)' counts as \(change.to.rawValue) instead of \(change.from.rawValue) (\(change.tickets) tickets)"
            )
        }
        for family in impact.removedFamilies { lines.append("  \(family.family): removed with \(family.tickets) tickets: REFUSED") }
        for code in impact.calendarsChanged { lines.append("  SLA \(code): its calendar changes; every deadline on it moves") }
        for target in impact.slaTargets {
            func text(_ seconds: Int?) -> String { seconds.map { "\($0 / 60) min" } ?? "none" }
            lines.append(
                "  SLA \(target.policy) \(target.priority) \(target.metric): \(text(target.from)) -> \(text(target.to)) (\(target.openTickets) open tickets)"
            )
        }
        if impact.routingSampled > 0 {
            lines.append("  routing: \(impact.routingChanged) of \(impact.routingSampled) recent open tickets would be routed differently")
            for example in impact.rerouted.prefix(5) {
                let changed = Set(example.before.keys).union(example.after.keys).sorted().filter { example.before[$0] != example.after[$0] }
                lines.append(
                    "    \(example.ticket): "
                        + changed.map { "\($0) \(example.before[$0] ?? "-") -> \(example.after[$0] ?? "-")" }.joined(separator: ", "))
            }
        }
        for mapping in impact.mappings {
            let match = mapping.match.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            lines.append(
                "  mapping \(mapping.source) \(match): "
                    + (mapping.now.isEmpty
                        ? "no longer covered"
                        : "now \(mapping.now.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))"))
        }
        for problem in impact.problems { lines.append("  problem: \(problem)") }
        return lines.isEmpty ? ["  no stored ticket is affected"] : lines
    }

    static func moves(_ texts: [String]) throws -> [StatusMove] {
        try texts.map { text in
            guard let move = StatusMove(text) else { throw ValidationError("--move must be FAMILY:FROM=TO, not '\(text)'") }
            return move
        }
    }
}

extension MapCommand {
    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the map's versions, newest first: proposals, decisions and those that ran.")
        @Option(help: "Only versions in this state: proposed, approved, rejected, applied.") var state: String?
        @Option(help: "At most this many.") var limit = 50
        @OptionGroup var options: MapVersionOptions

        func run() async throws {
            let filter = try state.map { text in
                guard let state = MapVersion.State(rawValue: text) else {
                    throw ValidationError("--state must be proposed, approved, rejected or applied")
                }
                return state
            }
            guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
            try await CLI.withMapVersions(options) { versions, organization, _ in
                let running = try await versions.runningNumber(organizationID: organization)
                for version in try await versions.list(organizationID: organization, state: filter, limit: limit) {
                    print((version.number == running ? "* " : "  ") + CLI.describe(version))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Shows a version: who proposed and decided it, its problems, and what applying it would do now.")
        @Argument(help: "The version's number.") var number: Int
        @Flag(help: "Print the map's text only.") var text = false
        @OptionGroup var options: MapVersionOptions

        func run() async throws {
            try await CLI.withMapVersions(options) { versions, organization, _ in
                let version = try await versions.version(organizationID: organization, number: number)
                if text { return print(version.text, terminator: version.text.hasSuffix("\n") ? "" : "\n") }
                print(CLI.describe(version))
                if let decided = version.decidedBy { print("decided by \(decided)" + (version.decisionNote.map { ": \($0)" } ?? "")) }
                if let applied = version.appliedBy { print("applied by \(applied)") }
                for move in version.moves { print("move \(move.description)") }
                version.problems.forEach { print(CLI.describe($0)) }
                if version.state == .proposed || version.state == .approved {
                    print("if applied now:")
                    CLI.describe(try await versions.impact(of: version)).forEach { print($0) }
                }
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Shows what a version or a map file changes against the running version (or --against N), as a unified diff.")
        @Argument(help: "A version's number, or a map file.") var target: String
        @Option(help: "The version to compare with (the running one by default).") var against: Int?
        @OptionGroup var options: MapVersionOptions

        func run() async throws {
            try await CLI.withMapVersions(options) { versions, organization, _ in
                let base: MapVersion
                if let against {
                    base = try await versions.version(organizationID: organization, number: against)
                } else {
                    guard let running = try await versions.running(organizationID: organization) else {
                        CLI.printError("error: the organisation runs no map yet")
                        throw ExitCode(1)
                    }
                    base = running.version
                }
                let text: String, name: String, map: ProcessMap?
                if let number = Int(target) {
                    let version = try await versions.version(organizationID: organization, number: number)
                    (text, name, map) = (version.text, "version \(number)", try? versions.map(of: version))
                } else {
                    guard let data = FileManager.default.contents(atPath: target), let read = String(data: data, encoding: .utf8) else {
                        CLI.printError("error: cannot read \(target)")
                        throw ExitCode(1)
                    }
                    (text, name) = (read, target)
                    if case let .success(new) = MapText.reader(file: target)(text, nil) { map = new.map } else { map = nil }
                }
                if let map, let old = try? versions.map(of: base) {
                    let change = MapChange(from: old, to: map)
                    print("sections changed: \(change.sections.isEmpty ? "none" : change.sections.sorted().map(\.rawValue).joined(separator: ", "))")
                }
                print(LineDiff.unified(base.text, text, oldName: "version \(base.number)", newName: name), terminator: "")
            }
        }
    }

    struct Propose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Proposes a map file as the next version; prints what applying it would do.")
        @Argument(help: "The map file.") var file: String
        @Option(name: [.short, .customLong("message")], help: "What the change is for.") var message: String
        @Option(help: "Where tickets of a removed status go: FAMILY:FROM=TO (repeatable).") var move: [String] = []
        @OptionGroup var options: MapVersionOptions

        func run() async throws {
            guard !message.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--message must say what the change is for") }
            let moves = try CLI.moves(move)
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                CLI.printError("error: cannot read \(file)")
                throw ExitCode(1)
            }
            try await CLI.withMapVersions(options, file: file, bootstrap: file) { versions, organization, actor in
                if try await versions.runningNumber(organizationID: organization) == nil {
                    let first = try await versions.start(organizationID: organization, text: text, by: actor)
                    print("the organisation ran no map yet: \(file) is version \(first.version.number), running")
                    return
                }
                let version = try await versions.propose(organizationID: organization, text: text, message: message, moves: moves, by: actor)
                print("proposed: " + CLI.describe(version))
                print("if applied now:")
                CLI.describe(try await versions.impact(of: version)).forEach { print($0) }
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approves a proposal.")
        @Argument(help: "The version's number.") var number: Int
        @Option(help: "A note kept with the decision.") var note: String?
        @OptionGroup var options: MapVersionOptions

        func run() async throws {
            try await CLI.withMapVersions(options) { versions, organization, actor in
                print("approved: " + CLI.describe(try await versions.approve(organizationID: organization, number: number, note: note, by: actor)))
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuses a proposal, or an approved version not yet applied.")
        @Argument(help: "The version's number.") var number: Int
        @Option(help: "A note kept with the decision.") var note: String?
        @OptionGroup var options: MapVersionOptions

        func run() async throws {
            try await CLI.withMapVersions(options) { versions, organization, actor in
                print("rejected: " + CLI.describe(try await versions.reject(organizationID: organization, number: number, note: note, by: actor)))
            }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Makes an approved version the running one; `relais serve` processes on the database switch to it within seconds.")
        @Argument(help: "The version's number.") var number: Int
        @OptionGroup var options: MapVersionOptions

        func run() async throws {
            try await CLI.withMapVersions(options) { versions, organization, actor in
                print("running: " + CLI.describe(try await versions.apply(organizationID: organization, number: number, by: actor)))
            }
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Runs again the text of a version that ran before, as a new version.")
        @Argument(help: "The number of the version to go back to.") var number: Int
        @Option(name: [.short, .customLong("message")], help: "Why.") var message: String?
        @Option(help: "Where tickets of a removed status go: FAMILY:FROM=TO (repeatable).") var move: [String] = []
        @OptionGroup var options: MapVersionOptions

        func run() async throws {
            let moves = try CLI.moves(move)
            try await CLI.withMapVersions(options) { versions, organization, actor in
                print(
                    "running: "
                        + CLI.describe(
                            try await versions.rollback(organizationID: organization, to: number, message: message, moves: moves, by: actor)))
            }
        }
    }
}

import ArgumentParser
import Foundation
import RelaisCore
import RelaisMap
import RelaisProcess

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map", abstract: "Checks and draws process maps; proposes, reviews, applies and rolls back the versions an organisation runs.",
        subcommands: [
            Check.self, Render.self, Calendar.self, Versions.self, Show.self, Diff.self, Propose.self, Approve.self, Reject.self,
            Apply.self, Rollback.self,
        ])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validates a map: prints every problem as file:line:column: message, or a summary.")

        @Argument(help: "The map file.") var file: String
        @Option(help: "Language of the labels in the summary.") var language = "en"

        func run() throws {
            do {
                let map = try MapLoader.load(contentsOf: file)
                print(MapSummary.render(map, file: file, language: language))
            } catch let error as MapValidationError {
                CLI.printError(error.description)
                CLI.printError("\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s") in \(file)")
                throw ExitCode(1)
            }
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Draws a map: per family who opens it, through which channels, the teams and levels that handle it, its CRM links and its workflow.")

        @Argument(help: "The map file.") var file: String
        @Option(help: "svg or dot.") var format = "svg"
        @Option(help: "The file to write; standard output by default.") var output: String?
        @Option(help: "Language of the labels.") var language = "en"

        func run() async throws {
            guard format == "svg" || format == "dot" else { throw ValidationError("--format must be svg or dot") }
            let dot = MapDiagram.dot(try CLI.loadMap(file), language: language)
            var text = dot
            if format == "svg" {
                do {
                    text = try await Graphviz.svg(dot)
                } catch let failure as Graphviz.Failure {
                    // Still useful without Graphviz: the DOT is written where the SVG would have gone.
                    let target = output.map { $0.hasSuffix(".svg") ? String($0.dropLast(4)) + ".dot" : $0 + ".dot" }
                    CLI.printError("warning: \(failure); DOT written instead\(target.map { " to \($0)" } ?? ""): render it with `dot -Tsvg`")
                    try CLI.write(dot, to: target)
                    return
                }
            }
            try CLI.write(text, to: output)
        }
    }

    struct Calendar: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Business-time arithmetic on a calendar of a map, for checking it against other tools.",
            discussion: """
                Reads lines from standard input and answers each on standard output:
                  elapsed START END   business seconds between two instants (seconds since 1970, UTC)
                  add START SECONDS   the first instant (seconds since 1970, UTC) at which SECONDS of
                                      business time have passed since START
                """)

        @Argument(help: "The map file.") var file: String
        @Argument(help: "The calendar's code in the map.") var calendar: String

        func run() throws {
            let map = try CLI.loadMap(file)
            guard let definition = map.calendars[calendar], let timeline = definition.timeline() else {
                CLI.printError("error: \(file) has no calendar '\(calendar)'; it has \(map.calendars.keys.sorted().joined(separator: ", "))")
                throw ExitCode(1)
            }
            var number = 0
            while let line = readLine() {
                number += 1
                let parts = line.split(separator: " ")
                guard parts.count == 3, let first = Int64(parts[1]), let second = Int64(parts[2]) else {
                    CLI.printError("error: line \(number): expected 'elapsed START END' or 'add START SECONDS', got '\(line)'")
                    throw ExitCode(1)
                }
                switch parts[0] {
                case "elapsed":
                    print(timeline.elapsed(from: first * 1000, to: second * 1000) / 1000)
                case "add":
                    guard let due = timeline.adding(second * 1000, to: first * 1000) else {
                        CLI.printError("error: line \(number): the deadline falls beyond 2099")
                        throw ExitCode(1)
                    }
                    print(due / 1000)
                default:
                    CLI.printError("error: line \(number): unknown operation '\(parts[0])'; expected elapsed or add")
                    throw ExitCode(1)
                }
            }
        }
    }
}

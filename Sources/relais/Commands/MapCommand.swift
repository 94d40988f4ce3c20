import ArgumentParser
import Foundation
import RelaisCore
import RelaisMap

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map", abstract: "Checks process maps.", subcommands: [Check.self, Calendar.self])

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

import ArgumentParser
import Foundation
import RelaisMap

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map", abstract: "Checks process maps.", subcommands: [Check.self])

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
}

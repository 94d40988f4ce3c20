import ArgumentParser
import Foundation
import RelaisCore
import RelaisMining
import RelaisServer
import RelaisStore

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Relais's own event log, for other mining tools.", subcommands: [Export.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Writes the tickets' history as XES or CSV (pm4py, ProM, Disco read both).")

        @OptionGroup var log: OwnLogOptions
        @Option(help: "xes or csv.") var format = "xes"
        @Option(help: "The file to write; standard output by default.") var output: String?

        func run() async throws {
            guard format == "xes" || format == "csv" else { throw ValidationError("--format must be xes or csv") }
            let (events, name) = try await log.withService { service, request, principal in try await service.events(request, by: principal) }
            let text = format == "xes" ? EventLogWriter.xes(events, logName: name) : EventLogWriter.csv(events)
            try CLI.write(text, to: output)
            if let output { CLI.printError("wrote \(events.count) events to \(output)") }
        }
    }
}

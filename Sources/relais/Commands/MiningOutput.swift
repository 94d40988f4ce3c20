import ArgumentParser
import Foundation
import RelaisMining
import RelaisProcess

/// Where `relais mine` puts what it found: JSON on standard output, a picture, a report, or a
/// short summary for people when nothing else was asked.
struct MiningOutput {
    let report: MiningReport
    let title: String
    let colouring: ProcessGraphDOT.Colouring

    func write(json: Bool, svg: String?, dot: String?, html: String?) async throws {
        let graph = ProcessGraphDOT.render(report, colouring: colouring, title: title)
        if let dot { try save(graph, to: dot) }
        var drawn: String?
        if svg != nil || html != nil {
            do {
                drawn = try await Graphviz.svg(graph)
            } catch let failure as Graphviz.Failure {
                CLI.printError("warning: \(failure); the graph is written as DOT instead (render it with: dot -Tsvg FILE.dot)")
                if let svg {
                    let fallback = svg.hasSuffix(".svg") ? String(svg.dropLast(4)) + ".dot" : svg + ".dot"
                    try save(graph, to: fallback)
                }
            }
        }
        if let svg, let drawn { try save(drawn, to: svg) }
        if let html { try save(MiningHTMLReport.render(report, title: title, graphSVG: drawn, graphDOT: graph), to: html) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(report))
            FileHandle.standardOutput.write(Data("\n".utf8))
        } else if svg == nil && dot == nil && html == nil {
            print(summary)
        }
        if report.diagnostics.skippedCount > 0 {
            CLI.printError("warning: \(report.diagnostics.skippedCount) events could not be read; see diagnostics in --json or --html")
            for skipped in report.diagnostics.skipped {
                CLI.printError(
                    "  \(skipped.count) without \(skipped.field), lines \(skipped.lines.prefix(10).map(String.init).joined(separator: ", "))\(skipped.count > 10 ? ", …" : "")"
                )
            }
            for unreadable in report.diagnostics.unreadableTimestamps.prefix(10) {
                CLI.printError("  line \(unreadable.line): timestamp '\(unreadable.value)' cannot be read")
            }
        }
    }

    var summary: String {
        var lines = [
            "\(report.counts.cases) cases, \(report.counts.events) events, \(report.counts.activities) activities, \(report.counts.variants) variants; median case \(DurationText.short(report.caseDuration.medianSeconds))"
        ]
        lines.append("Start: " + report.startActivities.prefix(5).map { "\($0.activity) (\($0.cases))" }.joined(separator: ", "))
        lines.append("End: " + report.endActivities.prefix(5).map { "\($0.activity) (\($0.cases))" }.joined(separator: ", "))
        lines.append("Most frequent paths:")
        lines += report.edges.prefix(10).map { "  \($0.from) → \($0.to)  \($0.count)×  median \(DurationText.short($0.medianSeconds))" }
        lines.append("Variants:")
        lines += report.variants.prefix(5).map { "  \($0.count)×  \($0.activities.joined(separator: " → "))" }
        if !report.friction.bottlenecks.isEmpty {
            lines.append("Bottlenecks (total time):")
            lines += report.friction.bottlenecks.prefix(5).map { "  \($0.from) → \($0.to)  \(DurationText.short($0.totalSeconds))" }
        }
        if let conformance = report.conformance {
            lines.append("Conformance to \(conformance.workflow): \(conformance.fittingCases) of \(conformance.cases) cases fit")
            lines += conformance.disallowedMoves.prefix(5).map {
                "  not allowed: \($0.from) → \($0.to)  \($0.count)×  e.g. \($0.exampleCases.joined(separator: ", "))"
            }
        }
        return lines.joined(separator: "\n")
    }

    private func save(_ text: String, to path: String) throws { try CLI.write(text, to: path) }
}

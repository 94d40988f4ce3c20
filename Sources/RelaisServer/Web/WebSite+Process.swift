import Foundation
import Hummingbird
import RelaisCore
import RelaisMap
import RelaisMining
import RelaisProcess
import RelaisStore

/// The process page: a family's declared map beside the graph mined from its tickets' events,
/// coloured by waiting time so bottlenecks stand out, with the slowest steps and the moves the
/// workflow does not allow.
extension WebSite {
    func processPage(_ request: Request) async -> Response {
        await page(request) { visit in
            let user = try requireReports(visit)
            let map = visit.services.configuration.map
            let format = WebFormat(visit)
            let families = map.families.keys.sorted { format.family($0) < format.family($1) }
            let asked = request.uri.queryParameters["family"].map(String.init)
            guard
                let family = asked.flatMap({ map.families[$0] == nil ? nil : $0 }) ?? families.first(where: {
                    map.families[$0]?.crm.require.isEmpty == false
                })
                    ?? families.first
            else {
                throw StoreError.notFound(what: "family", id: asked ?? "")
            }
            let days = request.uri.queryParameters["days"].flatMap { Int(String($0)) }.map { min(max($0, 7), 730) } ?? 90
            var selection = ProcessService.Request()
            selection.selection.families = [family]
            var options = ProcessMiner.Options()
            options.startedFrom = Int64(now().addingTimeInterval(-Double(days) * 86_400).timeIntervalSince1970 * 1_000_000)
            options.frictionLimit = 8
            let report = try await visit.services.process.mine(selection, options: options, by: user)

            var declared = map
            declared.families = map.families.filter { $0.key == family }
            let declaredDOT = MapDiagram.dot(declared, language: visit.language.rawValue)
            let minedDOT = ProcessGraphDOT.render(report, colouring: .waiting)
            async let declaredDrawing = try? Graphviz.svg(declaredDOT)
            async let minedDrawing = try? Graphviz.svg(minedDOT)
            let declaredSVG = await declaredDrawing.flatMap(Self.inlineSVG), minedSVG = await minedDrawing.flatMap(Self.inlineSVG)
            let bottlenecks = report.friction.bottlenecks.map { edge in
                [
                    "from": format.status(edge.from), "to": format.status(edge.to), "count": edge.count,
                    "median": format.span(edge.medianSeconds), "p90": format.span(edge.p90Seconds),
                ] as [String: Any]
            }
            let disallowed = (report.conformance?.disallowedMoves ?? []).prefix(10).map { move in
                ["from": format.status(move.from), "to": format.status(move.to), "count": move.count, "cases": move.cases] as [String: Any]
            }
            return render(
                "pages/process",
                [
                    "title": visit.words["process_title"] ?? "",
                    "families": families.map { ["code": $0, "label": format.family($0), "selected": $0 == family] },
                    "days": days,
                    "declared": declaredSVG as Any,
                    "mined": minedSVG as Any,
                    "no_graphviz": declaredSVG == nil,
                    "cases": report.counts.cases, "events": report.counts.events, "variants": report.counts.variants,
                    "median_duration": format.span(report.caseDuration.medianSeconds),
                    "fitness": report.conformance.map { String(format: "%.0f %%", $0.fitness * 100) } as Any,
                    "bottlenecks": bottlenecks,
                    "has_bottlenecks": !bottlenecks.isEmpty,
                    "disallowed": disallowed,
                    "has_disallowed": !disallowed.isEmpty,
                ], visit)
        }
    }

    /// Graphviz's document without its XML prologue, to sit inside the page.
    static func inlineSVG(_ document: String) -> String? {
        guard let start = document.range(of: "<svg") else { return nil }
        return String(document[start.lowerBound...])
    }
}

import Foundation
import RelaisCore

/// Draws a mined directly-follows graph in Graphviz's DOT language: one box per activity, an
/// arrow per edge labelled with its count and median time, a start and an end point. Colours
/// go from pale to dark with frequency, or with waiting time (the edge's total time, the
/// activity's time until the next step).
public enum ProcessGraphDOT {
    public enum Colouring: String, Sendable, CaseIterable {
        case frequency, waiting
    }

    public static func render(_ report: MiningReport, colouring: Colouring = .frequency, title: String? = nil) -> String {
        let activities = report.activities.map(\.name)
        var id: [String: String] = [:]
        for (index, name) in activities.enumerated() { id[name] = "a\(index)" }
        let edgeWeight: (MiningReport.Edge) -> Double = colouring == .frequency ? { Double($0.count) } : { $0.totalSeconds }
        let maxEdge = report.edges.map(edgeWeight).max() ?? 1
        var waiting: [String: Double] = [:]
        for edge in report.edges { waiting[edge.from, default: 0] += edge.totalSeconds }
        let nodeWeight: (MiningReport.Activity) -> Double =
            colouring == .frequency
            ? { Double($0.events) } : { waiting[$0.name] ?? 0 }
        let maxNode = report.activities.map(nodeWeight).max() ?? 1

        var lines = [
            "digraph process {", "  rankdir=LR;", "  bgcolor=\"white\";",
            "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];",
            "  edge [fontname=\"Helvetica\", fontsize=9];",
        ]
        if let title { lines.append("  label=\(DOT.quote(title)); labelloc=t; fontname=\"Helvetica\";") }
        lines.append("  start [shape=circle, label=\"\", width=0.25, style=filled, fillcolor=\"#2e7d32\"];")
        lines.append("  end [shape=doublecircle, label=\"\", width=0.2, style=filled, fillcolor=\"#c62828\"];")
        for activity in report.activities {
            let level = shade(nodeWeight(activity), of: maxNode)
            let fill = colouring == .frequency ? DOT.blue(level) : DOT.orange(level)
            let font = level > 0.6 ? "white" : "black"
            lines.append(
                "  \(id[activity.name]!) [label=\(DOT.quote("\(activity.name)\n\(activity.events)")), fillcolor=\"\(fill)\", fontcolor=\"\(font)\"];")
        }
        for start in report.startActivities {
            lines.append("  start -> \(id[start.activity]!) [label=\"\(start.cases)\", style=dashed, color=\"#2e7d32\"];")
        }
        for end in report.endActivities {
            lines.append("  \(id[end.activity]!) -> end [label=\"\(end.cases)\", style=dashed, color=\"#c62828\"];")
        }
        for edge in report.edges {
            let level = shade(edgeWeight(edge), of: maxEdge)
            let colour = colouring == .frequency ? DOT.blue(0.3 + 0.7 * level) : DOT.orange(0.3 + 0.7 * level)
            let width = String(format: "%.1f", 1 + 4 * level)
            let label = "\(edge.count)\\n\(DurationText.short(edge.medianSeconds))"
            lines.append("  \(id[edge.from]!) -> \(id[edge.to]!) [label=\"\(label)\", color=\"\(colour)\", penwidth=\(width)];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// 0…1 on a square-root scale, so rare paths stay visible beside the main one.
    private static func shade(_ value: Double, of maximum: Double) -> Double {
        guard maximum > 0, value > 0 else { return 0 }
        return (value / maximum).squareRoot()
    }
}

/// Durations for people: `45s`, `12m`, `3.5h`, `2.1d`.
public enum DurationText {
    public static func short(_ seconds: Double) -> String {
        switch seconds {
        // Bounds at the rounding points, so 59.9 s reads `1m`, not `60s`.
        case ..<59.5: return "\(Int(seconds.rounded()))s"
        case ..<3570: return "\(Int((seconds / 60).rounded()))m"
        case ..<86_400: return oneDecimal(seconds / 3600) + "h"
        default: return oneDecimal(seconds / 86_400) + "d"
        }
    }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
    }
}

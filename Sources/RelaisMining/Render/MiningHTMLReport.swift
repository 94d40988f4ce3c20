import RelaisCore

/// The mining report as one self-contained HTML file: the graph (inline SVG, or its DOT text
/// when Graphviz was not there), the variants, the friction tables, conformance and what could
/// not be read. No script, no external file; every name from the log is escaped.
public enum MiningHTMLReport {
    public static func render(_ report: MiningReport, title: String, graphSVG: String?, graphDOT: String, variantLimit: Int = 50) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body{font-family:Helvetica,Arial,sans-serif;margin:2rem;color:#263238}
            h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #cfd8dc}
            table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #cfd8dc;padding:.25rem .5rem;text-align:left;vertical-align:top}
            th{background:#eceff1}td.n{text-align:right;font-variant-numeric:tabular-nums}
            .graph{overflow:auto;border:1px solid #cfd8dc;padding:.5rem}.graph svg{max-width:100%;height:auto}
            .muted{color:#607d8b}pre{white-space:pre-wrap}
            </style></head><body>
            <h1>\(escape(title))</h1>
            <p>\(report.counts.cases) cases · \(report.counts.events) events · \(report.counts.activities) activities · \(report.counts.variants) variants
            · median case duration \(DurationText.short(report.caseDuration.medianSeconds))</p>

            """
        if !report.filters.isEmpty { html += "<p class=\"muted\">Filters: \(escape(report.filters.joined(separator: "; ")))</p>\n" }
        html += "<h2>Directly-follows graph</h2>\n<div class=\"graph\">"
        if let graphSVG {
            html += svgBody(graphSVG)
        } else {
            html +=
                "<p class=\"muted\">Graphviz was not installed when this report was written; the graph's DOT text follows.</p><pre>\(escape(graphDOT))</pre>"
        }
        html += "</div>\n"
        html += table("Edges", ["From", "To", "Count", "Median", "Mean", "P90", "Total"], report.edges.prefix(100).map(edgeRow))
        html += table(
            "Variants", ["#", "Activities", "Cases", "Share", "Median duration", "Example"],
            report.variants.prefix(variantLimit).enumerated().map { index, variant in
                [
                    "\(index + 1)", escape(variant.activities.joined(separator: " → ")), number(variant.count),
                    percent(variant.share), DurationText.short(variant.medianDurationSeconds), escape(variant.exampleCase),
                ]
            })
        if report.variants.count > variantLimit {
            html += "<p class=\"muted\">\(report.variants.count - variantLimit) rarer variants not shown.</p>\n"
        }
        html += friction(report.friction)
        if let conformance = report.conformance { html += self.conformance(conformance) }
        html += diagnostics(report.diagnostics)
        return html + "</body></html>\n"
    }

    private static func friction(_ friction: Friction) -> String {
        var html = table(
            "Bottlenecks (largest total time between two steps)", ["From", "To", "Count", "Median", "Mean", "P90", "Total"],
            friction.bottlenecks.map(edgeRow))
        html += table(
            "Rework (a step repeated in a case)", ["Activity", "Cases", "Repeats"],
            friction.rework.map { [escape($0.activity), number($0.cases), number($0.repeats)] })
        html += table(
            "Ping-pong (A → B → A)", ["Between", "First", "Second", "Occurrences", "Cases"],
            friction.pingPong.map { [escape($0.between), escape($0.first), escape($0.second), number($0.occurrences), number($0.cases)] })
        html += table(
            "Handovers and reassignments", ["Holder", "Changes", "Cases with one or more", "Most in one case"],
            [
                ["resource", number(friction.handovers.total), number(friction.handovers.cases), number(friction.handovers.maxInCase)],
                [
                    "group (team)", number(friction.reassignments.total), number(friction.reassignments.cases),
                    number(friction.reassignments.maxInCase),
                ],
            ])
        html += table(
            "Steps in progress when SLAs breached", ["Activity", "Breaches"],
            friction.slaBreaches.map { [escape($0.activity), number($0.count)] })
        return html
    }

    private static func conformance(_ conformance: ConformanceReport) -> String {
        var html = "<h2>Conformance to workflow \(escape(conformance.workflow))</h2>\n"
        html += "<p>\(conformance.fittingCases) of \(conformance.cases) cases fit (\(percent(conformance.fitness)));"
        html += " \(conformance.casesWithoutStatuses) cases have no status among their activities.</p>\n"
        return html
            + table(
                nil, ["From", "To (not allowed)", "Times", "Cases", "Examples"],
                conformance.disallowedMoves.map {
                    [escape($0.from), escape($0.to), number($0.count), number($0.cases), escape($0.exampleCases.joined(separator: ", "))]
                })
    }

    private static func diagnostics(_ diagnostics: LogDiagnostics) -> String {
        guard diagnostics.skippedCount > 0 || diagnostics.interleaved else { return "" }
        var rows = diagnostics.skipped.map { skipped in
            ["missing \(escape(skipped.field))", number(skipped.count), escape(skipped.lines.prefix(20).map(String.init).joined(separator: ", "))]
        }
        if diagnostics.unreadableTimestampCount > 0 {
            rows.append([
                "unreadable timestamp", number(diagnostics.unreadableTimestampCount),
                escape(diagnostics.unreadableTimestamps.prefix(20).map { "\($0.line): \($0.value)" }.joined(separator: ", ")),
            ])
        }
        var html = table("Not read from the log", ["Why", "Events", "First lines"], rows)
        if diagnostics.interleaved { html += "<p class=\"muted\">Cases were interleaved in the file: the whole log was held in memory.</p>\n" }
        return html
    }

    private static func edgeRow(_ edge: MiningReport.Edge) -> [String] {
        [
            escape(edge.from), escape(edge.to), number(edge.count), DurationText.short(edge.medianSeconds),
            DurationText.short(edge.meanSeconds), DurationText.short(edge.p90Seconds), DurationText.short(edge.totalSeconds),
        ]
    }

    /// Cells are HTML already; numeric-looking cells are right-aligned.
    private static func table(_ title: String?, _ headers: [String], _ rows: [[String]]) -> String {
        var html = title.map { "<h2>\(escape($0))</h2>\n" } ?? ""
        guard !rows.isEmpty else { return html + "<p class=\"muted\">None.</p>\n" }
        html += "<table><tr>" + headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for row in rows {
            html +=
                "<tr>"
                + row.map { cell in
                    cell.first.map { $0.isNumber } == true && !cell.contains(" ") ? "<td class=\"n\">\(cell)</td>" : "<td>\(cell)</td>"
                }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// The `<svg>` element of Graphviz's output, without its XML prologue and DOCTYPE.
    static func svgBody(_ svg: String) -> String {
        guard let start = svg.range(of: "<svg") else { return "" }
        return String(svg[start.lowerBound...])
    }

    private static func number(_ value: Int) -> String { String(value) }
    private static func percent(_ share: Double) -> String {
        String(Int((share * 1000).rounded()) / 10) + "." + String(Int((share * 1000).rounded()) % 10) + "%"
    }

    static func escape(_ text: String) -> String { Markup.escape(text) }
}

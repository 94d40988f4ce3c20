import RelaisCore

/// Draws the declared map in Graphviz's DOT language, for people to discuss it: per family, who
/// opens it and through which channels, the teams that handle it with their level and where they
/// escalate, the CRM objects it must or may link to, and its workflow as a state diagram (the
/// initial status marked, done statuses doubled, moves allowed from anywhere drawn once from `*`).
public enum MapDiagram {
    public static func dot(_ map: ProcessMap, language: String = "en") -> String {
        var lines = [
            "digraph map {", "  rankdir=LR;", "  compound=true;", "  fontname=\"Helvetica\";",
            "  label=\(DOT.quote(map.organization.name)); labelloc=t;",
            "  node [fontname=\"Helvetica\", fontsize=10];", "  edge [fontname=\"Helvetica\", fontsize=9];",
        ]
        // Teams first: Graphviz puts a node in the first cluster that names it.
        lines += teamEscalations(map, language: language)
        for (index, family) in map.families.values.sorted(by: { $0.code < $1.code }).enumerated() {
            lines += familyCluster(family, index: index, map: map, language: language)
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func familyCluster(_ family: Family, index: Int, map: ProcessMap, language: String) -> [String] {
        let prefix = "f\(index)"
        var lines = [
            "  subgraph cluster_\(prefix) {",
            "    label=\(DOT.quote("\(family.label.text(in: language)) (\(family.keyPrefix)) · \(family.domain.rawValue)"));",
            "    style=rounded; color=\"#90a4ae\";",
            "    \(prefix)_family [shape=box, style=\"rounded,filled\", fillcolor=\"#e3f2fd\", label=\(DOT.quote(family.code))];",
        ]
        let openers = family.openedBy.joined(separator: ", "), channels = family.channels.joined(separator: ", ")
        lines.append("    \(prefix)_open [shape=note, label=\(DOT.quote("opened by \(openers)\nvia \(channels)"))];")
        lines.append("    \(prefix)_open -> \(prefix)_family;")
        for team in family.handledBy {
            lines.append("    \(prefix)_family -> team_\(identifier(team)) [label=\"handled by\", style=dashed];")
        }
        let required = family.crm.require.map(\.rawValue), allowed = family.crm.allow.map(\.rawValue)
        if !required.isEmpty || !allowed.isEmpty {
            var text = [String]()
            if !required.isEmpty { text.append("must link: \(required.joined(separator: ", "))") }
            if !allowed.isEmpty { text.append("may link: \(allowed.joined(separator: ", "))") }
            lines.append(
                "    \(prefix)_crm [shape=component, fillcolor=\"#fff8e1\", style=filled, label=\(DOT.quote(text.joined(separator: "\n")))];")
            lines.append("    \(prefix)_family -> \(prefix)_crm [arrowhead=none, style=dotted];")
        }
        if let workflow = map.workflow(of: family) { lines += states(workflow, prefix: prefix) }
        lines.append("  }")
        return lines
    }

    private static func states(_ workflow: Workflow, prefix: String) -> [String] {
        var lines = ["    \(prefix)_family -> \(prefix)_s_\(identifier(workflow.initial)) [label=\"created\", color=\"#2e7d32\"];"]
        for status in workflow.statusOrder {
            let category = workflow.statuses[status] ?? .open
            let shape = category == .solved || category == .closed ? "doublecircle" : "ellipse"
            let fill = status == workflow.initial ? "#c8e6c9" : category == .pending ? "#fff3e0" : "#ffffff"
            lines.append(
                "    \(prefix)_s_\(identifier(status)) [shape=\(shape), style=filled, fillcolor=\"\(fill)\", label=\(DOT.quote("\(status)\n\(category.rawValue)"))];"
            )
        }
        var fromAnywhere = Set<String>()
        for transition in workflow.transitions {
            if transition.from == Workflow.anyStatus {
                fromAnywhere.insert(transition.to)
            } else {
                lines.append("    \(prefix)_s_\(identifier(transition.from)) -> \(prefix)_s_\(identifier(transition.to));")
            }
        }
        if !fromAnywhere.isEmpty {
            lines.append("    \(prefix)_any [shape=plaintext, label=\"any status\"];")
            for target in workflow.statusOrder where fromAnywhere.contains(target) {
                lines.append("    \(prefix)_any -> \(prefix)_s_\(identifier(target)) [style=dashed];")
            }
        }
        return lines
    }

    /// Teams once each, with their level, and the escalation path between them.
    private static func teamEscalations(_ map: ProcessMap, language: String) -> [String] {
        var lines = ["  subgraph cluster_teams {", "    label=\"teams\"; style=rounded; color=\"#b0bec5\";"]
        for team in map.teams.values.sorted(by: { ($0.level, $0.code) < ($1.level, $1.code) }) {
            let name = team.label?.text(in: language) ?? team.code
            lines.append(
                "    team_\(identifier(team.code)) [shape=box, style=filled, fillcolor=\"\(DOT.blue(Double(team.level) / 4))\", fontcolor=\"\(team.level >= 3 ? "white" : "black")\", label=\(DOT.quote("\(name)\nL\(team.level)"))];"
            )
        }
        for team in map.teams.values.sorted(by: { $0.code < $1.code }) {
            if let next = team.escalatesTo {
                lines.append("    team_\(identifier(team.code)) -> team_\(identifier(next)) [label=\"escalates\", color=\"#c62828\"];")
            }
        }
        lines.append("  }")
        return lines
    }

    /// A DOT identifier from a map code (codes are letters, digits, `_` and `-`).
    static func identifier(_ code: String) -> String {
        String(code.unicodeScalars.map { $0.properties.isAlphabetic || ("0"..."9").contains($0) ? Character($0) : "_" })
            + "_\(code.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF })"
    }
}

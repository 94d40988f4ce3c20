import RelaisCore

/// The one-screen summary `relais map check` prints for a valid map.
public enum MapSummary {
    public static func render(_ map: ProcessMap, file: String, language: String = "en") -> String {
        var lines = ["\(file): valid map for \(map.organization.name) (\(map.organization.timezone))", ""]
        lines.append("Families (\(map.families.count))")
        for family in map.families.values.sorted(by: { $0.keyPrefix < $1.keyPrefix }) {
            let requires = family.crm.require.isEmpty ? "" : "; requires \(family.crm.require.map(\.rawValue).joined(separator: ", "))"
            lines.append("  \(family.keyPrefix.padding(6)) \(family.code.padding(18)) \(family.label.text(in: language))")
            lines.append(
                "         \(family.domain.rawValue), by \(family.openedBy.joined(separator: "/")) via \(family.channels.joined(separator: "/")); "
                    + "teams \(family.handledBy.joined(separator: " > ")); workflow \(family.workflow); SLA \(family.sla ?? "none")\(requires)")
        }
        lines.append("")
        lines.append("Teams (\(map.teams.count))")
        for team in map.teams.values.sorted(by: { ($0.level, $0.code) < ($1.level, $1.code) }) {
            lines.append("  L\(team.level) \(team.code)" + (team.escalatesTo.map { " -> \($0)" } ?? ""))
        }
        lines.append("")
        lines.append("Workflows (\(map.workflows.count))")
        for workflow in map.workflows.values.sorted(by: { $0.code < $1.code }) {
            let statuses = workflow.statusOrder.map { "\($0) [\(workflow.statuses[$0]!.rawValue)]" }
            lines.append("  \(workflow.code): \(workflow.statusOrder.count) statuses, \(workflow.transitions.count) transitions")
            lines.append("    \(statuses.joined(separator: ", "))")
        }
        lines.append("")
        lines.append(
            "SLA policies \(map.sla.count), calendars \(map.calendars.count), categories \(map.referential.categories.count), "
                + "mappings \(map.referential.mappings.count), routing rules \(map.routing.count), signals \(map.signals.count)")
        if !map.entityOrder.isEmpty {
            lines.append(
                "Entities: "
                    + map.entityOrder.compactMap { map.entities[$0] }.map { entity in
                        "\(entity.code) (\(entity.name); brands \(entity.brands.joined(separator: ", ")))"
                    }.joined(separator: ", "))
        }
        if !map.trackers.isEmpty {
            lines.append(
                "Trackers: "
                    + map.trackers.keys.sorted().compactMap { map.trackers[$0] }.map { tracker in
                        "\(tracker.name) (\(tracker.kind.rawValue) \(tracker.project))"
                    }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

import RelaisCore
import Yams

extension MapLoader {
    static func readTeams(_ node: Node?, map: ProcessMap, _ reader: MapReader) -> [String: Team] {
        var teams: [String: Team] = [:]
        var escalations: [(String, String, Node)] = []
        for pair in reader.pairs(node, "teams") {
            let path = "teams.\(pair.key)"
            let fields = reader.fields(pair.value, path, allowed: ["level", "escalates_to", "label", "entity"])
            let level = reader.int(fields["level"], "\(path).level") ?? 1
            if !(1...5).contains(level) { reader.problem(at: fields["level"], "\(path).level: must be between 1 and 5") }
            let target = reader.string(fields["escalates_to"], "\(path).escalates_to")
            if let target, let node = fields["escalates_to"] { escalations.append((pair.key, target, node)) }
            let label = fields["label"].map { LocalizedText(reader.label($0, "\(path).label")) }
            teams[pair.key] = Team(
                code: pair.key, level: level, escalatesTo: target, label: label,
                entity: entity(fields["entity"], "\(path).entity", in: map, reader))
        }
        for (team, target, node) in escalations {
            guard let next = teams[target] else {
                reader.problem(
                    at: node, "teams.\(team).escalates_to: unknown team '\(target)'; expected one of \(teams.keys.sorted().joined(separator: ", "))")
                continue
            }
            if next.level < teams[team]!.level {
                reader.problem(at: node, "teams.\(team).escalates_to: '\(target)' is level \(next.level), below level \(teams[team]!.level)")
            }
            var seen: Set<String> = [team], current = target
            while let hop = teams[current]?.escalatesTo {
                if !seen.insert(current).inserted || hop == team {
                    reader.problem(at: node, "teams.\(team).escalates_to: escalation loops back to '\(team)'")
                    break
                }
                current = hop
            }
        }
        return teams
    }

    static func readWorkflows(_ node: Node?, _ reader: MapReader) -> [String: Workflow] {
        var workflows: [String: Workflow] = [:]
        let categories = StatusCategory.allCases.map(\.rawValue)
        for pair in reader.pairs(node, "workflows") {
            let path = "workflows.\(pair.key)"
            let fields = reader.fields(pair.value, path, allowed: ["initial", "statuses", "transitions"])
            var statuses: [(String, StatusCategory)] = []
            for status in reader.pairs(fields["statuses"], "\(path).statuses") {
                guard let text = status.value.scalar?.string, !text.isEmpty else {
                    reader.problem(
                        at: status.value,
                        "\(path).statuses.\(status.key): status has no category; expected one of \(categories.joined(separator: ", "))")
                    continue
                }
                guard let category = StatusCategory(rawValue: text) else {
                    reader.problem(
                        at: status.value,
                        "\(path).statuses.\(status.key): unknown category '\(text)'; expected one of \(categories.joined(separator: ", "))")
                    continue
                }
                statuses.append((status.key, category))
            }
            if fields["statuses"] == nil { reader.problem(at: pair.value, "\(path): missing 'statuses'") }
            let names = Set(statuses.map(\.0))
            let initial = reader.requiredString(fields, "initial", path, at: pair.value) ?? ""
            if !initial.isEmpty, !names.contains(initial) {
                reader.problem(at: fields["initial"], "\(path).initial: unknown status '\(initial)'")
            }
            var transitions: [Workflow.Transition] = []
            for (index, item) in reader.sequence(fields["transitions"], "\(path).transitions").enumerated() {
                let ends = reader.strings(item, "\(path).transitions[\(index)]")
                guard ends.count == 2, case .sequence = item else {
                    reader.problem(at: item, "\(path).transitions[\(index)]: expected [from, to]")
                    continue
                }
                if ends[0].0 != Workflow.anyStatus, !names.contains(ends[0].0) {
                    reader.problem(at: ends[0].1, "\(path).transitions[\(index)]: transition from unknown status '\(ends[0].0)'")
                }
                if !names.contains(ends[1].0) {
                    reader.problem(at: ends[1].1, "\(path).transitions[\(index)]: transition to unknown status '\(ends[1].0)'")
                }
                transitions.append(.init(from: ends[0].0, to: ends[1].0))
            }
            let workflow = Workflow(code: pair.key, initial: initial, statuses: statuses, transitions: transitions)
            if names.contains(initial) {
                for status in unreachable(in: workflow) {
                    reader.problem(at: fields["statuses"], "\(path).statuses.\(status): cannot be reached from '\(initial)'")
                }
            }
            workflows[pair.key] = workflow
        }
        return workflows
    }

    static func unreachable(in workflow: Workflow) -> [String] {
        var reached: Set<String> = [workflow.initial], frontier = [workflow.initial]
        while let status = frontier.popLast() {
            for next in workflow.allowedTargets(from: status) where reached.insert(next).inserted { frontier.append(next) }
        }
        return workflow.statusOrder.filter { !reached.contains($0) }
    }
}

import RelaisCore
import Yams

extension MapLoader {
    static let routingActions = ["team", "assignee", "priority", "raise_priority", "severity", "add_tags"]
    /// Objects whose attributes a routing rule may read, as `account.tier`.
    static let linkedObjects = ["account", "contact", "contract", "opportunity", "subscription", "asset", "invoice"]
    static let ticketFields = ["family", "status", "status_category", "impact", "urgency", "priority", "severity",
                               "category", "channel", "opened_by", "team", "assignee", "level", "tags", "title"]

    static func readRouting(_ node: Node?, map: ProcessMap, _ reader: MapReader) -> [RoutingRule] {
        var rules: [RoutingRule] = []
        for (index, item) in reader.sequence(node, "routing").enumerated() {
            let path = "routing[\(index)]"
            let fields = reader.fields(item, path, allowed: ["name", "when", "then", "continue"])
            let name = reader.string(fields["name"], "\(path).name") ?? path
            var conditions: [RoutingRule.Condition] = []
            for pair in reader.pairs(fields["when"], "\(path).when") {
                let field = pair.key
                let readable = ticketFields.contains(field) || field.hasPrefix("custom.")
                    || linkedObjects.contains { field.hasPrefix("\($0).") }
                if !readable {
                    reader.problem(at: pair.keyNode, "\(path).when: unknown field '\(field)'")
                    continue
                }
                let values = reader.strings(pair.value, "\(path).when.\(field)")
                if let known = knownValues(of: field, in: map) {
                    reader.checkKnown(values, in: known, "\(path).when.\(field)", what: field.replacingOccurrences(of: "_", with: " "))
                }
                conditions.append(.init(field: field, values: values.map(\.0)))
            }
            if fields["when"] == nil { reader.problem(at: item, "\(path): missing 'when'") }
            let then = reader.fields(fields["then"], "\(path).then", allowed: routingActions)
            if then.isEmpty { reader.problem(at: fields["then"] ?? item, "\(path): 'then' needs at least one action") }
            var actions = RoutingRule.Actions()
            actions.team = reader.string(then["team"], "\(path).then.team")
            if let team = actions.team, map.teams[team] == nil {
                reader.problem(at: then["team"], "\(path).then.team: unknown team '\(team)'")
            }
            actions.assignee = reader.string(then["assignee"], "\(path).then.assignee")
            actions.priority = reader.string(then["priority"], "\(path).then.priority")
            if let priority = actions.priority, !map.referential.priorityMatrix.priorities.contains(priority) {
                reader.problem(at: then["priority"], "\(path).then.priority: unknown priority '\(priority)'")
            }
            actions.raisePriority = reader.int(then["raise_priority"], "\(path).then.raise_priority")
            actions.severity = reader.string(then["severity"], "\(path).then.severity")
            if let severity = actions.severity, !map.referential.severities.contains(severity) {
                reader.problem(at: then["severity"], "\(path).then.severity: unknown severity '\(severity)'")
            }
            actions.addTags = reader.strings(then["add_tags"], "\(path).then.add_tags").map(\.0)
            let continues = reader.bool(fields["continue"], "\(path).continue") ?? false
            rules.append(RoutingRule(name: name, conditions: conditions, actions: actions, continues: continues))
        }
        return rules
    }

    static func readSignals(_ node: Node?, _ reader: MapReader) -> [String: SignalRule] {
        var signals: [String: SignalRule] = [:]
        for pair in reader.pairs(node, "signals") {
            let path = "signals.\(pair.key)"
            let fields = reader.fields(pair.value, path, allowed: ["when", "then"])
            let when = reader.flattened(fields["when"], "\(path).when")
            let then = reader.flattened(fields["then"], "\(path).then")
            if when.isEmpty { reader.problem(at: pair.value, "\(path): 'when' needs at least one condition") }
            if then.isEmpty { reader.problem(at: pair.value, "\(path): 'then' needs at least one action") }
            signals[pair.key] = SignalRule(code: pair.key, when: when, then: then)
        }
        return signals
    }
}

import RelaisCore
import Yams

extension MapLoader {
    static let routingActions = ["team", "assignee", "priority", "raise_priority", "severity", "add_tags"]
    static let ticketFields = [
        "family", "status", "status_category", "impact", "urgency", "priority", "severity",
        "category", "channel", "opened_by", "team", "assignee", "level", "tags", "title",
    ]

    static func readRouting(_ node: Node?, map: ProcessMap, _ reader: MapReader) -> [RoutingRule] {
        var rules: [RoutingRule] = []
        for (index, item) in reader.sequence(node, "routing").enumerated() {
            let path = "routing[\(index)]"
            let fields = reader.fields(item, path, allowed: ["name", "when", "then", "continue"])
            let name = reader.string(fields["name"], "\(path).name") ?? path
            var conditions: [RoutingRule.Condition] = []
            for pair in reader.pairs(fields["when"], "\(path).when") {
                let field = pair.key
                guard ticketFields.contains(field) || field.hasPrefix("custom.") || CRMVocabulary.knows(field) else {
                    reader.problem(
                        at: pair.keyNode,
                        "\(path).when: unknown field '\(field)'; a rule reads ticket fields, custom.<name> or \(CRMVocabulary.all.joined(separator: ", "))"
                    )
                    continue
                }
                if let condition = readCondition(pair, "\(path).when.\(field)", map: map, reader) { conditions.append(condition) }
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

    /// `field: value`, `field: [values]`, or for a number `field: { at_least: 1000000, at_most: ... }`.
    static func readCondition(_ pair: MapReader.Pair, _ path: String, map: ProcessMap, _ reader: MapReader) -> RoutingRule.Condition? {
        let field = pair.key
        if case .mapping = pair.value {
            guard CRMVocabulary.numeric.contains(field) else {
                reader.problem(
                    at: pair.value, "\(path): only \(CRMVocabulary.numeric.sorted().joined(separator: ", ")) compare with at_least / at_most")
                return nil
            }
            let bounds = reader.fields(pair.value, path, allowed: ["at_least", "at_most"])
            func number(_ key: String) -> Double? {
                guard let node = bounds[key] else { return nil }
                guard let text = node.scalar?.string, let value = Double(text) else {
                    reader.problem(at: node, "\(path).\(key) must be a number")
                    return nil
                }
                return value
            }
            let atLeast = number("at_least"), atMost = number("at_most")
            if atLeast == nil, atMost == nil { reader.problem(at: pair.value, "\(path) needs at_least or at_most") }
            return .init(field: field, values: [], atLeast: atLeast, atMost: atMost)
        }
        let values = reader.strings(pair.value, path)
        if let known = knownValues(of: field, in: map) {
            reader.checkKnown(values, in: known, path, what: field.replacingOccurrences(of: "_", with: " "))
        }
        return .init(field: field, values: values.map(\.0))
    }

    static let signalConditions = ["window", "tickets", "contract.renews_within"]
    static let signalTicketKeys = SignalRule.TicketFilter.readableFields + ["same", "at_least", "accounts_at_least"]

    static func readSignals(_ node: Node?, map: ProcessMap, _ reader: MapReader) -> [String: SignalRule] {
        var signals: [String: SignalRule] = [:]
        for pair in reader.pairs(node, "signals") {
            let path = "signals.\(pair.key)"
            let fields = reader.fields(pair.value, path, allowed: ["scope", "when", "then"])
            var rule = SignalRule(code: pair.key)
            if let scope = reader.string(fields["scope"], "\(path).scope") {
                if let value = SignalRule.Scope(rawValue: scope) {
                    rule.scope = value
                } else {
                    reader.problem(at: fields["scope"], "\(path).scope: unknown scope '\(scope)'; expected account or all")
                }
            }
            guard let when = fields["when"] else {
                reader.problem(at: pair.value, "\(path): missing 'when'")
                continue
            }
            var sawTickets = false
            for condition in reader.pairs(when, "\(path).when") {
                let conditionPath = "\(path).when.\(condition.key)"
                switch condition.key {
                case "window":
                    let text = reader.string(condition.value, conditionPath) ?? ""
                    if let seconds = BusinessDuration.seconds(in: text, day: 86_400, week: 7 * 86_400) {
                        rule.window = seconds
                    } else {
                        reader.problem(at: condition.value, "\(conditionPath): '\(text)' is not a duration such as 30d")
                    }
                case "contract.renews_within":
                    let text = reader.string(condition.value, conditionPath) ?? ""
                    if let seconds = BusinessDuration.seconds(in: text, day: 86_400, week: 7 * 86_400), seconds % 86_400 == 0 {
                        rule.renewsWithinDays = seconds / 86_400
                    } else {
                        reader.problem(at: condition.value, "\(conditionPath): '\(text)' is not a number of days such as 60d")
                    }
                case "tickets":
                    sawTickets = true
                    rule.tickets = readTicketFilter(condition.value, "\(conditionPath)", map: map, reader)
                default:
                    guard CRMVocabulary.knows(condition.key), condition.key.hasPrefix("account.") || condition.key.hasPrefix("contract.") else {
                        let readable = CRMVocabulary.all.filter { $0.hasPrefix("account.") || $0.hasPrefix("contract.") }
                        reader.problem(
                            at: condition.keyNode,
                            "\(path).when: unknown field '\(condition.key)'; a signal reads \((signalConditions + readable).joined(separator: ", "))")
                        continue
                    }
                    if rule.scope == .all {
                        reader.problem(
                            at: condition.keyNode,
                            "\(path).when.\(condition.key): a rule with scope all counts tickets across accounts and reads no account")
                    }
                    if let parsed = readCondition(condition, conditionPath, map: map, reader) { rule.conditions.append(parsed) }
                }
            }
            if !sawTickets { reader.problem(at: when, "\(path).when: missing 'tickets'") }
            if rule.scope == .all, rule.renewsWithinDays != nil {
                reader.problem(at: when, "\(path).when.contract.renews_within: a rule with scope all reads no contract")
            }
            let then = reader.fields(fields["then"], "\(path).then", allowed: ["crm_task", "task_family", "notify"])
            rule.actions = SignalRule.Actions(
                crmTask: reader.string(then["crm_task"], "\(path).then.crm_task"),
                taskFamily: reader.string(then["task_family"], "\(path).then.task_family"),
                notify: reader.string(then["notify"], "\(path).then.notify"))
            if let family = rule.actions.taskFamily, map.families[family] == nil {
                reader.problem(at: then["task_family"], "\(path).then.task_family: unknown family '\(family)'")
            }
            if rule.actions.crmTask != nil, rule.actions.taskFamily == nil {
                rule.actions.taskFamily = map.families.values.filter { $0.domain == .projects }.map(\.code).sorted().first
                if rule.actions.taskFamily == nil {
                    reader.problem(
                        at: then["crm_task"], "\(path).then.crm_task: no family of domain projects to open the task in; name one with task_family")
                }
            }
            if rule.actions.crmTask != nil, rule.scope == .all {
                reader.problem(at: then["crm_task"], "\(path).then.crm_task: a rule with scope all has no account owner to give a task to")
            }
            signals[pair.key] = rule
        }
        return signals
    }

    static func readTicketFilter(_ node: Node, _ path: String, map: ProcessMap, _ reader: MapReader) -> SignalRule.TicketFilter {
        var filter = SignalRule.TicketFilter()
        for pair in reader.pairs(node, path) {
            let keyPath = "\(path).\(pair.key)"
            switch pair.key {
            case "at_least", "accounts_at_least":
                guard let value = reader.int(pair.value, keyPath), value >= 1 else {
                    reader.problem(at: pair.value, "\(keyPath) must be a whole number of at least 1")
                    continue
                }
                if pair.key == "at_least" { filter.atLeast = value } else { filter.accountsAtLeast = value }
            case "same":
                let value = reader.string(pair.value, keyPath) ?? ""
                if SignalRule.TicketFilter.groupings.contains(value) {
                    filter.same = value
                } else {
                    reader.problem(
                        at: pair.value,
                        "\(keyPath): unknown field '\(value)'; expected one of \(SignalRule.TicketFilter.groupings.joined(separator: ", "))")
                }
            case let field where SignalRule.TicketFilter.readableFields.contains(field):
                let values = reader.strings(pair.value, keyPath)
                if let known = knownValues(of: field, in: map) {
                    reader.checkKnown(values, in: known, keyPath, what: field.replacingOccurrences(of: "_", with: " "))
                }
                filter.fields[field] = values.map(\.0)
            default:
                reader.problem(at: pair.keyNode, "\(path): unknown field '\(pair.key)'; expected one of \(signalTicketKeys.joined(separator: ", "))")
            }
        }
        return filter
    }
}

/// Runs a map's routing rules against a ticket.
public enum Router {
    /// Applies the matching rules to `ticket` and returns the changes, each naming its rule.
    ///
    /// Fields listed in `pinned` were set explicitly by the caller in this same operation
    /// and are left as they are.
    public static func route(
        _ ticket: inout Ticket, rules: [RoutingRule], map: ProcessMap,
        context: RoutingContext, pinned: Set<String> = []
    ) -> [TicketChange] {
        var changes: [TicketChange] = []
        for rule in rules where matches(rule, ticket: ticket, context: context) {
            changes += apply(rule, to: &ticket, map: map, pinned: pinned)
            if !rule.continues { break }
        }
        return changes
    }

    static func matches(_ rule: RoutingRule, ticket: Ticket, context: RoutingContext) -> Bool {
        rule.conditions.allSatisfy { condition in
            if condition.field == "tags" { return !Set(condition.values).isDisjoint(with: ticket.tags) }
            return condition.accepts(ticket.value(of: condition.field) ?? context[condition.field])
        }
    }

    static func apply(_ rule: RoutingRule, to ticket: inout Ticket, map: ProcessMap, pinned: Set<String>) -> [TicketChange] {
        var changes: [TicketChange] = []
        func set(_ field: String, _ keyPath: WritableKeyPath<Ticket, String?>, _ value: String?) {
            guard let value, !pinned.contains(field) else { return }
            let old = ticket[keyPath: keyPath]
            ticket[keyPath: keyPath] = value
            if let change = TicketChange.field(field, from: old, to: value, rule: rule.name) { changes.append(change) }
        }
        let actions = rule.actions
        set("team", \.team, actions.team)
        if let team = actions.team.flatMap({ map.teams[$0] }), !pinned.contains("team") {
            let old = ticket.level
            ticket.level = team.level
            if let change = TicketChange.field("level", from: old.map(String.init), to: String(team.level), rule: rule.name) {
                changes.append(change)
            }
        }
        set("assignee", \.assignee, actions.assignee)
        set("severity", \.severity, actions.severity)
        set("priority", \.priority, actions.priority)
        if let steps = actions.raisePriority, !pinned.contains("priority") {
            let matrix = map.referential.priorityMatrix
            let current = ticket.priority ?? matrix.priorities.last
            set("priority", \.priority, current.map { matrix.raise($0, by: steps) })
        }
        let newTags = actions.addTags.filter { !ticket.tags.contains($0) }
        if !newTags.isEmpty {
            let old = ticket.tags.joined(separator: ",")
            ticket.tags += newTags
            changes.append(TicketChange(kind: .fieldChanged, field: "tags", from: old, to: ticket.tags.joined(separator: ","), rule: rule.name))
        }
        return changes
    }
}

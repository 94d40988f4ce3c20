/// Tickets of a family in a status that a new map removes are moved to another status of the
/// family's new workflow, as the proposal declares.
public struct StatusMove: Sendable, Equatable, Hashable, Codable {
    public var family: String
    public var from: String
    public var to: String

    public init(family: String, from: String, to: String) {
        self.family = family
        self.from = from
        self.to = to
    }

    /// Reads `family:from=to`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let sides = parts[1].split(separator: "=", maxSplits: 1)
        guard sides.count == 2 else { return nil }
        let trim = { (part: Substring) in part.trimmingCharacters(in: .whitespaces) }
        self.init(family: trim(parts[0]), from: trim(sides[0]), to: trim(sides[1]))
        if family.isEmpty || from.isEmpty || to.isEmpty { return nil }
    }

    public var description: String { "\(family):\(from)=\(to)" }
}

/// What the store holds that a map change can reach, as counted when the impact is computed.
public struct LiveTickets: Sendable {
    public struct StatusCount: Sendable, Equatable {
        public var family: String
        public var status: String
        public var category: StatusCategory
        public var tickets: Int
        public init(family: String, status: String, category: StatusCategory, tickets: Int) {
            self.family = family
            self.status = status
            self.category = category
            self.tickets = tickets
        }
    }

    public struct SLACount: Sendable, Equatable {
        public var policy: String
        public var priority: String?
        public var openTickets: Int
        public init(policy: String, priority: String?, openTickets: Int) {
            self.policy = policy
            self.priority = priority
            self.openTickets = openTickets
        }
    }

    /// Every ticket, by family, status and stored status category.
    public var statuses: [StatusCount]
    /// Open tickets under an SLA, by the policy they run on and their priority.
    public var sla: [SLACount]
    /// Recent open tickets and their routing context, on which both maps' routing is replayed.
    public var sample: [(ticket: Ticket, context: RoutingContext)]
    /// Tickets by the legal entity and by the brand they belong to, accounts by entity (what
    /// belongs to none left out).
    public var entityTickets: [String: Int] = [:]
    public var brandTickets: [String: Int] = [:]
    public var entityAccounts: [String: Int] = [:]
    /// Escalations still followed (pending or open, fix not shipped), by developers' tracker.
    public var trackerEscalations: [String: Int] = [:]

    public init(statuses: [StatusCount] = [], sla: [SLACount] = [], sample: [(ticket: Ticket, context: RoutingContext)] = []) {
        self.statuses = statuses
        self.sla = sla
        self.sample = sample
    }
}

/// What applying a new map would do to the tickets already stored, and what would stop it.
public struct MapImpact: Sendable, Equatable, Codable {
    /// Tickets in a status the family's new workflow no longer has.
    public struct RemovedStatus: Sendable, Equatable, Codable {
        public var family: String
        public var status: String
        public var tickets: Int
        /// Where they go, when the proposal says; nil refuses the change.
        public var movedTo: String?
        enum CodingKeys: String, CodingKey { case family, status, tickets, movedTo = "moved_to" }
        public init(family: String, status: String, tickets: Int, movedTo: String?) {
            self.family = family
            self.status = status
            self.tickets = tickets
            self.movedTo = movedTo
        }
    }

    /// Tickets whose status stays but counts as another category (open, pending, solved ...).
    public struct CategoryChange: Sendable, Equatable, Codable {
        public var family: String
        public var status: String
        public var from: StatusCategory
        public var to: StatusCategory
        public var tickets: Int
        public init(family: String, status: String, from: StatusCategory, to: StatusCategory, tickets: Int) {
            self.family = family
            self.status = status
            self.from = from
            self.to = to
            self.tickets = tickets
        }
    }

    public struct RemovedFamily: Sendable, Equatable, Codable {
        public var family: String
        public var tickets: Int
        public init(family: String, tickets: Int) {
            self.family = family
            self.tickets = tickets
        }
    }

    /// A target that moves for tickets running on it; nil is "no target".
    public struct TargetChange: Sendable, Equatable, Codable {
        public var policy: String
        public var priority: String
        public var metric: String
        public var from: Int?
        public var to: Int?
        public var openTickets: Int
        enum CodingKeys: String, CodingKey { case policy, priority, metric, from, to, openTickets = "open_tickets" }
        public init(policy: String, priority: String, metric: String, from: Int?, to: Int?, openTickets: Int) {
            self.policy = policy
            self.priority = priority
            self.metric = metric
            self.from = from
            self.to = to
            self.openTickets = openTickets
        }
    }

    /// A sampled ticket that the new routing would send elsewhere.
    public struct Rerouted: Sendable, Equatable, Codable {
        public var ticket: String
        public var before: [String: String]
        public var after: [String: String]
        public init(ticket: String, before: [String: String], after: [String: String]) {
            self.ticket = ticket
            self.before = before
            self.after = after
        }
    }

    /// A peer tool's value that the new mappings translate differently, or not at all (`now` empty).
    public struct MappingChange: Sendable, Equatable, Codable {
        public var source: String
        public var match: [String: String]
        public var before: [String: String]
        public var now: [String: String]
        public init(source: String, match: [String: String], before: [String: String], now: [String: String]) {
            self.source = source
            self.match = match
            self.before = before
            self.now = now
        }
    }

    public var removedStatuses: [RemovedStatus] = []
    public var categoryChanges: [CategoryChange] = []
    public var removedFamilies: [RemovedFamily] = []
    /// Policies whose calendar's hours or holidays change (every deadline on them moves).
    public var calendarsChanged: [String] = []
    public var slaTargets: [TargetChange] = []
    public var routingSampled = 0
    public var routingChanged = 0
    /// Up to `examples` of the rerouted tickets.
    public var rerouted: [Rerouted] = []
    public var mappings: [MappingChange] = []
    /// What stops the change from being applied, each naming what must be done.
    public var problems: [String] = []

    public var canApply: Bool { problems.isEmpty }

    enum CodingKeys: String, CodingKey {
        case removedStatuses = "removed_statuses", categoryChanges = "category_changes", removedFamilies = "removed_families"
        case calendarsChanged = "calendars_changed", slaTargets = "sla_targets", routingSampled = "routing_sampled"
        case routingChanged = "routing_changed", rerouted, mappings, problems
    }

    public static let examples = 20

    public init() {}

    /// The impact of replacing `old` by `new` on `live`, with the status moves the proposal declares.
    public init(from old: ProcessMap, to new: ProcessMap, live: LiveTickets, moves: [StatusMove]) {
        self.init()
        checkStatuses(from: old, to: new, live: live, moves: moves)
        compareSLA(from: old, to: new, live: live)
        replayRouting(from: old, to: new, live: live)
        compareMappings(from: old, to: new)
        checkEntities(to: new, live: live)
        checkTrackers(to: new, live: live)
        if old.organization.slug != new.organization.slug {
            problems.append(
                "organization.name: the organisation '\(old.organization.name)' cannot be renamed to '\(new.organization.name)' by a map change (its identifier would change)"
            )
        }
    }

    /// An entity or a brand that tickets or accounts belong to stays: removing it would leave
    /// them belonging to nothing the map knows.
    mutating func checkEntities(to new: ProcessMap, live: LiveTickets) {
        for entity in Set(live.entityTickets.keys).union(live.entityAccounts.keys).sorted() where new.entities[entity] == nil {
            let tickets = live.entityTickets[entity] ?? 0, accounts = live.entityAccounts[entity] ?? 0
            problems.append(
                "entities.\(entity): \(tickets) ticket\(tickets == 1 ? "" : "s") and \(accounts) account\(accounts == 1 ? "" : "s") belong to this entity; an entity they belong to cannot be removed"
            )
        }
        for brand in live.brandTickets.keys.sorted() where new.brands[brand] == nil {
            let tickets = live.brandTickets[brand]!
            problems.append(
                "brand '\(brand)': \(tickets) ticket\(tickets == 1 ? "" : "s") came through this brand; a brand with tickets cannot be removed")
        }
    }

    /// A tracker with escalations still followed stays: its issues' webhooks would find no
    /// tracker, and pending escalations none to ask.
    mutating func checkTrackers(to new: ProcessMap, live: LiveTickets) {
        for tracker in live.trackerEscalations.keys.sorted() where new.trackers[tracker] == nil {
            let count = live.trackerEscalations[tracker]!
            problems.append(
                "trackers.\(tracker): \(count) escalation\(count == 1 ? " is" : "s are") still followed in this tracker (pending, or open with the fix not shipped); a tracker in use cannot be removed"
            )
        }
    }

    mutating func checkStatuses(from old: ProcessMap, to new: ProcessMap, live: LiveTickets, moves: [StatusMove]) {
        var counts: [String: [String: (StatusCategory, Int)]] = [:]
        for count in live.statuses {
            let current = counts[count.family]?[count.status]?.1 ?? 0
            counts[count.family, default: [:]][count.status] = (count.category, current + count.tickets)
        }
        var used = Set<StatusMove>()
        for family in counts.keys.sorted() {
            let statuses = counts[family]!
            guard let after = new.families[family], let workflow = new.workflow(of: after) else {
                let tickets = statuses.values.reduce(0) { $0 + $1.1 }
                removedFamilies.append(RemovedFamily(family: family, tickets: tickets))
                problems.append(
                    "families.\(family): \(tickets) ticket\(tickets == 1 ? "" : "s") of this family exist; a family with tickets cannot be removed")
                continue
            }
            for status in statuses.keys.sorted() {
                let (stored, tickets) = statuses[status]!
                if let category = workflow.category(of: status) {
                    if category != stored {
                        categoryChanges.append(CategoryChange(family: family, status: status, from: stored, to: category, tickets: tickets))
                    }
                    continue
                }
                let move = moves.first { $0.family == family && $0.from == status }
                if let move { used.insert(move) }
                removedStatuses.append(RemovedStatus(family: family, status: status, tickets: tickets, movedTo: move?.to))
                if move == nil {
                    problems.append(
                        "families.\(family): \(tickets) ticket\(tickets == 1 ? "" : "s") in status '\(status)', which workflow '\(workflow.code)' no longer has; declare where they go (\(family):\(status)=STATUS)"
                    )
                }
            }
        }
        for move in moves {
            guard let family = new.families[move.family], let workflow = new.workflow(of: family) else {
                problems.append("move \(move.description): the new map has no family '\(move.family)'")
                continue
            }
            if workflow.category(of: move.to) == nil {
                problems.append("move \(move.description): '\(move.to)' is not a status of workflow '\(workflow.code)'")
            } else if !used.contains(move), workflow.category(of: move.from) != nil {
                problems.append("move \(move.description): '\(move.from)' is still a status of workflow '\(workflow.code)'")
            }
        }
    }

    mutating func compareSLA(from old: ProcessMap, to new: ProcessMap, live: LiveTickets) {
        var open: [String: [String: Int]] = [:]
        for count in live.sla { open[count.policy, default: [:]][count.priority ?? "", default: 0] += count.openTickets }
        for code in Set(old.sla.keys).union(new.sla.keys).sorted() {
            let before = old.sla[code], after = new.sla[code]
            if let before, let after, before.calendar == after.calendar, old.calendars[before.calendar] != new.calendars[after.calendar] {
                calendarsChanged.append(code)
            }
            let priorities = Set((before?.targets.keys).map(Array.init) ?? []).union((after?.targets.keys).map(Array.init) ?? [])
            for priority in priorities.sorted() {
                for metric in SLAPolicy.Metric.allCases {
                    let from = before?.target(metric, priority: priority), to = after?.target(metric, priority: priority)
                    guard from != to else { continue }
                    slaTargets.append(
                        TargetChange(
                            policy: code, priority: priority, metric: metric.rawValue, from: from, to: to,
                            openTickets: open[code]?[priority] ?? 0))
                }
            }
        }
    }

    mutating func replayRouting(from old: ProcessMap, to new: ProcessMap, live: LiveTickets) {
        guard old.routing != new.routing || old.teams != new.teams || old.referential.priorityMatrix != new.referential.priorityMatrix else { return }
        for (ticket, context) in live.sample where new.families[ticket.family] != nil {
            routingSampled += 1
            var before = ticket, after = ticket
            _ = Router.route(&before, rules: old.routing, map: old, context: context)
            _ = Router.route(&after, rules: new.routing, map: new, context: context)
            let was = Self.outcome(before), now = Self.outcome(after)
            guard was != now else { continue }
            routingChanged += 1
            if rerouted.count < Self.examples { rerouted.append(Rerouted(ticket: ticket.key, before: was, after: now)) }
        }
    }

    static func outcome(_ ticket: Ticket) -> [String: String] {
        var fields: [String: String] = [:]
        fields["team"] = ticket.team
        fields["assignee"] = ticket.assignee
        fields["priority"] = ticket.priority
        fields["severity"] = ticket.severity
        if !ticket.tags.isEmpty { fields["tags"] = ticket.tags.joined(separator: ",") }
        return fields
    }

    mutating func compareMappings(from old: ProcessMap, to new: ProcessMap) {
        for mapping in old.referential.mappings {
            let before = ValueMapping.apply(old.referential.mappings, source: mapping.source, to: mapping.match)
            let now = ValueMapping.apply(new.referential.mappings, source: mapping.source, to: mapping.match)
            guard before != now, !mappings.contains(where: { $0.source == mapping.source && $0.match == mapping.match }) else { continue }
            mappings.append(MappingChange(source: mapping.source, match: mapping.match, before: before, now: now))
        }
    }
}

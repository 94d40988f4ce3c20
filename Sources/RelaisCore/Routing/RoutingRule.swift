/// One routing rule of the map: when every condition holds, apply the actions.
/// Rules run in order; the first match wins unless it says `continue: true`.
public struct RoutingRule: Sendable, Equatable {
    /// `field` must have one of `values`; a field of a linked object reads `account.tier`.
    public struct Condition: Sendable, Equatable {
        public var field: String
        public var values: [String]
        public init(field: String, values: [String]) {
            self.field = field
            self.values = values
        }
    }

    public struct Actions: Sendable, Equatable {
        public var team: String?
        public var assignee: String?
        public var priority: String?
        /// Ranks to raise the priority by (1 turns P3 into P2).
        public var raisePriority: Int?
        public var severity: String?
        public var addTags: [String]

        public init(
            team: String? = nil, assignee: String? = nil, priority: String? = nil,
            raisePriority: Int? = nil, severity: String? = nil, addTags: [String] = []
        ) {
            self.team = team
            self.assignee = assignee
            self.priority = priority
            self.raisePriority = raisePriority
            self.severity = severity
            self.addTags = addTags
        }
    }

    /// The rule's name in the event log: its `name` in the map, else `routing[index]`.
    public var name: String
    public var conditions: [Condition]
    public var actions: Actions
    public var continues: Bool

    public init(name: String, conditions: [Condition], actions: Actions, continues: Bool = false) {
        self.name = name
        self.conditions = conditions
        self.actions = actions
        self.continues = continues
    }

    /// Fields whose change makes routing run again.
    public var fieldsRead: Set<String> { Set(conditions.map(\.field)) }
}

/// Attributes of the objects a ticket is linked to, as routing reads them:
/// `["account.tier": "strategic", "contract.sla": "gold"]`.
public typealias RoutingContext = [String: String]

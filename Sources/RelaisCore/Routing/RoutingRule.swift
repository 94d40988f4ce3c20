/// One routing rule of the map: when every condition holds, apply the actions.
/// Rules run in order; the first match wins unless it says `continue: true`.
public struct RoutingRule: Sendable, Equatable {
    /// `field` must have one of `values`, or a number within `atLeast`...`atMost`; a field of a
    /// linked object reads `account.tier`, `account.annual_revenue`, `contract.sla_level`.
    public struct Condition: Sendable, Equatable {
        public var field: String
        public var values: [String]
        public var atLeast: Double?
        public var atMost: Double?
        public init(field: String, values: [String], atLeast: Double? = nil, atMost: Double? = nil) {
            self.field = field
            self.values = values
            self.atLeast = atLeast
            self.atMost = atMost
        }

        /// Whether `value` satisfies the condition; an absent value never does.
        public func accepts(_ value: String?) -> Bool {
            guard let value else { return false }
            if atLeast != nil || atMost != nil {
                guard let number = Double(value) else { return false }
                return number >= (atLeast ?? -.infinity) && number <= (atMost ?? .infinity)
            }
            return values.contains(value)
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

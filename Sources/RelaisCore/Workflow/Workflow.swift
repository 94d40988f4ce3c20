/// The five categories every workflow status falls into, whatever its name.
public enum StatusCategory: String, Sendable, Equatable, Codable, CaseIterable {
    case new, open, pending, solved, closed
}

/// A family's state machine: statuses, each in a category, and the allowed moves between them.
public struct Workflow: Sendable, Equatable {
    /// Written `*` in the map: a transition allowed from any status.
    public static let anyStatus = "*"

    public var code: String
    public var initial: String
    /// Status names in the order the map lists them.
    public var statusOrder: [String]
    public var statuses: [String: StatusCategory]
    public var transitions: [Transition]

    public struct Transition: Sendable, Equatable, Hashable {
        public var from: String
        public var to: String
        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    public init(code: String, initial: String, statuses: [(String, StatusCategory)], transitions: [Transition]) {
        self.code = code
        self.initial = initial
        self.statusOrder = statuses.map(\.0)
        self.statuses = Dictionary(statuses, uniquingKeysWith: { first, _ in first })
        self.transitions = transitions
    }

    public func category(of status: String) -> StatusCategory? { statuses[status] }

    /// Statuses reachable in one move from `status`, in the map's order.
    public func allowedTargets(from status: String) -> [String] {
        let targets = Set(transitions.filter { $0.from == status || $0.from == Self.anyStatus }.map(\.to))
        return statusOrder.filter { targets.contains($0) && $0 != status }
    }

    public func allows(from: String, to: String) -> Bool {
        from != to && transitions.contains { ($0.from == from || $0.from == Self.anyStatus) && $0.to == to }
    }
}

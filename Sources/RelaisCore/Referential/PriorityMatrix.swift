/// ITIL's impact x urgency grid: `matrix[impact][urgency]` is a priority such as `P2`.
public struct PriorityMatrix: Sendable, Equatable {
    public var grid: [String: [String: String]]

    public init(_ grid: [String: [String: String]] = [:]) { self.grid = grid }

    public var impacts: [String] { grid.keys.sorted() }
    public var urgencies: [String] { Set(grid.values.flatMap(\.keys)).sorted() }

    /// Every priority the matrix can give, most urgent first (`P1` before `P2`).
    public var priorities: [String] { Set(grid.values.flatMap(\.values)).sorted(by: Self.isMoreUrgent) }

    public func priority(impact: String, urgency: String) -> String? { grid[impact]?[urgency] }

    /// The priority `steps` ranks more urgent than `priority`, stopping at the most urgent.
    public func raise(_ priority: String, by steps: Int) -> String {
        let ordered = priorities
        guard let index = ordered.firstIndex(of: priority) else { return priority }
        return ordered[max(0, min(ordered.count - 1, index - steps))]
    }

    /// Orders `P1` before `P2` before `P10`; names without a number sort by name.
    static func isMoreUrgent(_ lhs: String, _ rhs: String) -> Bool {
        let left = Int(lhs.drop { !$0.isNumber }), right = Int(rhs.drop { !$0.isNumber })
        switch (left, right) {
        case let (l?, r?) where l != r: return l < r
        default: return lhs < rhs
        }
    }
}

import RelaisCore

/// Holds each case against a declared workflow: the activities named like the workflow's
/// statuses are the moves the case made, and every move the workflow does not allow is counted,
/// with example cases. A case fits when it starts in the initial status and makes only allowed
/// moves. Activities that are not statuses (comments, assignments) are left aside.
struct ConformanceCheck {
    static let exampleLimit = 3
    /// Written as the source of a violation when the first status is not the initial one.
    static let start = "(start)"

    struct Violation {
        var count = 0
        var cases = 0
        var examples: [String] = []
    }

    let workflow: Workflow
    /// The status each activity number stands for, nil when it is not a status; grown as new
    /// activities appear.
    private var statusOf: [String?] = []
    private let activityName: (Int32) -> String
    private(set) var cases = 0
    private(set) var fitting = 0
    private(set) var withoutStatuses = 0
    private(set) var violations: [String: [String: Violation]] = [:]

    init(workflow: Workflow, activityName: @escaping (Int32) -> String) {
        self.workflow = workflow
        self.activityName = activityName
    }

    mutating func check(_ trace: Trace) {
        var previous: String?
        var fits = true
        var violatedInCase = Set<[String]>()
        for event in trace.events {
            guard let status = status(of: event.activity) else { continue }
            let from = previous ?? Self.start
            defer { previous = status }
            if previous == status { continue }
            let allowed = previous.map { workflow.allows(from: $0, to: status) } ?? (status == workflow.initial)
            guard !allowed else { continue }
            fits = false
            var violation = violations[from, default: [:]][status, default: Violation()]
            violation.count += 1
            if violatedInCase.insert([from, status]).inserted {
                violation.cases += 1
                if violation.examples.count < Self.exampleLimit { violation.examples.append(trace.name) }
            }
            violations[from, default: [:]][status] = violation
        }
        guard previous != nil else {
            withoutStatuses += 1
            return
        }
        cases += 1
        if fits { fitting += 1 }
    }

    private mutating func status(of activity: Int32) -> String? {
        let index = Int(activity)
        while statusOf.count <= index {
            let name = activityName(Int32(statusOf.count))
            statusOf.append(workflow.statuses[name] != nil ? name : nil)
        }
        return statusOf[index]
    }

    var report: ConformanceReport {
        let moves = violations.flatMap { from, targets in
            targets.map { to, violation in
                ConformanceReport.Move(from: from, to: to, count: violation.count, cases: violation.cases, exampleCases: violation.examples)
            }
        }.sorted { ($1.count, $0.from, $0.to) < ($0.count, $1.from, $1.to) }
        return ConformanceReport(
            workflow: workflow.code, cases: cases, fittingCases: fitting,
            fitness: cases == 0 ? 1 : Double(fitting) / Double(cases), casesWithoutStatuses: withoutStatuses,
            disallowedMoves: moves)
    }
}

public struct ConformanceReport: Sendable, Codable, Equatable {
    enum CodingKeys: String, CodingKey {
        case workflow
        case cases
        case fittingCases = "fitting_cases"
        case fitness
        case casesWithoutStatuses = "cases_without_statuses"
        case disallowedMoves = "disallowed_moves"
    }

    public struct Move: Sendable, Codable, Equatable {
        enum CodingKeys: String, CodingKey {
            case from
            case to
            case count
            case cases
            case exampleCases = "example_cases"
        }

        public var from: String
        public var to: String
        /// Times the move was made.
        public var count: Int
        /// Cases that made it at least once.
        public var cases: Int
        public var exampleCases: [String]
    }

    public var workflow: String
    /// Cases with at least one status among their activities.
    public var cases: Int
    public var fittingCases: Int
    /// The share of those cases that fit the workflow.
    public var fitness: Double
    public var casesWithoutStatuses: Int
    public var disallowedMoves: [Move]
}

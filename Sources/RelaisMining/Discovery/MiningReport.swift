/// What mining found in a log: the directly-follows graph with its timings, the variants, the
/// friction and, when a workflow was given, how the cases conform to it. This is what
/// `relais mine --json` prints and what the API returns.
public struct MiningReport: Sendable, Codable, Equatable {
    // JSON keys are snake_case like the rest of the API, spelled out in each type: a key
    // strategy converting every key of every variant took seconds on large reports.
    enum CodingKeys: String, CodingKey {
        case counts
        case activities
        case startActivities = "start_activities"
        case endActivities = "end_activities"
        case edges
        case variants
        case caseDuration = "case_duration"
        case friction
        case conformance
        case diagnostics
        case filters
    }

    public struct Counts: Sendable, Codable, Equatable {
        public var cases: Int
        public var events: Int
        public var activities: Int
        public var variants: Int
    }

    public struct Activity: Sendable, Codable, Equatable {
        public var name: String
        public var events: Int
        public var cases: Int
    }

    public struct Endpoint: Sendable, Codable, Equatable {
        public var activity: String
        public var cases: Int
    }

    public struct Edge: Sendable, Codable, Equatable {
        enum CodingKeys: String, CodingKey {
            case from
            case to
            case count
            case meanSeconds = "mean_seconds"
            case medianSeconds = "median_seconds"
            case p90Seconds = "p90_seconds"
            case totalSeconds = "total_seconds"
        }

        public var from: String
        public var to: String
        public var count: Int
        /// Time between the two events.
        public var meanSeconds: Double
        public var medianSeconds: Double
        public var p90Seconds: Double
        public var totalSeconds: Double
    }

    public struct Variant: Sendable, Codable, Equatable {
        enum CodingKeys: String, CodingKey {
            case activities
            case count
            case share
            case medianDurationSeconds = "median_duration_seconds"
            case exampleCase = "example_case"
        }

        public var activities: [String]
        public var count: Int
        public var share: Double
        public var medianDurationSeconds: Double
        public var exampleCase: String
    }

    public var counts: Counts
    public var activities: [Activity]
    public var startActivities: [Endpoint]
    public var endActivities: [Endpoint]
    /// By count, most frequent first.
    public var edges: [Edge]
    /// By count, most frequent first (the commonest only, when a limit was asked for).
    public var variants: [Variant]
    public var caseDuration: DurationSummary
    public var friction: Friction
    public var conformance: ConformanceReport?
    /// What could not be read from the log.
    public var diagnostics: LogDiagnostics
    /// The filters applied, as given.
    public var filters: [String]
}

/// Where cases lose time or go round in circles.
public struct Friction: Sendable, Codable, Equatable {
    enum CodingKeys: String, CodingKey {
        case bottlenecks
        case rework
        case pingPong = "ping_pong"
        case handovers
        case reassignments
        case slaBreaches = "sla_breaches"
    }

    public struct Rework: Sendable, Codable, Equatable {
        public var activity: String
        /// Cases in which the activity happens more than once.
        public var cases: Int
        /// Occurrences beyond the first, over all cases.
        public var repeats: Int
    }

    public struct PingPong: Sendable, Codable, Equatable {
        /// `resource` or `group` (team).
        public var between: String
        public var first: String
        public var second: String
        /// Times the case went first → second → first.
        public var occurrences: Int
        public var cases: Int
    }

    public struct Handovers: Sendable, Codable, Equatable {
        enum CodingKeys: String, CodingKey {
            case total
            case cases
            case maxInCase = "max_in_case"
        }

        /// Changes of holder over all cases.
        public var total: Int
        /// Cases with at least one change.
        public var cases: Int
        public var maxInCase: Int
    }

    public struct Breaches: Sendable, Codable, Equatable {
        /// The step in progress when the SLA breached (`(start)` before any step).
        public var activity: String
        public var count: Int
    }

    /// Edges by total time spent between their two events, largest first.
    public var bottlenecks: [MiningReport.Edge]
    public var rework: [Rework]
    public var pingPong: [PingPong]
    /// Changes of resource within cases.
    public var handovers: Handovers
    /// Changes of group (team) within cases.
    public var reassignments: Handovers
    public var slaBreaches: [Breaches]
}

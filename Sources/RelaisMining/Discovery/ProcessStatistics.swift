/// Everything mining counts, gathered case by case as the log is read: memory holds the graph,
/// the variants and fixed-size duration summaries, never the events.
struct ProcessStatistics {
    struct Edge {
        var count = 0
        var durations = DurationSample()
    }

    struct Variant {
        var count = 0
        var durations = DurationSample()
        var firstCase: String
    }

    struct Repeat {
        var cases = 0
        var repeats = 0
    }

    struct PingPong {
        var occurrences = 0
        var cases = 0
    }

    var cases = 0
    var events = 0
    var activityEvents: [Int] = []
    var activityCases: [Int] = []
    var edges: [UInt64: Edge] = [:]
    var starts: [Int32: Int] = [:]
    var ends: [Int32: Int] = [:]
    var variants: [[Int32]: Variant] = [:]
    var caseDurations = DurationSample()
    var rework: [Int32: Repeat] = [:]
    var resourcePingPong: [UInt64: PingPong] = [:]
    var groupPingPong: [UInt64: PingPong] = [:]
    var handovers = Handovers()
    var reassignments = Handovers()
    var breaches: [Int32: Int] = [:]
    var conformance: ConformanceCheck?

    static func key(_ from: Int32, _ to: Int32) -> UInt64 { UInt64(UInt32(bitPattern: from)) << 32 | UInt64(UInt32(bitPattern: to)) }
    static func pair(_ key: UInt64) -> (Int32, Int32) {
        (Int32(bitPattern: UInt32(truncatingIfNeeded: key >> 32)), Int32(bitPattern: UInt32(truncatingIfNeeded: key)))
    }

    // Scratch reused from case to case, so adding a case allocates nothing once warm.
    private var lastCaseOf: [Int] = []
    private var countInCase: [Int32] = []
    private var sequence: [Int32] = []
    private var repeated: [Int32] = []

    mutating func add(_ trace: Trace) {
        guard let first = trace.events.first, let last = trace.events.last else { return }
        cases += 1
        events += trace.events.count
        starts[first.activity, default: 0] += 1
        ends[last.activity, default: 0] += 1
        caseDurations.add(trace.duration)
        sequence.removeAll(keepingCapacity: true)
        repeated.removeAll(keepingCapacity: true)
        var previous: TraceEvent?
        for event in trace.events {
            let activity = Int(event.activity)
            if activity >= activityEvents.count { grow(to: activity + 1) }
            activityEvents[activity] += 1
            if lastCaseOf[activity] != cases {
                lastCaseOf[activity] = cases
                countInCase[activity] = 1
                activityCases[activity] += 1
            } else {
                countInCase[activity] += 1
                if countInCase[activity] == 2 { repeated.append(event.activity) }
                rework[event.activity, default: Repeat()].repeats += 1
            }
            sequence.append(event.activity)
            if let previous {
                edges[Self.key(previous.activity, event.activity), default: Edge()].add(event.time - previous.time)
            }
            previous = event
        }
        for activity in repeated { rework[activity]!.cases += 1 }
        if let index = variants.index(forKey: sequence) {
            variants.values[index].count += 1
            variants.values[index].durations.add(trace.duration)
        } else {
            var variant = Variant(firstCase: trace.name)
            variant.count = 1
            variant.durations.add(trace.duration)
            variants[sequence] = variant
        }
        handovers.add(trace.events, byGroup: false)
        reassignments.add(trace.events, byGroup: true)
        Self.countPingPong(trace.events, byGroup: false, into: &resourcePingPong)
        Self.countPingPong(trace.events, byGroup: true, into: &groupPingPong)
        for step in trace.breachedSteps { breaches[step, default: 0] += 1 }
        conformance?.check(trace)
    }

    private mutating func grow(to count: Int) {
        let extra = count - activityEvents.count
        activityEvents += Array(repeating: 0, count: extra)
        activityCases += Array(repeating: 0, count: extra)
        lastCaseOf += Array(repeating: 0, count: extra)
        countInCase += Array(repeating: 0, count: extra)
    }

    /// A → B → A in the sequence of who holds the case (its resource, or its group), repeats of
    /// one holder collapsed.
    static func countPingPong(_ events: [TraceEvent], byGroup: Bool, into counts: inout [UInt64: PingPong]) {
        var beforeLast: Int32 = -1, lastHolder: Int32 = -1
        var countedInCase: [UInt64] = []
        for event in events {
            let current = byGroup ? event.group : event.resource
            guard current >= 0, current != lastHolder else { continue }
            if current == beforeLast {
                let key = Self.key(beforeLast, lastHolder)
                counts[key, default: PingPong()].occurrences += 1
                if !countedInCase.contains(key) {
                    countedInCase.append(key)
                    counts[key]!.cases += 1
                }
            }
            beforeLast = lastHolder
            lastHolder = current
        }
    }
}

extension ProcessStatistics.Edge {
    mutating func add(_ micros: Int64) {
        count += 1
        durations.add(micros)
    }
}

/// How often the holder of cases changes (a resource handing over, a team reassigning).
struct Handovers {
    var total = 0
    var cases = 0
    var maxInCase = 0

    mutating func add(_ events: [TraceEvent], byGroup: Bool) {
        var changes = 0
        var current: Int32 = -1
        for event in events {
            let holder = byGroup ? event.group : event.resource
            guard holder >= 0 else { continue }
            if current >= 0 && holder != current { changes += 1 }
            current = holder
        }
        total += changes
        if changes > 0 { cases += 1 }
        maxInCase = max(maxInCase, changes)
    }
}

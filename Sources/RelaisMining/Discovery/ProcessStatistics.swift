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

    mutating func add(_ trace: Trace) {
        guard let first = trace.events.first, let last = trace.events.last else { return }
        cases += 1
        events += trace.events.count
        starts[first.activity, default: 0] += 1
        ends[last.activity, default: 0] += 1
        caseDurations.add(trace.duration)
        var sequence: [Int32] = []
        sequence.reserveCapacity(trace.events.count)
        var seen = Set<Int32>()
        for (index, event) in trace.events.enumerated() {
            let activity = Int(event.activity)
            if activity >= activityEvents.count {
                activityEvents += Array(repeating: 0, count: activity - activityEvents.count + 1)
                activityCases += Array(repeating: 0, count: activity - activityCases.count + 1)
            }
            activityEvents[activity] += 1
            if seen.insert(event.activity).inserted {
                activityCases[activity] += 1
            } else {
                rework[event.activity, default: Repeat()].repeats += 1
            }
            sequence.append(event.activity)
            if index > 0 {
                let previous = trace.events[index - 1]
                edges[Self.key(previous.activity, event.activity), default: Edge()].add(event.time - previous.time)
            }
        }
        if seen.count < trace.events.count {
            for activity in seen where rework[activity] != nil { rework[activity]!.cases += 1 }
        }
        if variants[sequence] == nil { variants[sequence] = Variant(firstCase: trace.name) }
        variants[sequence]!.count += 1
        variants[sequence]!.durations.add(trace.duration)
        handovers.add(trace.events.map(\.resource))
        reassignments.add(trace.events.map(\.group))
        Self.countPingPong(trace.events.map(\.resource), into: &resourcePingPong)
        Self.countPingPong(trace.events.map(\.group), into: &groupPingPong)
        for step in trace.breachedSteps { breaches[step, default: 0] += 1 }
        conformance?.check(trace)
    }

    /// A → B → A in the sequence of who holds the case (repeats of one holder collapsed).
    static func countPingPong(_ holders: [Int32], into counts: inout [UInt64: PingPong]) {
        var runs: [Int32] = []
        for holder in holders where holder >= 0 && runs.last != holder { runs.append(holder) }
        guard runs.count >= 3 else { return }
        var inCase = Set<UInt64>()
        for index in 2..<runs.count where runs[index] == runs[index - 2] {
            let key = Self.key(runs[index - 2], runs[index - 1])
            counts[key, default: PingPong()].occurrences += 1
            if inCase.insert(key).inserted { counts[key]!.cases += 1 }
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

    mutating func add(_ holders: [Int32]) {
        var changes = 0
        var current: Int32 = -1
        for holder in holders where holder >= 0 {
            if current >= 0 && holder != current { changes += 1 }
            current = holder
        }
        total += changes
        if changes > 0 { cases += 1 }
        maxInCase = max(maxInCase, changes)
    }
}

/// What an SLA clock needs from a ticket's history. Instants are milliseconds since 1970.
public struct SLAEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case opened(status: String, category: StatusCategory, priority: String?)
        case status(String, category: StatusCategory)
        case priority(String?)
        /// A comment; only public ones count, from the requester or from an agent.
        case reply(byRequester: Bool, isPublic: Bool)
    }

    public var at: Int64
    public var kind: Kind
    public init(at: Int64, _ kind: Kind) {
        self.at = at
        self.kind = kind
    }
}

/// One metric of a ticket's SLA as of an instant: its target, how much business time has run,
/// whether the clock runs, and whether and when the target was met or missed.
public struct SLAMetricState: Sendable, Equatable, Codable {
    public enum Clock: String, Sendable, Equatable, Codable {
        case running, paused, stopped
    }

    public struct Pause: Sendable, Equatable, Codable {
        public var from: Int64
        public var to: Int64?
    }

    public var metric: SLAPolicy.Metric
    /// Business seconds allowed; nil when the policy sets none for the ticket's priority.
    public var targetSeconds: Int?
    /// Start of the clock being reported (a metric such as next response runs in cycles).
    public var startedAt: Int64
    public var elapsedMilliseconds: Int64
    public var clock: Clock
    /// The instant the target is reached if the clock keeps running; nil when it is not running.
    public var dueAt: Int64?
    public var warningAt: Int64?
    public var breachedAt: Int64?
    /// When the clock stopped: the reply, the resolution.
    public var stoppedAt: Int64?
    public var pauses: [Pause]
    /// Clocks of this metric so far, and how many of them missed their target.
    public var cycles: Int
    public var breaches: Int

    /// How a metric stands for reports: any clock of it breached, or met, or still open.
    public enum Outcome: String, Sendable, Equatable, Codable {
        case met, breached, open
    }

    public var breached: Bool { breachedAt != nil }
    public var outcome: Outcome { breaches > 0 ? .breached : (met == true ? .met : .open) }
    /// Met when stopped within the target; nil while it can still go either way.
    public var met: Bool? { breached ? false : (clock == .stopped && targetSeconds != nil ? true : nil) }
    public var remainingMilliseconds: Int64? { targetSeconds.map { Int64($0) * 1000 - elapsedMilliseconds } }
}

/// A warning or a breach, as the clock found it: the store records each once.
public struct SLAFiring: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable { case warning, breach }
    public var metric: SLAPolicy.Metric
    public var kind: Kind
    /// Start of the clock that crossed its threshold; with the metric and kind, it names the firing.
    public var cycleStart: Int64
    public var at: Int64
    /// Whether that clock is still open, so escalating still helps.
    public var open: Bool

    public var key: String { "\(metric.rawValue)/\(cycleStart)/\(kind.rawValue)" }
}

public struct SLAState: Sendable, Equatable {
    public var metrics: [SLAMetricState]
    /// Every threshold crossed so far.
    public var firings: [SLAFiring]
    /// The next instant at which a warning or a breach falls due, if the clocks keep running.
    public var nextDue: Int64?

    /// When the clock must look at the ticket again: the earliest crossing not yet recorded (in
    /// the past, so at once), else the next one due.
    public func nextCheck(recorded: Set<String>) -> Int64? {
        let unrecorded = firings.filter { !recorded.contains($0.key) }.map(\.at).min()
        return [unrecorded, nextDue].compactMap { $0 }.min()
    }

    /// The earliest deadline among the clocks still running toward their target.
    public var earliestDue: Int64? { metrics.compactMap(\.dueAt).min() }

    /// Whether a target is missed while its clock still runs (an open breach).
    public var isBreached: Bool { metrics.contains { $0.breached && $0.clock != .stopped } }

    public func metric(_ metric: SLAPolicy.Metric) -> SLAMetricState? { metrics.first { $0.metric == metric } }
}

/// SLA state as a pure function of a ticket's history, a policy and a calendar: replaying the
/// same history gives the same answer, and every figure can be explained from the events.
public enum SLAClock {
    public static func evaluate(_ events: [SLAEvent], policy: SLAPolicy, timeline: CalendarTimeline, now: Int64) -> SLAState {
        var run = Run(policy: policy, timeline: timeline)
        for event in events where event.at <= now { run.apply(event) }
        return run.state(at: now)
    }

    /// One clock of one metric.
    struct Cycle {
        var start: Int64
        var target: Int64?
        var elapsed: Int64 = 0
        var runningSince: Int64?
        var warnedAt: Int64?
        var breachedAt: Int64?
        var stoppedAt: Int64?
        var pauses: [SLAMetricState.Pause] = []

        var isOpen: Bool { stoppedAt == nil }

        /// Business milliseconds at which a warning is due, `warnAt` percent of `target`.
        static func warning(_ target: Int64, _ warnAt: Int) -> Int64 { target * Int64(warnAt) / 100 }

        /// Adds the running time up to `instant`, noting any threshold crossed on the way.
        mutating func advance(to instant: Int64, timeline: CalendarTimeline, warnAt: Int) {
            guard let since = runningSince else { return }
            let span = timeline.elapsed(from: since, to: instant)
            if let target {
                let warning = Self.warning(target, warnAt)
                if warnedAt == nil, elapsed + span >= warning {
                    warnedAt = elapsed >= warning ? since : timeline.adding(warning - elapsed, to: since) ?? instant
                }
                if breachedAt == nil, elapsed + span >= target {
                    breachedAt = elapsed >= target ? since : timeline.adding(target - elapsed, to: since) ?? instant
                }
            }
            elapsed += span
            runningSince = instant
        }

        mutating func pause(at instant: Int64, timeline: CalendarTimeline, warnAt: Int) {
            guard runningSince != nil else { return }
            advance(to: instant, timeline: timeline, warnAt: warnAt)
            runningSince = nil
            pauses.append(.init(from: instant, to: nil))
        }

        mutating func resume(at instant: Int64) {
            guard isOpen, runningSince == nil else { return }
            if let last = pauses.indices.last, pauses[last].to == nil { pauses[last].to = instant }
            runningSince = instant
        }

        mutating func stop(at instant: Int64, timeline: CalendarTimeline, warnAt: Int) {
            guard isOpen else { return }
            advance(to: instant, timeline: timeline, warnAt: warnAt)
            if let last = pauses.indices.last, pauses[last].to == nil { pauses[last].to = instant }
            runningSince = nil
            stoppedAt = instant
        }

        /// A new target from `instant`; one already exceeded counts as crossed there.
        mutating func retarget(_ newTarget: Int64?, at instant: Int64, timeline: CalendarTimeline, warnAt: Int) {
            advance(to: instant, timeline: timeline, warnAt: warnAt)
            target = newTarget
            guard let newTarget else { return }
            if warnedAt == nil, elapsed >= Self.warning(newTarget, warnAt) { warnedAt = instant }
            if breachedAt == nil, elapsed >= newTarget { breachedAt = instant }
        }
    }

    struct Track {
        var current: Cycle?
        var finished: [Cycle] = []

        mutating func begin(_ cycle: Cycle) {
            if let current { finished.append(current) }
            current = cycle
        }
    }

    struct Run {
        let policy: SLAPolicy
        let timeline: CalendarTimeline
        let pausing: Set<String>
        var priority: String?
        var paused = false
        var solved = false
        var tracks: [SLAPolicy.Metric: Track] = [:]

        init(policy: SLAPolicy, timeline: CalendarTimeline) {
            self.policy = policy
            self.timeline = timeline
            pausing = Set(policy.pauseIn)
        }

        func target(_ metric: SLAPolicy.Metric) -> Int64? {
            policy.target(metric, priority: priority).map { Int64($0) * 1000 }
        }

        mutating func begin(_ metric: SLAPolicy.Metric, at instant: Int64) {
            var cycle = Cycle(start: instant, target: target(metric))
            if paused { cycle.pauses.append(.init(from: instant, to: nil)) } else { cycle.runningSince = instant }
            tracks[metric, default: Track()].begin(cycle)
        }

        mutating func each(_ body: (inout Cycle) -> Void) {
            for metric in SLAPolicy.Metric.allCases {
                guard tracks[metric]?.current?.isOpen == true else { continue }
                body(&tracks[metric]!.current!)
            }
        }

        mutating func stop(_ metric: SLAPolicy.Metric, at instant: Int64) {
            guard tracks[metric]?.current?.isOpen == true else { return }
            tracks[metric]!.current!.stop(at: instant, timeline: timeline, warnAt: policy.warnAt)
        }

        mutating func apply(_ event: SLAEvent) {
            let at = event.at, warnAt = policy.warnAt, timeline = self.timeline
            switch event.kind {
            case let .opened(status, category, priority):
                self.priority = priority
                paused = pausing.contains(status)
                solved = category.isDone
                guard !solved else { return }
                begin(.firstResponse, at: at)
                begin(.resolution, at: at)
                begin(.periodicUpdate, at: at)

            case let .status(status, category):
                let nowPaused = pausing.contains(status), nowSolved = category.isDone
                if nowSolved, !solved {
                    for metric in SLAPolicy.Metric.allCases { stop(metric, at: at) }
                } else if !nowSolved, solved {
                    paused = nowPaused
                    solved = false
                    reopen(at: at)
                    return
                }
                solved = nowSolved
                if nowPaused, !paused {
                    each { $0.pause(at: at, timeline: timeline, warnAt: warnAt) }
                } else if !nowPaused, paused {
                    each { $0.resume(at: at) }
                }
                paused = nowPaused

            case let .priority(newPriority):
                guard newPriority != priority else { return }
                priority = newPriority
                switch policy.onPriorityChange {
                case .retarget:
                    for metric in SLAPolicy.Metric.allCases where tracks[metric]?.current?.isOpen == true {
                        tracks[metric]!.current!.retarget(target(metric), at: at, timeline: timeline, warnAt: warnAt)
                    }
                case .restart:
                    for metric in SLAPolicy.Metric.allCases where tracks[metric]?.current?.isOpen == true {
                        if tracks[metric]!.current!.start == at {
                            // Set in the same instant the clock started (routing at creation): nothing to restart.
                            tracks[metric]!.current!.retarget(target(metric), at: at, timeline: timeline, warnAt: warnAt)
                            continue
                        }
                        stop(metric, at: at)
                        begin(metric, at: at)
                    }
                }

            case let .reply(byRequester, isPublic):
                guard isPublic, !solved else { return }
                if byRequester {
                    let answered = tracks[.firstResponse]?.current?.isOpen == false
                    if answered, tracks[.nextResponse]?.current?.isOpen != true { begin(.nextResponse, at: at) }
                } else {
                    stop(.firstResponse, at: at)
                    stop(.nextResponse, at: at)
                    stop(.periodicUpdate, at: at)
                    begin(.periodicUpdate, at: at)
                }
            }
        }

        mutating func reopen(at instant: Int64) {
            switch policy.onReopen {
            case .resume:
                if var cycle = tracks[.resolution]?.current {
                    cycle.stoppedAt = nil
                    if paused { cycle.pauses.append(.init(from: instant, to: nil)) } else { cycle.runningSince = instant }
                    tracks[.resolution]!.current = cycle
                } else {
                    begin(.resolution, at: instant)
                }
            case .restart:
                begin(.resolution, at: instant)
            }
            begin(.periodicUpdate, at: instant)
        }

        func state(at now: Int64) -> SLAState {
            var metrics: [SLAMetricState] = [], firings: [SLAFiring] = [], nextDue: Int64?
            for metric in SLAPolicy.Metric.allCases {
                guard let track = tracks[metric], var current = track.current else { continue }
                current.advance(to: now, timeline: timeline, warnAt: policy.warnAt)
                var dueAt: Int64?, warningAt = current.warnedAt
                if let target = current.target, current.isOpen, let since = current.runningSince {
                    if current.breachedAt == nil {
                        dueAt = timeline.adding(target - current.elapsed, to: since)
                        if let dueAt { nextDue = min(nextDue ?? dueAt, dueAt) }
                    }
                    if warningAt == nil {
                        warningAt = timeline.adding(Cycle.warning(target, policy.warnAt) - current.elapsed, to: since)
                        if let warningAt { nextDue = min(nextDue ?? warningAt, warningAt) }
                    }
                }
                let cycles = track.finished + [current]
                for cycle in cycles {
                    if let at = cycle.warnedAt {
                        firings.append(.init(metric: metric, kind: .warning, cycleStart: cycle.start, at: at, open: cycle.isOpen))
                    }
                    if let at = cycle.breachedAt {
                        firings.append(.init(metric: metric, kind: .breach, cycleStart: cycle.start, at: at, open: cycle.isOpen))
                    }
                }
                // A metric the policy never sets for this ticket is not reported.
                guard current.target != nil || cycles.contains(where: { $0.breachedAt != nil }) else { continue }
                metrics.append(
                    SLAMetricState(
                        metric: metric, targetSeconds: current.target.map { Int($0 / 1000) }, startedAt: current.start,
                        elapsedMilliseconds: current.elapsed,
                        clock: !current.isOpen ? .stopped : (current.runningSince == nil ? .paused : .running),
                        dueAt: dueAt, warningAt: warningAt, breachedAt: current.breachedAt, stoppedAt: current.stoppedAt,
                        pauses: current.pauses, cycles: cycles.count, breaches: cycles.filter { $0.breachedAt != nil }.count))
            }
            return SLAState(metrics: metrics, firings: firings.sorted { $0.at < $1.at }, nextDue: nextDue)
        }
    }
}

extension StatusCategory {
    /// Solved or closed: the work is done and resolution clocks stop.
    public var isDone: Bool { self == .solved || self == .closed }
    /// The categories whose tickets are done, and those still worked on.
    public static let done = allCases.filter(\.isDone)
    public static let unfinished = allCases.filter { !$0.isDone }
}

/// One event of a case, with its names given as numbers of the log's name tables.
public struct TraceEvent: Sendable, Equatable {
    /// The activity's number, or `TraceEvent.breach` for an SLA breach, which marks the step in
    /// progress rather than being a step of its own.
    public var activity: Int32
    /// Who did it (`org:resource`), -1 when the log does not say.
    public var resource: Int32
    /// The team or group handling the case at that moment (`org:group`), -1 when unknown.
    public var group: Int32
    /// Microseconds since 1970, UTC.
    public var time: Int64

    public static let breach: Int32 = -2

    public init(activity: Int32, resource: Int32 = -1, group: Int32 = -1, time: Int64) {
        self.activity = activity
        self.resource = resource
        self.group = group
        self.time = time
    }
}

/// A case, its events in time order (ties in the order the log wrote them).
public struct Trace: Sendable {
    public var name: String
    public var events: [TraceEvent]
    /// The activities in progress when an SLA breached (-1: before the first event).
    public var breachedSteps: [Int32] = []
    /// Bit `i` is set when the case satisfies attribute filter `i`.
    public var matches: UInt64 = 0

    public init(name: String, events: [TraceEvent], matches: UInt64 = 0) {
        self.name = name
        self.events = events
        self.matches = matches
    }

    public var start: Int64 { events.first?.time ?? 0 }
    public var end: Int64 { events.last?.time ?? 0 }
    public var duration: Int64 { end - start }

    /// Puts the events in time order, keeping the log's order for equal times, and turns SLA
    /// breaches into marks on the step they interrupted.
    mutating func settle() {
        if !isTimeOrdered {
            events = events.enumerated().sorted { lhs, rhs in
                lhs.element.time != rhs.element.time ? lhs.element.time < rhs.element.time : lhs.offset < rhs.offset
            }.map(\.element)
        }
        guard events.contains(where: { $0.activity == TraceEvent.breach }) else { return }
        var steps: [TraceEvent] = []
        steps.reserveCapacity(events.count)
        for event in events {
            if event.activity == TraceEvent.breach {
                breachedSteps.append(steps.last?.activity ?? -1)
            } else {
                steps.append(event)
            }
        }
        events = steps
    }

    private var isTimeOrdered: Bool {
        var previous = Int64.min
        for event in events {
            if event.time < previous { return false }
            previous = event.time
        }
        return true
    }
}

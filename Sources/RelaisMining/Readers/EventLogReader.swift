/// A log Relais can mine: a file format over a byte source, or events handed over in memory
/// (Relais's own store).
public enum EventLog {
    case csv(CSVEventLog)
    case xes(XESEventLog)
    case ocel(OCELEventLog)
    case events(EventList)

    var reader: any EventLogReader {
        switch self {
        case .csv(let log): return log
        case .xes(let log): return log
        case .ocel(let log): return log
        case .events(let log): return log
        }
    }
}

protocol EventLogReader {
    /// Reads the whole log from its start into `assembler`; `filters` are the attribute filters
    /// whose matches the reader marks on each event (bit `i` for `filters[i]`).
    func read(into assembler: TraceAssembler, filters: [AttributeFilter]) throws
}

/// Keeps the cases in which some event (or the case itself) has `key` set to one of `values`.
public struct AttributeFilter: Sendable, Equatable {
    public var key: String
    public var values: Set<String>

    public init(key: String, values: Set<String>) {
        self.key = key
        self.values = values
    }

    /// `key=value` or `key=value1,value2`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw EventLogError.badFilter("filter '\(text)' is not KEY=VALUE[,VALUE...]")
        }
        key = String(parts[0])
        values = Set(parts[1].split(separator: ",").map(String.init))
    }
}

/// Events handed over one by one (Relais's own store, tests): each with its case's name.
public struct EventList: EventLogReader {
    public struct Event: Sendable {
        public var caseID: String
        public var activity: String
        public var time: Int64
        public var resource: String?
        public var group: String?
        /// Attributes the filters may read (family, team, account…).
        public var attributes: [String: String]
        /// An SLA breach: it marks the step in progress rather than being one.
        public var isBreach: Bool

        public init(
            caseID: String, activity: String, time: Int64, resource: String? = nil, group: String? = nil,
            attributes: [String: String] = [:], isBreach: Bool = false
        ) {
            self.caseID = caseID
            self.activity = activity
            self.time = time
            self.resource = resource
            self.group = group
            self.attributes = attributes
            self.isBreach = isBreach
        }
    }

    public var events: [Event]

    public init(_ events: [Event]) { self.events = events }

    func read(into assembler: TraceAssembler, filters: [AttributeFilter]) throws {
        for event in events {
            var traceEvent = TraceEvent(
                activity: event.isBreach ? TraceEvent.breach : assembler.activities.id(of: event.activity), time: event.time)
            if let resource = event.resource { traceEvent.resource = assembler.resources.id(of: resource) }
            if let group = event.group { traceEvent.group = assembler.groups.id(of: group) }
            var matches: UInt64 = 0
            for (bit, filter) in filters.enumerated() where event.attributes[filter.key].map(filter.values.contains) == true {
                matches |= 1 << UInt64(bit)
            }
            var name = event.caseID
            try name.withUTF8 { try assembler.add(case: UnsafeRawBufferPointer($0), event: traceEvent, matches: matches) }
        }
    }
}

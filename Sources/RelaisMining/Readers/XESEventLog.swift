/// An event log in XES (IEEE 1849, versions 1.0 and 2.0): `<log>` holding `<trace>`s holding
/// `<event>`s, each a list of typed attributes (`<string key=… value=…/>`, `<date …/>`).
///
/// Only attributes directly under a trace or an event are read; nested ones, `<global>`
/// defaults and classifiers are passed over. A trace's events are kept until `</trace>`, since
/// its name may come after them.
public struct XESEventLog: EventLogReader {
    public struct Keys: Sendable, Equatable {
        public var caseID = "concept:name"
        public var activity = "concept:name"
        public var timestamp = "time:timestamp"
        public var resource = "org:resource"
        public var group = "org:group"

        public init() {}
    }

    public var source: any ByteSource
    public var keys: Keys

    public init(source: any ByteSource, keys: Keys = .init()) {
        self.source = source
        self.keys = keys
    }

    func read(into assembler: TraceAssembler, filters: [AttributeFilter]) throws {
        var scanner = XMLScanner()
        var state = XESState(keys: keys, filters: filters, assembler: assembler)
        var working: [UInt8] = []
        func consume(isLast: Bool) throws {
            let used = try working.withUnsafeBytes { buffer in
                try scanner.scan(buffer, isLast: isLast) { token, scanner in try state.handle(token, scanner: scanner) }
            }
            working.removeFirst(used)
        }
        var first = true
        try source.read { chunk in
            if first, chunk.count >= 2, chunk[0] == 0x1F, chunk[1] == 0x8B {
                throw EventLogError.notAnEventLog("the file is gzip-compressed; it must be read as .xes.gz")
            }
            first = false
            working.append(contentsOf: chunk)
            try consume(isLast: false)
            if working.count > EventLogError.longestToken {
                throw EventLogError.tooLarge(what: "the tag, comment or text after line \(scanner.line)", limit: EventLogError.longestToken)
            }
        }
        try consume(isLast: true)
        guard state.sawLog else { throw EventLogError.notAnEventLog("no <log> element: this is not an XES event log") }
        if !state.roles.isEmpty {
            throw EventLogError.malformedXML(
                line: scanner.line, reason: "the file ends before the log is closed (\(state.roles.count) elements left open)")
        }
    }
}

/// Where the XES reader is, and the trace it is gathering.
private struct XESState {
    enum Role: String { case log, trace, event, other }

    struct PendingEvent {
        var line: Int
        var event = TraceEvent(activity: -1, time: .min)
        var hasTime = false
        var unreadableTime: String?
        var matches: UInt64 = 0
    }

    let keys: XESEventLog.Keys
    let filterKeys: [[UInt8]]
    let filterValues: [[[UInt8]]]
    let assembler: TraceAssembler
    var roles: [Role] = []
    var sawLog = false
    var traceName: [UInt8]?
    var traceLine = 0
    var traceMatches: UInt64 = 0
    var events: [PendingEvent] = []
    var pending: PendingEvent?

    init(keys: XESEventLog.Keys, filters: [AttributeFilter], assembler: TraceAssembler) {
        self.keys = keys
        self.filterKeys = filters.map { Array($0.key.utf8) }
        self.filterValues = filters.map { $0.values.map { Array($0.utf8) } }
        self.assembler = assembler
    }

    mutating func handle(_ token: XMLScanner.Token, scanner: XMLScanner) throws {
        switch token {
        case .start(let name, let selfClosing):
            let parent = roles.last
            var role = Role.other
            if parent == nil {
                guard name.elementsEqual("log".utf8) else {
                    throw EventLogError.notAnEventLog(
                        "the root element is <\(String(decoding: name, as: UTF8.self))>, not <log>: this is not an XES event log")
                }
                role = .log
                sawLog = true
            } else if parent == .log, name.elementsEqual("trace".utf8) {
                role = .trace
                traceName = nil
                traceLine = scanner.line
                traceMatches = 0
                events.removeAll(keepingCapacity: true)
            } else if parent == .trace, name.elementsEqual("event".utf8) {
                role = .event
                pending = PendingEvent(line: scanner.line)
            } else if parent == .trace || parent == .event, let key = scanner.value(of: "key"), let value = scanner.value(of: "value") {
                try attribute(key: key, value: value, onEvent: parent == .event)
            }
            if !selfClosing { roles.append(role) } else if role == .trace || role == .event { try close(role) }
        case .end:
            guard let role = roles.popLast() else { return }
            try close(role)
        }
    }

    private mutating func attribute(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, onEvent: Bool) throws {
        var matches: UInt64 = 0
        for (bit, filterKey) in filterKeys.enumerated() where key.elementsEqual(filterKey) {
            if filterValues[bit].contains(where: { $0.elementsEqual(value) }) { matches |= 1 << UInt64(bit) }
        }
        guard onEvent else {
            traceMatches |= matches
            if key.elementsEqual(keys.caseID.utf8) { traceName = Array(value) }
            return
        }
        pending!.matches |= matches
        if key.elementsEqual(keys.activity.utf8) {
            if !value.isEmpty { pending!.event.activity = assembler.activities.id(of: value) }
        } else if key.elementsEqual(keys.timestamp.utf8) {
            if let time = TimestampParser.parseISO8601(value) {
                pending!.event.time = time
                pending!.hasTime = true
            } else {
                pending!.unreadableTime = String(decoding: value, as: UTF8.self)
            }
        } else if key.elementsEqual(keys.resource.utf8) {
            if !value.isEmpty { pending!.event.resource = assembler.resources.id(of: value) }
        } else if key.elementsEqual(keys.group.utf8) {
            if !value.isEmpty { pending!.event.group = assembler.groups.id(of: value) }
        }
    }

    private mutating func close(_ role: Role) throws {
        switch role {
        case .event:
            if let event = pending { events.append(event) }
            pending = nil
        case .trace:
            try deliverTrace()
        case .log, .other:
            break
        }
    }

    private mutating func deliverTrace() throws {
        guard let name = traceName, !name.isEmpty else {
            for event in events { assembler.diagnostics.skip("case", line: event.line) }
            if events.isEmpty { assembler.diagnostics.skip("case", line: traceLine) }
            return
        }
        try name.withUnsafeBytes { caseBytes in
            for pending in events {
                if pending.event.activity < 0 {
                    assembler.diagnostics.skip("activity", line: pending.line)
                } else if let unreadable = pending.unreadableTime, !pending.hasTime {
                    assembler.diagnostics.unreadable(unreadable, line: pending.line)
                } else if !pending.hasTime {
                    assembler.diagnostics.skip("timestamp", line: pending.line)
                } else {
                    try assembler.add(case: caseBytes, event: pending.event, matches: pending.matches | traceMatches)
                }
            }
        }
    }
}

/// Gathers the events readers find into cases and hands each finished case on.
///
/// Most logs write a case's events together (XES always does; exports sorted by case do), so a
/// case is finished as soon as another begins and memory holds one case at a time. When a case
/// comes back after another began, the log is interleaved: the assembler stops with
/// `Interleaved`, and mining reads the log again holding every case until the end.
final class TraceAssembler {
    struct Interleaved: Error {}

    var activities = NameTable()
    var resources = NameTable()
    var groups = NameTable()
    var diagnostics = LogDiagnostics()

    private let holdsEveryCase: Bool
    private let deliver: (Trace) throws -> Void
    private var currentName: [UInt8] = []
    private var current: Trace?
    /// Hashes of the names of finished cases: eight bytes a case rather than its name. Two names
    /// with one hash (about one chance in 10^8 for a million cases) only cost a second reading.
    private var finished = Set<UInt64>()
    private var held: [String: Int] = [:]
    private var heldTraces: [Trace] = []

    init(holdsEveryCase: Bool, deliver: @escaping (Trace) throws -> Void) {
        self.holdsEveryCase = holdsEveryCase
        self.deliver = deliver
    }

    /// Adds one event of the case named by `caseBytes`; `matches` holds the attribute filters
    /// this event (or its case's attributes) satisfies.
    func add(case caseBytes: UnsafeRawBufferPointer, event: TraceEvent, matches: UInt64) throws {
        diagnostics.events += 1
        if holdsEveryCase {
            let name = String(decoding: caseBytes, as: UTF8.self)
            if let index = held[name] {
                heldTraces[index].events.append(event)
                heldTraces[index].matches |= matches
            } else {
                held[name] = heldTraces.count
                heldTraces.append(Trace(name: name, events: [event], matches: matches))
            }
            return
        }
        if current != nil, sameCase(caseBytes) {
            current!.events.append(event)
            current!.matches |= matches
            return
        }
        try finishCurrent()
        guard !finished.contains(NameTable.hash(caseBytes)) else { throw Interleaved() }
        currentName.removeAll(keepingCapacity: true)
        currentName.append(contentsOf: caseBytes)
        var events: [TraceEvent] = []
        events.reserveCapacity(16)
        events.append(event)
        current = Trace(name: String(decoding: caseBytes, as: UTF8.self), events: events, matches: matches)
    }

    /// Hands on the cases still open; the log is over.
    func finish() throws {
        try finishCurrent()
        for var trace in heldTraces {
            trace.settle()
            try deliver(trace)
        }
        heldTraces = []
        held = [:]
    }

    private func finishCurrent() throws {
        guard var trace = current else { return }
        current = nil
        currentName.withUnsafeBytes { _ = finished.insert(NameTable.hash($0)) }
        trace.settle()
        try deliver(trace)
    }

    private func sameCase(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == currentName.count else { return false }
        return currentName.withUnsafeBytes { $0.elementsEqual(bytes) }
    }
}

/// What a reader could not take from the log, so that nothing is dropped silently.
public struct LogDiagnostics: Sendable, Codable, Equatable {
    enum CodingKeys: String, CodingKey {
        case events
        case skipped
        case unreadableTimestampCount = "unreadable_timestamp_count"
        case unreadableTimestamps = "unreadable_timestamps"
        case interleaved
    }

    /// Lines of the rows (CSV) or events (XES), or positions in `events` (OCEL), left out, per
    /// missing field.
    public struct Skipped: Sendable, Codable, Equatable {
        public var field: String
        public var count: Int = 0
        /// The first lines, up to `LogDiagnostics.listLimit`.
        public var lines: [Int] = []
    }

    public struct UnreadableTimestamp: Sendable, Codable, Equatable {
        public var line: Int
        public var value: String
    }

    public static let listLimit = 1000

    public var events = 0
    public var skipped: [Skipped] = []
    public var unreadableTimestampCount = 0
    /// The first unreadable timestamps with their lines, up to `listLimit`.
    public var unreadableTimestamps: [UnreadableTimestamp] = []
    /// True when cases were written interleaved and the whole log was held in memory.
    public var interleaved = false

    public var skippedCount: Int { skipped.reduce(0) { $0 + $1.count } + unreadableTimestampCount }

    mutating func skip(_ field: String, line: Int) {
        if let index = skipped.firstIndex(where: { $0.field == field }) {
            skipped[index].count += 1
            if skipped[index].lines.count < Self.listLimit { skipped[index].lines.append(line) }
        } else {
            skipped.append(Skipped(field: field, count: 1, lines: [line]))
        }
    }

    mutating func unreadable(_ value: String, line: Int) {
        unreadableTimestampCount += 1
        if unreadableTimestamps.count < Self.listLimit { unreadableTimestamps.append(.init(line: line, value: value)) }
    }
}

/// An event log in CSV (RFC 4180: a header row, fields quoted when they hold the delimiter,
/// a quote or a line break), one event per row.
///
/// The reader works on the bytes, chunk by chunk, and makes strings only of new names, so a
/// file of any size is read in constant memory. Rows without a case, an activity or a
/// timestamp are counted with their line; timestamps that cannot be read are listed.
public struct CSVEventLog: EventLogReader {
    public struct Columns: Sendable, Equatable {
        public var caseID: String
        public var activity: String
        public var timestamp: String
        public var resource: String?
        public var group: String?

        /// The names pm4py and XES-derived exports use.
        public static let standard = Columns(
            caseID: "case:concept:name", activity: "concept:name", timestamp: "time:timestamp", resource: "org:resource", group: nil)

        public init(caseID: String, activity: String, timestamp: String, resource: String? = nil, group: String? = nil) {
            self.caseID = caseID
            self.activity = activity
            self.timestamp = timestamp
            self.resource = resource
            self.group = group
        }
    }

    public var source: any ByteSource
    public var columns: Columns
    public var timestamps: TimestampParser
    /// `,`, `;` or tab; detected from the header when nil.
    public var delimiter: UInt8?

    public init(source: any ByteSource, columns: Columns = .standard, timestamps: TimestampParser = .init(), delimiter: UInt8? = nil) {
        self.source = source
        self.columns = columns
        self.timestamps = timestamps
        self.delimiter = delimiter
    }

    func read(into assembler: TraceAssembler, filters: [AttributeFilter]) throws {
        var parser = CSVRecordParser(delimiter: delimiter)
        var layout: CSVLayout?
        var working: [UInt8] = []
        func consume(isLast: Bool) throws {
            let consumed = try working.withUnsafeMutableBytes { buffer in
                try parser.parse(UnsafeRawBufferPointer(buffer), isLast: isLast) { record, line in
                    if let layout {
                        try layout.emit(record, line: line, into: assembler, timestamps: timestamps)
                    } else {
                        layout = try CSVLayout(header: record, columns: columns, filters: filters)
                    }
                }
            }
            working.removeFirst(consumed)
        }
        try source.read { chunk in
            working.append(contentsOf: chunk)
            try consume(isLast: false)
            if working.count > EventLogError.longestToken {
                throw EventLogError.tooLarge(what: "the row starting on line \(parser.line) (an unclosed quote?)", limit: EventLogError.longestToken)
            }
        }
        try consume(isLast: true)
        guard layout != nil else { throw EventLogError.emptyFile }
    }
}

/// Where the columns a miner needs sit in the header.
struct CSVLayout {
    let caseIndex: Int, activityIndex: Int, timestampIndex: Int
    let resourceIndex: Int?, groupIndex: Int?
    /// Per filter: its column and the accepted values as bytes.
    let filters: [(index: Int, values: [[UInt8]])]

    init(header: CSVRecord, columns: CSVEventLog.Columns, filters: [AttributeFilter]) throws {
        var names = (0..<header.count).map { String(decoding: header.bytes(at: $0), as: UTF8.self) }
        if let first = names.first, first.hasPrefix("\u{FEFF}") { names[0] = String(first.dropFirst()) }
        func index(_ role: String, _ name: String) throws -> Int {
            guard let index = names.firstIndex(of: name) else {
                throw EventLogError.missingColumn(role: role, name: name, available: names)
            }
            return index
        }
        caseIndex = try index("case", columns.caseID)
        activityIndex = try index("activity", columns.activity)
        timestampIndex = try index("timestamp", columns.timestamp)
        // The standard resource column is optional; a resource column named by the user is not.
        if let resource = columns.resource {
            resourceIndex = resource == CSVEventLog.Columns.standard.resource ? names.firstIndex(of: resource) : try index("resource", resource)
        } else {
            resourceIndex = nil
        }
        groupIndex = try columns.group.map { try index("group", $0) }
        self.filters = try filters.map { filter in
            (try index("filter", filter.key), filter.values.sorted().map { Array($0.utf8) })
        }
    }

    func emit(_ record: CSVRecord, line: Int, into assembler: TraceAssembler, timestamps: TimestampParser) throws {
        if record.count == 1 && record.bytes(at: 0).isEmpty { return }  // a blank line
        let caseBytes = record.bytes(at: caseIndex), activityBytes = record.bytes(at: activityIndex)
        let timeBytes = record.bytes(at: timestampIndex)
        guard !caseBytes.isEmpty else { return assembler.diagnostics.skip("case", line: line) }
        guard !activityBytes.isEmpty else { return assembler.diagnostics.skip("activity", line: line) }
        guard !timeBytes.isEmpty else { return assembler.diagnostics.skip("timestamp", line: line) }
        guard let time = timestamps.parse(timeBytes) else {
            return assembler.diagnostics.unreadable(String(decoding: timeBytes, as: UTF8.self), line: line)
        }
        var event = TraceEvent(activity: assembler.activities.id(of: activityBytes), time: time)
        if let resourceIndex {
            let bytes = record.bytes(at: resourceIndex)
            if !bytes.isEmpty { event.resource = assembler.resources.id(of: bytes) }
        }
        if let groupIndex {
            let bytes = record.bytes(at: groupIndex)
            if !bytes.isEmpty { event.group = assembler.groups.id(of: bytes) }
        }
        var matches: UInt64 = 0
        for (bit, filter) in filters.enumerated() {
            let value = record.bytes(at: filter.index)
            if filter.values.contains(where: { $0.elementsEqual(value) }) { matches |= 1 << UInt64(bit) }
        }
        try assembler.add(case: caseBytes, event: event, matches: matches)
    }
}

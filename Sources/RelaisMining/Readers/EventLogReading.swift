/// The formats `relais mine` and the API read.
public enum EventLogFormat: String, Sendable, CaseIterable {
    case csv, xes, ocel

    /// What the log's first significant character says: `<` XML, `{` JSON, anything else CSV.
    public static func detect(_ source: any ByteSource) throws -> EventLogFormat {
        let head = try source.prefix(4096)
        let significant = head.drop { [0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }.first
        return significant == 0x3C ? .xes : significant == 0x7B ? .ocel : .csv
    }
}

/// How a log is to be read: the names of its fields, its timestamp pattern, its CSV delimiter,
/// the object type of an OCEL log. One value serves the command line and the API.
public struct EventLogReading: Sendable {
    public var names: LogFieldNames
    /// A Unicode date pattern for CSV timestamps; ISO 8601 without one.
    public var timestampFormat: String?
    /// `,`, `;` or tab; detected when nil.
    public var delimiter: UInt8?
    /// OCEL: the object type whose objects are the cases.
    public var objectType: String?

    public init(names: LogFieldNames = .init(), timestampFormat: String? = nil, delimiter: UInt8? = nil, objectType: String? = nil) {
        self.names = names
        self.timestampFormat = timestampFormat
        self.delimiter = delimiter
        self.objectType = objectType
    }

    /// The log in `source`, read as `format` (detected from its content when nil).
    public func log(_ source: any ByteSource, format: EventLogFormat? = nil) throws -> EventLog {
        switch try format ?? EventLogFormat.detect(source) {
        case .csv:
            let timestamps = try timestampFormat.map { try TimestampParser(pattern: $0) } ?? TimestampParser()
            return .csv(CSVEventLog(source: source, columns: names.csvColumns, timestamps: timestamps, delimiter: delimiter))
        case .xes:
            return .xes(XESEventLog(source: source, keys: names.xesKeys))
        case .ocel:
            guard let objectType else {
                throw EventLogError.invalidOption(name: "object_type", reason: "an OCEL log is mined per object type; none was given")
            }
            return .ocel(OCELEventLog(source: source, objectType: objectType))
        }
    }
}

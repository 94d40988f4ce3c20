/// Why an event log could not be read at all. Rows that are merely incomplete are not errors:
/// they are counted in `LogDiagnostics` and the rest of the log is mined.
public enum EventLogError: Error, Equatable, CustomStringConvertible {
    case badTimestampPattern(String)
    case missingColumn(role: String, name: String, available: [String])
    case emptyFile
    case doctypeRefused(line: Int)
    case malformedXML(line: Int, reason: String)
    case notAnEventLog(String)
    case unreadableFile(path: String, reason: String)
    case badFilter(String)
    /// A mining option out of its range, named as the API names it.
    case invalidOption(name: String, reason: String)
    /// One row, tag, comment or inflated file larger than a reader keeps in memory.
    case tooLarge(what: String, limit: Int)
    /// Reading took longer than the server gives a log sent to be mined.
    case tookTooLong(seconds: Int)

    /// The longest row of a CSV log, or tag, comment or CDATA of an XES log, a reader holds: a
    /// quote or a comment never closed would otherwise make it hold the whole file.
    public static let longestToken = 16 << 20

    public var description: String {
        switch self {
        case .badTimestampPattern(let pattern):
            return "timestamp pattern '\(pattern)' is not a Unicode date pattern"
        case .missingColumn(let role, let name, let available):
            return "the \(role) column '\(name)' is not in the header; columns are: \(available.joined(separator: ", "))"
        case .emptyFile:
            return "the file is empty: a CSV log needs a header row"
        case .doctypeRefused(let line):
            return "line \(line): XML with a DOCTYPE is refused (entities are never expanded)"
        case .malformedXML(let line, let reason):
            return "line \(line): \(reason)"
        case .notAnEventLog(let reason):
            return reason
        case .unreadableFile(let path, let reason):
            return "\(path): \(reason)"
        case .badFilter(let reason):
            return reason
        case .invalidOption(let name, let reason):
            return "\(name): \(reason)"
        case .tooLarge(let what, let limit):
            return "\(what) is larger than \(limit >> 20) MiB"
        case .tookTooLong(let seconds):
            return "the log took more than \(seconds) s to read; mine a log this large with `relais mine`"
        }
    }
}

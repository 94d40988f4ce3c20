import Foundation
import RelaisCore

/// A peer tool's export reader: the source its mappings name, the local fields the coverage
/// report looks at, and how its answers become records.
public protocol PeerTool {
    static var source: String { get }
    static var referentialFields: [String] { get }
    static func read(_ data: Data) throws -> [PeerInput]
}

/// What the JSON readers of peer tools share: the records under a key of the answer (or a bare
/// list), each read on its own and refused with its position.
enum PeerJSON {
    /// From this size on, an export is read in pieces, one per core.
    static let piecewiseFrom = 1 << 20

    static func records(
        _ data: Data, under key: String, noun: String, tool: String,
        read: @escaping @Sendable ([String: Any]) -> Result<PeerRecord, PeerRecordProblem.Reason>
    ) throws -> [PeerInput] {
        if data.count >= piecewiseFrom, let inputs = piecewise(data, under: key, noun: noun, read: read) { return inputs }
        guard let root = try? JSONSerialization.jsonObject(with: data) else { throw PeerRecordProblem(position: "file", reason: "not JSON") }
        let items: [Any]
        if let object = root as? [String: Any], let list = object[key] as? [Any] {
            items = list
        } else if let array = root as? [Any] {
            items = array
        } else {
            throw PeerRecordProblem(position: "file", reason: "expected an object with '\(key)', a list of \(tool) \(noun)s")
        }
        return inputs(items, first: 0, noun: noun, read: read)
    }

    static func inputs(_ items: [Any], first: Int, noun: String, read: ([String: Any]) -> Result<PeerRecord, PeerRecordProblem.Reason>) -> [PeerInput]
    {
        items.enumerated().map { offset, item in
            let position = "\(noun) \(first + offset + 1)"
            guard let fields = item as? [String: Any] else {
                return PeerInput(position: position, record: .failure(PeerRecordProblem(position: position, reason: "not an object")))
            }
            return PeerInput(position: position, record: read(fields).mapError { PeerRecordProblem(position: position, reason: $0.text) })
        }
    }

    /// The items parsed and read in as many pieces as there are cores, each piece a list of
    /// consecutive items; nil when the export is not shaped as expected or a piece does not
    /// parse, so that reading it whole says what is wrong.
    static func piecewise(
        _ data: Data, under key: String, noun: String,
        read: @escaping @Sendable ([String: Any]) -> Result<PeerRecord, PeerRecordProblem.Reason>
    ) -> [PeerInput]? {
        guard let ranges = JSONItems.ranges(in: data, under: key) else { return nil }
        let pieces = min(ProcessInfo.processInfo.activeProcessorCount, max(1, ranges.count / 1_000))
        guard pieces > 1 else { return nil }
        let bounds = (0...pieces).map { ranges.count * $0 / pieces }
        let results = PieceResults(count: pieces)
        DispatchQueue.concurrentPerform(iterations: pieces) { piece in
            let items = ranges[bounds[piece]..<bounds[piece + 1]]
            guard let first = items.first, let last = items.last else { return results.set(piece, []) }
            var text = Data([UInt8(ascii: "[")])
            text.append(data[data.startIndex + first.lowerBound..<data.startIndex + last.upperBound])
            text.append(UInt8(ascii: "]"))
            guard let list = (try? JSONSerialization.jsonObject(with: text)) as? [Any], list.count == items.count else {
                return results.set(piece, nil)
            }
            results.set(piece, inputs(list, first: bounds[piece], noun: noun, read: read))
        }
        return results.joined()
    }

    /// Each piece's inputs, written by the thread that read the piece.
    private final class PieceResults: @unchecked Sendable {
        private let lock = NSLock()
        private var pieces: [[PeerInput]?]

        init(count: Int) { pieces = Array(repeating: nil, count: count) }

        func set(_ piece: Int, _ inputs: [PeerInput]?) {
            lock.withLock { pieces[piece] = inputs }
        }

        /// All inputs in order, or nil when a piece failed.
        func joined() -> [PeerInput]? {
            lock.withLock {
                var all: [PeerInput] = []
                for piece in pieces {
                    guard let piece else { return nil }
                    all += piece
                }
                return all
            }
        }
    }

    /// A field as text: strings as they are, numbers written out, empty as nil.
    static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String: string.isEmpty ? nil : string
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }
}

/// Tickets of Zendesk's incremental export (`GET /api/v2/incremental/tickets/cursor.json`: an
/// object with `tickets`, `after_cursor` and `end_of_stream`) or of its tickets API.
public enum ZendeskTickets: PeerTool {
    public static let source = "zendesk"
    public static let referentialFields = ["status", "type", "priority", "channel", "group_id"]

    public static func read(_ data: Data) throws -> [PeerInput] {
        try PeerJSON.records(data, under: "tickets", noun: "ticket", tool: "Zendesk") { ticket in
            guard let id = PeerJSON.text(ticket["id"]) else { return .failure(.init("no id")) }
            guard let created = ticket["created_at"] as? String else { return .failure(.init("no created_at")) }
            guard let createdAt = ColumnMapping.time(created) else { return .failure(.init("created_at: '\(created)' is not a time")) }
            let updatedAt = (ticket["updated_at"] as? String).flatMap(ColumnMapping.time) ?? createdAt
            var values: [String: String] = [:]
            for field in ["status", "type", "priority", "group_id"] { values[field] = PeerJSON.text(ticket[field]) }
            values["channel"] = PeerJSON.text((ticket["via"] as? [String: Any])?["channel"])
            return .success(
                PeerRecord(
                    source: source, externalID: id, title: PeerJSON.text(ticket["subject"]) ?? "",
                    description: PeerJSON.text(ticket["description"]) ?? "", values: values,
                    createdAt: createdAt, updatedAt: max(updatedAt, createdAt)))
        }
    }
}

/// Tickets of Freshservice's API v2 (`GET /api/v2/tickets`: an object with `tickets`), whose
/// status (2 open, 3 pending, 4 resolved, 5 closed), priority (1 low to 4 urgent) and source are
/// numbers.
public enum FreshserviceTickets: PeerTool {
    public static let source = "freshservice"
    public static let referentialFields = ["status", "priority", "urgency", "impact", "source", "type", "category", "group_id"]

    public static func read(_ data: Data) throws -> [PeerInput] {
        try PeerJSON.records(data, under: "tickets", noun: "ticket", tool: "Freshservice") { ticket in
            guard let id = PeerJSON.text(ticket["id"]) else { return .failure(.init("no id")) }
            guard let created = ticket["created_at"] as? String else { return .failure(.init("no created_at")) }
            guard let createdAt = ColumnMapping.time(created) else { return .failure(.init("created_at: '\(created)' is not a time")) }
            let updatedAt = (ticket["updated_at"] as? String).flatMap(ColumnMapping.time) ?? createdAt
            var values: [String: String] = [:]
            for field in referentialFields { values[field] = PeerJSON.text(ticket[field]) }
            return .success(
                PeerRecord(
                    source: source, externalID: id, title: PeerJSON.text(ticket["subject"]) ?? "",
                    description: PeerJSON.text(ticket["description_text"]) ?? "", values: values,
                    createdAt: createdAt, updatedAt: max(updatedAt, createdAt)))
        }
    }
}

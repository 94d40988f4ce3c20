import Foundation

/// An object-centric event log in OCEL 2.0 JSON, flattened on one object type: each object of
/// that type is a case, holding the events related to it (an event related to two orders is in
/// both cases). Unlike XES and CSV, the file is read whole: JSON gives no place to cut it.
public struct OCELEventLog: EventLogReader {
    public var source: any ByteSource
    /// The object type whose objects are the cases (`order`, `ticket`).
    public var objectType: String

    public init(source: any ByteSource, objectType: String) {
        self.source = source
        self.objectType = objectType
    }

    struct Document: Decodable {
        struct Named: Decodable { var name: String }
        struct Object: Decodable {
            var id: String
            var type: String
        }
        struct Relationship: Decodable { var objectId: String }
        struct Event: Decodable {
            var id: String
            var type: String
            var time: String
            var relationships: [Relationship]?
        }
        var objectTypes: [Named]
        var objects: [Object]
        var events: [Event]
    }

    func read(into assembler: TraceAssembler, filters: [AttributeFilter]) throws {
        guard filters.isEmpty else { throw EventLogError.badFilter("attribute filters are not read from OCEL logs") }
        var bytes: [UInt8] = []
        try source.read { bytes.append(contentsOf: $0) }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(bytes))
        } catch {
            throw EventLogError.notAnEventLog("not an OCEL 2.0 JSON log: \(Self.describe(error))")
        }
        let types = document.objectTypes.map(\.name)
        guard types.contains(objectType) else {
            throw EventLogError.notAnEventLog("the log has no object type '\(objectType)'; it has \(types.joined(separator: ", "))")
        }
        let cases = Set(document.objects.filter { $0.type == objectType }.map(\.id))
        // Events of a case together, each case in the order its first event appears, events in
        // the file's order (the assembler then orders them by time, ties kept).
        var order: [String] = [], byCase: [String: [(event: Document.Event, position: Int)]] = [:]
        for (position, event) in document.events.enumerated() {
            var related = Set<String>()
            for relationship in event.relationships ?? [] where cases.contains(relationship.objectId) {
                // An event related twice to one object (two qualifiers) is one event of its case.
                guard related.insert(relationship.objectId).inserted else { continue }
                if byCase[relationship.objectId] == nil { order.append(relationship.objectId) }
                byCase[relationship.objectId, default: []].append((event, position + 1))
            }
        }
        for caseID in order {
            var name = caseID
            try name.withUTF8 { caseBytes in
                for (event, position) in byCase[caseID]! {
                    guard !event.type.isEmpty else {
                        assembler.diagnostics.skip("activity", line: position)
                        continue
                    }
                    guard let time = TimestampParser().parse(event.time) else {
                        assembler.diagnostics.unreadable(event.time, line: position)
                        continue
                    }
                    let traceEvent = TraceEvent(activity: assembler.activities.id(of: event.type), time: time)
                    try assembler.add(case: UnsafeRawBufferPointer(caseBytes), event: traceEvent, matches: 0)
                }
            }
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default:
            return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? "the top" : String(path.drop { $0 == "." })
    }
}

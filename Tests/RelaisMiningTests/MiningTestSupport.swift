import Foundation
import RelaisMining

/// A source that hands its bytes over in chunks of `size`, to test rows and tags cut anywhere.
struct ChunkedBytes: ByteSource {
    let bytes: [UInt8]
    let size: Int

    init(_ text: String, size: Int) {
        bytes = Array(text.utf8)
        self.size = size
    }

    func read(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var start = 0
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            try bytes[start..<end].withUnsafeBytes { try body($0) }
            start = end
        }
    }
}

enum Fixture {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!
    }

    static func text(_ name: String) throws -> String { try String(contentsOf: url(name), encoding: .utf8) }

    static let claimsColumns = CSVEventLog.Columns(caseID: "case", activity: "activity", timestamp: "time", resource: "resource", group: "team")

    static func claims(_ source: any ByteSource) -> EventLog {
        .csv(CSVEventLog(source: source, columns: claimsColumns))
    }
}

/// Microseconds since 1970 of an ISO 8601 instant written in a test.
func micros(_ text: String) -> Int64 { TimestampParser().parse(text)! }

extension MiningReport {
    func edge(_ from: String, _ to: String) -> Edge? { edges.first { $0.from == from && $0.to == to } }
    var edgeCounts: [String: Int] { Dictionary(uniqueKeysWithValues: edges.map { ("\($0.from)>\($0.to)", $0.count) }) }
    var variantCounts: [String: Int] {
        Dictionary(uniqueKeysWithValues: variants.map { ($0.activities.joined(separator: ","), $0.count) })
    }
}

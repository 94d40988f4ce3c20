import Benchmark
import Foundation
import RelaisCore
import RelaisIntegrations
import RelaisMap
import RelaisStore

/// ServiceNow incidents imported from an exported file: the JSON read, every record mapped
/// through the demo map's mappings, and written with its history (created, resolved, closed at
/// the tool's times) and its raw values, on a fresh SQLite file each time.
enum ImportBench {
    static let records = 20_000

    static func register() {
        Benchmark("Import: read and map 20,000 ServiceNow incidents (no storage)",
                  configuration: .init(metrics: [.wallClock], maxDuration: .seconds(60), maxIterations: 5)) { benchmark in
            let map = try MapLoader.load(contentsOf: mapPath)
            let data = export()
            let organization = UUID()
            benchmark.startMeasurement()
            let inputs = try ServiceNowRecords.read(data)
            var mapped = 0
            for input in inputs {
                guard case let .success(record) = input.record else { continue }
                if case .success = PeerImportRules.translate(record, map: map, organizationID: organization, id: UUID()) { mapped += 1 }
            }
            benchmark.stopMeasurement()
            precondition(mapped == records)
        }

        Benchmark("Import: 20,000 ServiceNow incidents from a file (read, mapped, history, SQLite)",
                  configuration: .init(metrics: [.wallClock], maxDuration: .seconds(120), maxIterations: 5)) { benchmark in
            let map = try MapLoader.load(contentsOf: mapPath)
            let data = export()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let database = try RelaisDatabase.open(folder.appendingPathComponent("import.sqlite").path)
            try await Migrator.migrate(database)
            let organization = try await DirectoryRepository(database: database).ensureOrganization(slug: "acme", name: "Acme")
            benchmark.startMeasurement()
            let inputs = try ServiceNowRecords.read(data)
            let report = try await PeerImporter(database: database, map: map)
                .run(inputs, fields: ServiceNowRecords.referentialFields, organizationID: organization.id)
            benchmark.stopMeasurement()
            precondition(report.created == records, "\(report.created) created, \(report.skipped.prefix(3))")
            await database.close()
        }
    }

    /// A Table API answer of `records` incidents: a third open, a third resolved, a third closed.
    static func export() -> Data {
        let states = ["1", "2", "3", "6", "7"], groups = ["Service Desk", "Network"], categories = ["Network", "Software"]
        var items: [String] = []
        items.reserveCapacity(records)
        for index in 0..<records {
            let day = 1 + index % 28, state = states[index % states.count]
            let resolved = state == "6" || state == "7" ? "2026-10-\(String(format: "%02d", min(day + 1, 28))) 12:00:00" : ""
            let closed = state == "7" ? "2026-10-\(String(format: "%02d", min(day + 2, 28))) 12:00:00" : ""
            items.append("""
                {"sys_id":"\(String(format: "%032x", index))","number":"INC\(String(format: "%07d", index))",\
                "short_description":"Incident \(index) reported by phone","description":"Details of incident \(index).",\
                "state":"\(state)","impact":"\(1 + index % 3)","urgency":"\(1 + index % 3)","priority":"\(1 + index % 5)",\
                "category":"\(categories[index % 2])","subcategory":"","assignment_group":{"display_value":"\(groups[index % 2])","value":"g\(index % 2)"},\
                "contact_type":"phone","opened_at":"2026-10-\(String(format: "%02d", day)) 08:00:00","sys_updated_on":"2026-10-28 08:00:00",\
                "sys_updated_by":"itil","resolved_at":"\(resolved)","closed_at":"\(closed)"}
                """)
        }
        return Data(("{\"result\":[" + items.joined(separator: ",") + "]}").utf8)
    }
}

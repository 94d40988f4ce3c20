import Benchmark
import Foundation
import RelaisCore
import RelaisMap
import RelaisStore

/// The example map, read from the repository.
let mapPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Examples/acme.map.yaml").path

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(5), maxIterations: 1_000_000)

    Benchmark("Map: load and validate the example map") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try MapLoader.load(contentsOf: mapPath)) }
    }

    Benchmark("Core: open a routed incident") { benchmark in
        let map = try MapLoader.load(contentsOf: mapPath)
        let draft = TicketDraft(family: "incident", title: "Mail is down", channel: "api", openedBy: "internal",
                                impact: "high", urgency: "medium", severity: "critical", category: "network",
                                links: [CRMLink(kind: .account, id: UUID())])
        let organization = UUID(), now = Date()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try TicketRules.open(draft, map: map, context: ["account.tier": "strategic"], id: UUID(), organizationID: organization, now: now))
        }
    }

    Benchmark("Store: create a ticket on SQLite (one transaction)", configuration: .init(maxDuration: .seconds(10), maxIterations: 20_000)) { benchmark in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try RelaisDatabase.open(folder.appendingPathComponent("bench.sqlite").path)
        try await Migrator.migrate(database)
        let map = try MapLoader.load(contentsOf: mapPath)
        let directory = DirectoryRepository(database: database)
        let organization = try await directory.ensureOrganization(slug: "acme", name: "Acme")
        let agent = try await directory.addUser(organizationID: organization.id, name: "bench", email: nil, role: .agent)
        let service = TicketService(map: map, database: database)
        let draft = TicketDraft(family: "service_request", title: "Laptop", channel: "api", openedBy: "internal", impact: "medium", urgency: "low")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await service.open(draft, by: agent)) }
        benchmark.stopMeasurement()
        await database.close()
    }

    Benchmark("Store: generate demo tickets on SQLite", configuration: .init(metrics: [.wallClock], maxDuration: .seconds(20), maxIterations: 5)) { benchmark in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try RelaisDatabase.open(folder.appendingPathComponent("bench.sqlite").path)
        try await Migrator.migrate(database)
        let organization = try await DirectoryRepository(database: database).ensureOrganization(slug: "acme", name: "Acme")
        let demo = DemoData(map: try MapLoader.load(contentsOf: mapPath), database: database)
        benchmark.startMeasurement()
        blackHole(try await demo.generate(organizationID: organization.id, options: .init(tickets: 20_000)))
        benchmark.stopMeasurement()
        await database.close()
    }
}

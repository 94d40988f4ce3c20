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

    Benchmark("SLA: 1,000 deadlines on a business calendar", configuration: .init(metrics: [.wallClock, .throughput])) { benchmark in
        let map = try MapLoader.load(contentsOf: mapPath)
        let timeline = try requireTimelineFunction(map, "paris-office")
        var random = SystemRandomNumberGenerator()
        let start: Int64 = 1_767_225_600_000 // 2026-01-01
        let requests = (0..<1_000).map { _ in (Int64.random(in: start..<(start + 3 * 365 * 86_400_000), using: &random), Int64.random(in: 60_000...(40 * 3_600_000), using: &random)) }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for (instant, amount) in requests { blackHole(timeline.adding(amount, to: instant)) }
        }
    }

    Benchmark("SLA: re-evaluate 100,000 open tickets after a calendar edit", configuration: .init(metrics: [.wallClock], maxDuration: .seconds(30), maxIterations: 10)) { benchmark in
        var map = try MapLoader.load(contentsOf: mapPath)
        let policy = try requirePolicyFunction(map, "incident-standard")
        let histories = SLAHistories.make(count: 100_000)
        let now: Int64 = 1_798_761_600_000 // 2027-01-01
        map.calendars["paris-office"]?.holidays.insert(CivilDate(iso: "2026-12-24")!)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            // The edit: the calendar is unrolled anew, then every open ticket evaluated on it.
            let timeline = try requireTimelineFunction(map, "paris-office")
            var breached = 0
            for events in histories {
                let state = SLAClock.evaluate(events, policy: policy, timeline: timeline, now: now)
                if state.metrics.contains(where: \.breached) { breached += 1 }
            }
            blackHole(breached)
        }
    }

    Benchmark("Store: create a ticket on SQLite (one transaction)", configuration: .init(maxDuration: .seconds(10), maxIterations: 20_000)) { benchmark in
        let desk = try await BenchDesk.make()
        defer { try? FileManager.default.removeItem(at: desk.folder) }
        let draft = TicketDraft(family: "service_request", title: "Laptop", channel: "api", openedBy: "internal", impact: "medium", urgency: "low")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await desk.service.open(draft, by: desk.agent)) }
        benchmark.stopMeasurement()
        await desk.database.close()
    }

    Benchmark("Store: change a ticket's severity on SQLite (roll-up included)", configuration: .init(metrics: [.wallClock], maxDuration: .seconds(10), maxIterations: 5_000)) { benchmark in
        let desk = try await BenchDesk.make()
        defer { try? FileManager.default.removeItem(at: desk.folder) }
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(try await desk.service.update(key: desk.ticket.key, with: TicketPatch(severity: index % 2 == 0 ? "minor" : "major"), ifMatch: nil, by: desk.agent))
        }
        benchmark.stopMeasurement()
        await desk.database.close()
    }

    Benchmark("Store: the roll-up of one ticket change, alone in its own transaction", configuration: .init(metrics: [.wallClock], maxDuration: .seconds(10), maxIterations: 5_000)) { benchmark in
        let desk = try await BenchDesk.make()
        defer { try? FileManager.default.removeItem(at: desk.folder) }
        let rollups = AccountRollups(database: desk.database)
        var before = desk.ticket, after = desk.ticket
        after.severity = "major"
        after.category = "network"
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try await rollups.record(change: before, to: after)
            swap(&before, &after)
        }
        benchmark.stopMeasurement()
        await desk.database.close()
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

    // A catalogue of 100,000 articles, 100,000 items and 500,000 relations takes about two minutes
    // to generate; RELAIS_BENCH_CATALOGUE names a file made once with
    // `relais demo generate --tickets 0 --articles 100000 --items 100000 --relations 500000 --database FILE`.
    Benchmark("Knowledge: search among 100,000 articles (SQLite, search recorded)",
              configuration: .init(metrics: [.wallClock], maxDuration: .seconds(20), maxIterations: 3_000)) { benchmark in
        let catalogue = try await BenchCatalogue.open()
        let service = KnowledgeService(map: catalogue.map, database: catalogue.database, tickets: TicketService(map: catalogue.map, database: catalogue.database))
        let queries = DemoCatalogue.queries(1_000, seed: 7)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(try await service.search(queries[index % queries.count], language: nil, category: nil, status: nil, limit: 10, by: catalogue.agent))
        }
        benchmark.stopMeasurement()
        await catalogue.database.close()
    }

    Benchmark("Knowledge: ticket-subject suggestions among 100,000 articles (SQLite, any word)",
              configuration: .init(metrics: [.wallClock], maxDuration: .seconds(20), maxIterations: 3_000)) { benchmark in
        let catalogue = try await BenchCatalogue.open()
        let service = KnowledgeService(map: catalogue.map, database: catalogue.database, tickets: TicketService(map: catalogue.map, database: catalogue.database))
        let subjects = DemoCatalogue.queries(1_000, seed: 11).map { "My \($0) is not working since this morning" }
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(try await service.suggestions(for: subjects[index % subjects.count], family: nil, record: false, by: catalogue.agent))
        }
        benchmark.stopMeasurement()
        await catalogue.database.close()
    }

    Benchmark("CMDB: impact of an incident, 100,000 items and 500,000 relations (graph loaded)",
              configuration: .init(metrics: [.wallClock], maxDuration: .seconds(30), maxIterations: 1_000)) { benchmark in
        // Each sample is one call of this closure: the service and its loaded graph are kept
        // between samples, and each sample starts from the next of 500 failing items.
        let (cmdb, agent, start) = try await ImpactBench.shared.next()
        benchmark.startMeasurement()
        blackHole(try await cmdb.impact(of: start, by: agent))
        benchmark.stopMeasurement()
    }

    Benchmark("CMDB: load the impact graph of 100,000 items and 500,000 relations",
              configuration: .init(metrics: [.wallClock], maxDuration: .seconds(30), maxIterations: 5)) { benchmark in
        let catalogue = try await BenchCatalogue.open()
        let starts = try await catalogue.infrastructure(1)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            // A new service holds an empty cache: the first impact reads every item and relation.
            let cmdb = CMDBService(map: catalogue.map, database: catalogue.database, tickets: TicketService(map: catalogue.map, database: catalogue.database))
            blackHole(try await cmdb.impact(of: starts[0], by: catalogue.agent))
        }
        benchmark.stopMeasurement()
        await catalogue.database.close()
    }

    WebhookBench.register()
    MailBench.register()
    ImportBench.register()
}

/// The CMDB service of the impact benchmark, its graph loaded once, and the items incidents start from.
actor ImpactBench {
    static let shared = ImpactBench()
    private var state: (CMDBService, Principal, [UUID])?
    private var count = 0

    func next() async throws -> (CMDBService, Principal, UUID) {
        if state == nil {
            let catalogue = try await BenchCatalogue.open()
            let cmdb = CMDBService(map: catalogue.map, database: catalogue.database, tickets: TicketService(map: catalogue.map, database: catalogue.database))
            let starts = try await catalogue.infrastructure(500)
            _ = try await cmdb.impact(of: starts[0], by: catalogue.agent)
            state = (cmdb, catalogue.agent, starts)
        }
        let (cmdb, agent, starts) = state!
        count += 1
        return (cmdb, agent, starts[count % starts.count])
    }
}

/// The knowledge base and CMDB the search and impact benchmarks read.
struct BenchCatalogue {
    let database: RelaisDatabase
    let map: ProcessMap
    let agent: Principal

    static func open() async throws -> BenchCatalogue {
        let map = try MapLoader.load(contentsOf: mapPath)
        let path: String
        if let given = ProcessInfo.processInfo.environment["RELAIS_BENCH_CATALOGUE"], !given.isEmpty {
            path = given
        } else {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("relais-bench-catalogue.sqlite").path
        }
        let fresh = !FileManager.default.fileExists(atPath: path)
        let database = try RelaisDatabase.open(path)
        try await Migrator.migrate(database)
        let organization = try await DirectoryRepository(database: database).ensureOrganization(slug: map.organization.slug, name: map.organization.name)
        if fresh {
            try await DemoCatalogue(database: database).generateArticles(100_000, organizationID: organization.id)
            _ = try await DemoCatalogue(database: database).generateCMDB(items: 100_000, relations: 500_000, accounts: [], organizationID: organization.id)
        }
        let agent = Principal(userID: UUID(), organizationID: organization.id, name: "bench", role: .agent)
        return BenchCatalogue(database: database, map: map, agent: agent)
    }

    /// Servers and network devices, where incidents start: the first by id of each, half and half,
    /// the same ones `scripts/bench-impact-peer` walks from.
    func infrastructure(_ count: Int) async throws -> [UUID] {
        let repository = CMDBRepository(database: database)
        var ids: [UUID] = []
        for (type, share) in [("server", count / 2), ("network_device", count - count / 2)] where share > 0 {
            ids += try await repository.items(organizationID: agent.organizationID, type: type, accountID: nil, limit: share, after: nil).0.map(\.id)
        }
        return ids
    }
}

/// A fresh SQLite database with an agent, an account and one incident on it.
struct BenchDesk {
    let folder: URL
    let database: RelaisDatabase
    let service: TicketService
    let agent: Principal
    let ticket: Ticket

    static func make() async throws -> BenchDesk {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try RelaisDatabase.open(folder.appendingPathComponent("bench.sqlite").path)
        try await Migrator.migrate(database)
        let map = try MapLoader.load(contentsOf: mapPath)
        let directory = DirectoryRepository(database: database)
        let organization = try await directory.ensureOrganization(slug: "acme", name: "Acme")
        let agent = try await directory.addUser(organizationID: organization.id, name: "bench", email: nil, role: .agent)
        let account = Account(id: UUID(), name: "Orbital", tier: "standard", createdAt: Date())
        try await CRMRepository(database: database).insert(account, organizationID: organization.id)
        let service = TicketService(map: map, database: database)
        let draft = TicketDraft(family: "incident", title: "VPN drops", channel: "api", openedBy: "internal", impact: "medium", urgency: "low",
                                severity: "minor", category: "access", links: [CRMLink(kind: .account, id: account.id)])
        let ticket = try await service.open(draft, by: agent).ticket
        return BenchDesk(folder: folder, database: database, service: service, agent: agent, ticket: ticket)
    }
}

struct BenchmarkSetupError: Error, CustomStringConvertible {
    var description: String
}

func requireTimelineFunction(_ map: ProcessMap, _ code: String) throws -> CalendarTimeline {
    guard let timeline = map.calendars[code]?.timeline() else { throw BenchmarkSetupError(description: "no calendar \(code)") }
    return timeline
}

func requirePolicyFunction(_ map: ProcessMap, _ code: String) throws -> SLAPolicy {
    guard let policy = map.sla[code] else { throw BenchmarkSetupError(description: "no SLA policy \(code)") }
    return policy
}

/// Seeded ticket histories of the shapes a desk sees: opened, answered, waiting for the customer,
/// resumed, re-prioritised.
enum SLAHistories {
    static func make(count: Int) -> [[SLAEvent]] {
        var state: UInt64 = 2026
        func next(_ bound: Int64) -> Int64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int64((state >> 33) % UInt64(bound))
        }
        let start: Int64 = 1_796_083_200_000 // 2026-12-01
        let minute: Int64 = 60_000
        return (0..<count).map { _ in
            var at = start + next(30 * 24 * 60) * minute
            var events = [SLAEvent(at: at, .opened(status: "new", category: .new, priority: ["P1", "P2", "P3", "P4"][Int(next(4))]))]
            at += next(240) * minute
            events.append(SLAEvent(at: at, .reply(byRequester: false, isPublic: true)))
            if next(2) == 0 {
                at += next(600) * minute
                events.append(SLAEvent(at: at, .status("waiting_customer", category: .pending)))
                at += next(3000) * minute
                events.append(SLAEvent(at: at, .status("in_progress", category: .open)))
            }
            if next(4) == 0 {
                at += next(300) * minute
                events.append(SLAEvent(at: at, .priority("P1")))
            }
            return events
        }
    }
}

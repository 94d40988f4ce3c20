import Benchmark
import Foundation
import Hummingbird
import Logging
import RelaisCore
import RelaisIntegrations
import RelaisStore
import SQLKit

/// 10,000 outbox events (2,000 tickets with five events each) sent to a receiver in this process,
/// on SQLite: hand-over from the outbox, leases, signing, HTTP on loopback and recording included.
/// Each sample puts the same events back in the outbox and sends them all.
enum WebhookBench {
    static let events = 10_000, subjects = 2_000

    static func register() {
        Benchmark("Webhooks: deliver 10,000 events to a local receiver (SQLite)",
                  configuration: .init(metrics: [.wallClock], maxDuration: .seconds(60), maxIterations: 10)) { benchmark in
            let bench = try await WebhookBench.Setup.shared()
            try await bench.reset()
            benchmark.startMeasurement()
            // The lanes of `relais serve`, each running rounds until the events are all delivered.
            let delivered = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<bench.dispatcher.settings.lanes {
                    group.addTask {
                        var delivered = 0, idle = 0
                        while idle < 3 {
                            let round = try await bench.dispatcher.runOnce()
                            delivered += round.delivered
                            idle = round.sent == 0 && round.eventsHandedOver == 0 ? idle + 1 : 0
                        }
                        return delivered
                    }
                }
                return try await group.reduce(0, +)
            }
            benchmark.stopMeasurement()
            if delivered != events { throw BenchmarkSetupError(description: "delivered \(delivered) of \(events)") }
        }
    }

    actor Setup {
        static let instance = Setup()
        var ready: (database: RelaisDatabase, dispatcher: WebhookDispatcher)?

        static func shared() async throws -> (database: RelaisDatabase, dispatcher: WebhookDispatcher, reset: @Sendable () async throws -> Void) {
            let (database, dispatcher) = try await instance.make()
            return (database, dispatcher, {
                try await database.transaction { db in
                    try await db.raw("DELETE FROM webhook_attempts").run()
                    try await db.raw("DELETE FROM webhook_deliveries").run()
                    try await db.raw("UPDATE outbox SET delivered_at = NULL").run()
                }
            })
        }

        func make() async throws -> (RelaisDatabase, WebhookDispatcher) {
            if let ready { return ready }
            let port = try await Receiver.start()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let database = try RelaisDatabase.open(folder.appendingPathComponent("webhooks.sqlite").path)
            try await Migrator.migrate(database)
            let organization = try await DirectoryRepository(database: database).ensureOrganization(slug: "acme", name: "Acme")
            let admin = Principal(userID: UUID(), organizationID: organization.id, name: "bench", role: .admin)
            _ = try await WebhookService(database: database, allowPrivateTargets: true)
                .create(url: "http://127.0.0.1:\(port)/hooks", description: nil, eventTypes: ["relais.ticket.*"], by: admin)
            // Events shaped like a ticket's: five per key, in order.
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            try await database.transaction { db in
                for first in stride(from: 0, to: events, by: 500) {
                    var query = SQLQueryString("INSERT INTO outbox (id, organization_id, type, subject, sequence, payload, created_at) VALUES ")
                    for index in first..<(first + 500) {
                        let subject = "INC-\(index % subjects + 1)", sequence = index / subjects + 1
                        let time = start.addingTimeInterval(Double(index))
                        let type = sequence == 1 ? "relais.ticket.created" : "relais.ticket.commented"
                        let event = CloudEvent(id: UUID(), organizationID: organization.id, type: type, subject: subject, time: time,
                                               sequence: sequence, data: ["key": subject, "family": "incident", "status": "new",
                                                                          "priority": "P3", "team": "service-desk", "actor": "agent"])
                        let payload = String(decoding: try JSONEncoder().encode(event), as: UTF8.self)
                        query.appendLiteral(index == first ? "(" : ", (")
                        query.appendInterpolation(binds: [event.id, organization.id.uuidString.lowercased(), type, subject, sequence, payload,
                                                          Int(time.timeIntervalSince1970 * 1000)] as [any Encodable & Sendable])
                        query.appendLiteral(")")
                    }
                    try await db.raw(query).run()
                }
            }
            var settings = WebhookDispatcher.Settings()
            settings.allowPrivateTargets = true
            let dispatcher = WebhookDispatcher(database: database, settings: settings)
            ready = (database, dispatcher)
            return (database, dispatcher)
        }
    }

    /// A minimal endpoint: reads the body, answers 204.
    enum Receiver {
        static func start() async throws -> Int {
            let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
            let router = Router()
            router.post("/hooks") { request, _ -> HTTPResponse.Status in
                _ = try await request.body.collect(upTo: 1 << 20)
                return .noContent
            }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
                                  logger: Logger(label: "receiver", factory: { _ in SwiftLogNoOpLogHandler() }))
            Task { try await app.run() }
            var iterator = stream.makeAsyncIterator()
            return await iterator.next() ?? 0
        }
    }
}

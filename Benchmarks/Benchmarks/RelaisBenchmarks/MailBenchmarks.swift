import Benchmark
import Foundation
import RelaisCore
import RelaisMap
import RelaisStore

/// 1,000 messages through intake on SQLite over several SMTP connections at once (as a mail server
/// delivers a queue), each connection handing its messages over one at a time: parsed, threaded
/// and stored. Half open tickets (a multipart message with an HTML part and a
/// small attachment), half reply to one of those by In-Reply-To with quoted history.
enum MailBench {
    static let messages = 1_000

    static func register() {
        Benchmark("Mail: parse 1,000 messages (MIME, no storage)", configuration: .init(metrics: [.wallClock], maxDuration: .seconds(20), maxIterations: 20)) { benchmark in
            let raws = (0..<messages).map(message)
            benchmark.startMeasurement()
            for raw in raws { blackHole(try MIMEParser.parse(raw)) }
            benchmark.stopMeasurement()
        }

        // Eight connections, and twenty: what Postfix opens to one destination by default
        // (`default_destination_concurrency_limit`).
        for connections in [8, 20] {
            Benchmark("Mail: 1,000 messages parsed, threaded and stored (SQLite, \(connections) connections)",
                      configuration: .init(metrics: [.wallClock], maxDuration: .seconds(60), maxIterations: 10)) { benchmark in
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-bench-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                try await intake(into: folder.appendingPathComponent("mail.sqlite").path, connections: connections, benchmark)
            }
        }

        // With RELAIS_BENCH_POSTGRES_URL (an administrator's URL), the same on PostgreSQL, where
        // the eight connections write at once instead of taking turns; a database per sample.
        if let admin = ProcessInfo.processInfo.environment["RELAIS_BENCH_POSTGRES_URL"] {
            Benchmark("Mail: 1,000 messages parsed, threaded and stored (PostgreSQL)",
                      configuration: .init(metrics: [.wallClock], maxDuration: .seconds(60), maxIterations: 10)) { benchmark in
                let name = "relais_bench_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
                let server = try RelaisDatabase.open(admin, poolSize: 1)
                try await server.read { db in try await db.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
                var components = URLComponents(string: admin)!
                components.path = "/\(name)"
                try await intake(into: components.string!, connections: 8, benchmark)
                _ = try? await server.read { db in try await db.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run() }
                await server.close()
            }
        }
    }

    /// Runs the 1,000 messages through intake on the database at `url`, timing only the intake.
    static func intake(into url: String, connections: Int, _ benchmark: Benchmark) async throws {
        let database = try RelaisDatabase.open(url)
        try await Migrator.migrate(database)
        let map = try MapLoader.load(contentsOf: mapPath)
        let organization = try await DirectoryRepository(database: database).ensureOrganization(slug: "acme", name: "Acme")
        try await CRMRepository(database: database).insert(Account(id: UUID(), name: "Helix", domain: "helix.example", createdAt: Date()),
                                                           organizationID: organization.id)
        let intake = MailIntake(map: map, database: database, tickets: TicketService(map: map, database: database))
        let raws = (0..<messages).map(message)
        benchmark.startMeasurement()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in 0..<connections {
                group.addTask {
                    // A reply always follows its original on the same connection.
                    for (index, raw) in raws.enumerated() where (index / 2) % connections == connection {
                        blackHole(try await intake.receive(raw, organizationID: organization.id))
                    }
                }
            }
            try await group.waitForAll()
        }
        benchmark.stopMeasurement()
        await database.close()
    }

    static func message(_ index: Int) -> [UInt8] {
        let pair = index / 2
        if index % 2 == 0 {
            return Array("""
            From: User \(pair) <user\(pair)@helix.example>\r
            To: support@acme.example\r
            Subject: Export fails for report \(pair)\r
            Message-ID: <m\(pair)@helix.example>\r
            Date: Fri, 27 Nov 2026 10:00:00 +0100\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary=outer\r
            \r
            --outer\r
            Content-Type: multipart/alternative; boundary=inner\r
            \r
            --inner\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Bonjour, l'export du rapport \(pair) =C3=A9choue avec une erreur 500 depuis ce matin.\r
            --inner\r
            Content-Type: text/html; charset=utf-8\r
            \r
            <p>Bonjour, l'export du rapport \(pair) &eacute;choue avec une erreur 500 depuis ce matin.</p>\r
            --inner--\r
            --outer\r
            Content-Type: image/png; name=capture.png\r
            Content-Transfer-Encoding: base64\r
            \r
            iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r
            --outer--\r

            """.utf8)
        }
        return Array("""
        From: User \(pair) <user\(pair)@helix.example>\r
        To: support@acme.example\r
        Subject: Re: Export fails for report \(pair)\r
        Message-ID: <r\(pair)@helix.example>\r
        In-Reply-To: <m\(pair)@helix.example>\r
        References: <m\(pair)@helix.example>\r
        \r
        Still failing after the restart.\r
        \r
        On Fri, 27 Nov 2026 at 10:05, Acme Support wrote:\r
        > Could you try again?\r

        """.utf8)
    }
}

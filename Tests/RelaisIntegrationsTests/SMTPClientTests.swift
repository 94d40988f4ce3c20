import Foundation
import Logging
import NIOCore
import NIOPosix
import RelaisCore
import RelaisIntegrations
import RelaisStore
import RelaisTestSupport
import Synchronization
import Testing

@Suite struct SMTPClientTests {
    /// Runs Relais's own SMTP listener on a free port over a fresh database.
    func withListener(_ engine: Engine, _ body: (SMTPClient, RelaisDatabase, UUID) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            let map = try ExampleMap.load()
            let organization = try await DirectoryRepository(database: database).ensureOrganization(slug: "acme", name: "Acme")
            // Support tickets need an account: the sender's domain gives it.
            try await CRMRepository(database: database).insert(
                Account(id: UUID(), name: "Helix Pharma", domain: "helix.example", createdAt: Date()), organizationID: organization.id)
            let intake = MailIntake(map: map, database: database, tickets: TicketService(map: map, database: database))
            let port = Mutex(0)
            let listener = Task {
                try await SMTPListener(port: 0, intake: intake, organizationID: organization.id)
                    .run(logger: Logger(label: "test")) { bound in port.withLock { $0 = bound } }
            }
            defer { listener.cancel() }
            while port.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
            try await body(SMTPClient(host: "127.0.0.1", port: port.withLock { $0 }, timeout: 60), database, organization.id)
        }
    }

    func mail(to: String, body: String) -> [UInt8] {
        OutgoingMail(
            from: MailAddress(address: "ana@helix.example", name: "Ana"), to: [MailAddress(address: to)], subject: "Printer jam",
            body: body, messageID: "\(UUID().uuidString)@helix.example", date: Date()
        ).rendered()
    }

    @Test(arguments: Engine.available)
    func aRelayTakesTheMessageDotsIncludedAndRefusesAnUnknownRecipientForGood(engine: Engine) async throws {
        try await withListener(engine) { client, database, organization in
            let body = "The printer on floor 2 jams.\n.\n..and a line of dots above."
            let sent = await client.send(
                from: "ana@helix.example", to: ["support@acme.example"], message: mail(to: "support@acme.example", body: body))
            #expect(sent == .sent, "\(sent)")
            let page = try await TicketRepository(database: database).list(TicketQuery(organizationID: organization))
            #expect(page.tickets.map(\.title) == ["Printer jam"])
            #expect(
                page.tickets.first?.description.replacingOccurrences(of: "\r\n", with: "\n") == body,
                "a lone dot inside the text does not end the message")

            let refused = await client.send(
                from: "ana@helix.example", to: ["nobody@acme.example"], message: mail(to: "nobody@acme.example", body: "x"))
            guard case let .permanent(reason, recipients) = refused else {
                Issue.record("\(refused)")
                return
            }
            #expect(recipients == ["nobody@acme.example"] && reason.hasPrefix("550"))
        }
    }

    @Test func aRelayThatIsNotThereIsATransientFailure() async throws {
        let closed = SMTPClient(host: "127.0.0.1", port: 1, timeout: 5)
        guard case .transient = await closed.send(from: "a@x.example", to: ["b@x.example"], message: Array("Subject: x\r\n\r\nx".utf8)) else {
            Issue.record("a closed port must be retried later")
            return
        }
        #expect(SMTPClient(relay: "mail.example:2525")?.port == 2525 && SMTPClient(relay: "mail.example")?.port == 25)
        #expect(SMTPClient(relay: "mail.example:0") == nil && SMTPClient(relay: ":25") == nil && SMTPClient(relay: "a:b:c") == nil)
    }
}

extension SMTPClientTests {
    @Test func aRelayThatNeverAnswersIsLeftWhenTheTimeIsUp() async throws {
        // A server that accepts the connection and says nothing.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let client = SMTPClient(host: "127.0.0.1", port: try #require(silent.localAddress?.port), timeout: 1)
        let started = ContinuousClock.now
        let attempt = await client.send(from: "a@x.example", to: ["b@x.example"], message: Array("Subject: x\r\n\r\nx".utf8))
        guard case let .transient(reason) = attempt else {
            Issue.record("\(attempt)")
            return
        }
        #expect(reason.contains("did not finish within 1 s"))
        // The silent relay never answers: only abandoning the exchange ends the call (the bound is
        // loose, as the suite shares a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(60), "the exchange is abandoned, not waited for")
    }
}

extension SMTPClientTests {
    /// Everything a peer of the listener receives on one connection after sending `lines`, until
    /// the listener closes it.
    static func transcript(port: Int, sending lines: [String]) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return try await channel.executeThenClose { inbound, outbound in
            // The listener may close first (its limit passed while a loaded machine delayed
            // these writes): what it said before closing is still read.
            for line in lines { try? await outbound.write(ByteBuffer(string: line)) }
            var text = ""
            for try await buffer in inbound { text += String(buffer: buffer) }
            return text
        }
    }

    /// A listener with `limits` over a fresh database; `body` gets its port.
    func withListener(_ engine: Engine, limits: SMTPListener.Limits, _ body: (Int) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            let map = try ExampleMap.load()
            let organization = try await DirectoryRepository(database: database).ensureOrganization(slug: "acme", name: "Acme")
            let intake = MailIntake(map: map, database: database, tickets: TicketService(map: map, database: database))
            let port = Mutex(0)
            let listener = Task {
                try await SMTPListener(port: 0, intake: intake, organizationID: organization.id)
                    .run(logger: Logger(label: "test"), limits: limits) { bound in port.withLock { $0 = bound } }
            }
            defer { listener.cancel() }
            while port.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
            try await body(port.withLock { $0 })
        }
    }

    // The clocks are the listener's event loop's; what the client sends goes at once, so a
    // loaded machine delays no keep-alive of the test's. Under a full suite's load even the
    // greeting may come after a short limit has passed: only the closing reply is required.
    @Test(arguments: Engine.available)
    func aSilentSessionIsClosed(engine: Engine) async throws {
        var limits = SMTPListener.Limits()
        limits.idle = .seconds(2)
        limits.session = .seconds(600)
        try await withListener(engine, limits: limits) { port in
            let started = ContinuousClock.now
            let idle = try await Self.transcript(port: port, sending: ["EHLO x\r\n"])
            #expect(idle.contains("421 4.4.2 idle too long"), "\(idle)")
            #expect(ContinuousClock.now - started < .seconds(300), "closed by the idle limit, not the session's")
        }
    }

    @Test(arguments: Engine.available)
    func anEndlessSessionIsClosed(engine: Engine) async throws {
        var limits = SMTPListener.Limits()
        limits.idle = .seconds(600)
        limits.session = .seconds(2)
        try await withListener(engine, limits: limits) { port in
            let started = ContinuousClock.now
            let endless = try await Self.transcript(port: port, sending: ["EHLO x\r\n", "NOOP\r\n"])
            #expect(endless.contains("421 4.4.2 session too long"), "\(endless)")
            #expect(ContinuousClock.now - started < .seconds(300), "closed by the session's limit, not the idle one")
        }
    }
}

import Foundation
import Hummingbird
import RelaisCore
import RelaisIntegrations
import RelaisStore
import RelaisTestSupport
import Synchronization
import Testing

/// A clock the test moves by hand, so retries fall due without waiting.
final class ManualClock: Sendable {
    let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    func now() -> Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// An organisation with an admin and an agent, tickets to make events with, a receiver and a
/// dispatcher on a manual clock.
struct WebhookFixture {
    /// The key endpoints' secrets are sealed with, as an operator gives it.
    static let secrets = try? SecretBox(encoded: SecretBox.generateEncoded())
    let database: RelaisDatabase
    let admin: Principal
    let agent: Principal
    let tickets: TicketService
    let webhooks: WebhookService
    let receiver: WebhookReceiver
    let clock: ManualClock
    let account: Account

    static func with(_ engine: Engine, _ body: (WebhookFixture) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            let directory = DirectoryRepository(database: database)
            let organization = try await directory.ensureOrganization(slug: "acme", name: "Acme")
            let admin = try await directory.addUser(organizationID: organization.id, name: "admin", email: nil, role: .admin)
            let agent = try await directory.addUser(organizationID: organization.id, name: "agent", email: nil, role: .agent)
            let clock = ManualClock()
            let account = Account(id: UUID(), name: "Helix Pharma", tier: "strategic", createdAt: clock.now())
            try await CRMRepository(database: database).insert(account, organizationID: organization.id)
            let receiver = try await WebhookReceiver.start()
            let fixture = WebhookFixture(
                database: database, admin: admin, agent: agent,
                tickets: TicketService(map: try ExampleMap.load(), database: database, now: { clock.now() }),
                webhooks: WebhookService(database: database, allowPrivateTargets: true, secrets: Self.secrets, now: { clock.now() }),
                receiver: receiver, clock: clock, account: account)
            do {
                try await body(fixture)
                await receiver.stop()
            } catch {
                await receiver.stop()
                throw error
            }
        }
    }

    func dispatcher(delays: [TimeInterval] = [1, 1, 1, 1, 1], allowPrivate: Bool = true, owner: String = "test") -> WebhookDispatcher {
        var settings = WebhookDispatcher.Settings()
        settings.schedule = RetrySchedule(delays: delays, jitter: 0)
        settings.allowPrivateTargets = allowPrivate
        settings.secrets = WebhookFixture.secrets
        settings.timeout = 5
        return WebhookDispatcher(database: database, settings: settings, owner: owner, now: { clock.now() }, random: { 0.5 })
    }

    @discardableResult
    func open(_ title: String) async throws -> Ticket {
        try await tickets.open(
            TicketDraft(
                family: "incident", title: title, channel: "api", openedBy: "internal",
                impact: "medium", urgency: "medium",
                links: [CRMLink(kind: .account, id: account.id)]), by: agent
        ).ticket
    }

    /// Runs rounds, moving the clock past each retry, until nothing is left to send.
    func drain(_ dispatcher: WebhookDispatcher, step: TimeInterval = 2, rounds: Int = 50) async throws {
        for _ in 0..<rounds {
            let round = try await dispatcher.runOnce()
            if round.eventsHandedOver == 0 && round.sent == 0 {
                let pending = try await database.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'").first(decodingColumn: "n", as: Int.self)
                        ?? 0
                }
                if pending == 0 { return }
                clock.advance(step)
            }
        }
    }

    func outboxEvents() async throws -> [(id: String, type: String, subject: String, sequence: Int)] {
        try await database.read { db in
            try await db.raw("SELECT id, type, subject, sequence FROM outbox ORDER BY created_at, sequence").all().map {
                (
                    try $0.decode(column: "id", as: String.self), try $0.decode(column: "type", as: String.self),
                    try $0.decode(column: "subject", as: String.self), try $0.decode(column: "sequence", as: Int.self)
                )
            }
        }
    }

    /// The events the receiver got, in the order each was first received.
    func firstDeliveries() throws -> [CloudEvent] {
        var seen = Set<String>()
        return try receiver.requests.filter { seen.insert($0.id).inserted }.map { try JSONDecoder().decode(CloudEvent.self, from: Data($0.body)) }
    }
}

@Suite struct WebhookDispatcherTests {
    @Test(arguments: Engine.available)
    func deliversSignedCloudEventsOfTheTypesListenedTo(engine: Engine) async throws {
        try await WebhookFixture.with(engine) { f in
            let (endpoint, secret) = try await f.webhooks.create(
                url: f.receiver.url, description: "ops", eventTypes: ["relais.ticket.created"], by: f.admin)
            let ticket = try await f.open("Mail is down")
            _ = try await f.tickets.comment(key: ticket.key, body: "Looking", isPublic: false, by: f.agent)
            let dispatcher = f.dispatcher()
            try await f.drain(dispatcher)
            await dispatcher.shutdown()

            let requests = f.receiver.requests
            try #require(requests.count == 1)
            let request = requests[0]
            let event = try JSONDecoder().decode(CloudEvent.self, from: Data(request.body))
            #expect(event.type == "relais.ticket.created" && event.subject == ticket.key)
            #expect(request.id == event.id)
            #expect(request.contentType.hasPrefix("application/cloudevents+json"))
            #expect(abs(request.timestamp - Int(f.clock.now().timeIntervalSince1970)) < 5)
            #expect(WebhookSigner.verify(header: request.signature, id: request.id, timestamp: request.timestamp, body: request.body, secret: secret))
            #expect(
                !WebhookSigner.verify(header: request.signature, id: request.id, timestamp: request.timestamp + 1, body: request.body, secret: secret)
            )

            let deliveries = try await f.webhooks.deliveries(of: endpoint.id, status: nil, limit: 10, before: nil, by: f.admin)
            #expect(deliveries.map(\.status) == [.delivered] && deliveries[0].attempts == 1 && deliveries[0].lastStatusCode == 204)
            let attempts = try await f.webhooks.attempts(of: endpoint.id, limit: 10, before: nil, by: f.admin)
            #expect(attempts.map(\.statusCode) == [204])
        }
    }

    @Test(arguments: Engine.available)
    func retriesWithTheSameIDAndKeepsEachSubjectInOrder(engine: Engine) async throws {
        try await WebhookFixture.with(engine) { f in
            _ = try await f.webhooks.create(url: f.receiver.url, description: nil, eventTypes: ["relais.*"], by: f.admin)
            // Every other request fails, and the first five all fail.
            f.receiver.answer { index, _ in (index < 5 || index % 2 == 1) ? (.internalServerError, [:]) : (.ok, [:]) }
            var keys: [String] = []
            for number in 0..<4 {
                let ticket = try await f.open("Printer \(number) jams")
                keys.append(ticket.key)
                _ = try await f.tickets.comment(key: ticket.key, body: "first", isPublic: true, by: f.agent)
                _ = try await f.tickets.comment(key: ticket.key, body: "second", isPublic: true, by: f.agent)
            }
            let dispatcher = f.dispatcher(delays: Array(repeating: 1, count: 20))
            try await f.drain(dispatcher, rounds: 200)
            await dispatcher.shutdown()

            let expected = try await f.outboxEvents()
            let first = try f.firstDeliveries()
            #expect(Set(first.map(\.id)) == Set(expected.map(\.id)))
            for key in keys {
                let sequences = first.filter { $0.subject == key }.map { Int($0.sequence)! }
                #expect(sequences == sequences.sorted() && sequences.count == 3, "order for \(key): \(sequences)")
            }
            // A retried event is sent again under the same webhook-id.
            let counts = Dictionary(grouping: f.receiver.requests, by: \.id).mapValues(\.count)
            #expect(counts.values.contains { $0 > 1 })
            #expect(f.receiver.requests.count == counts.values.reduce(0, +))
        }
    }

    @Test(arguments: Engine.available)
    func honoursRetryAfterAndDisablesOnGone(engine: Engine) async throws {
        try await WebhookFixture.with(engine) { f in
            let (endpoint, _) = try await f.webhooks.create(url: f.receiver.url, description: nil, eventTypes: ["relais.ticket.created"], by: f.admin)
            f.receiver.answer { _, _ in (.tooManyRequests, [.retryAfter: "120"]) }
            try await f.open("One")
            let dispatcher = f.dispatcher()
            let start = f.clock.now()
            _ = try await dispatcher.runOnce()
            var delivery = try #require(try await f.webhooks.deliveries(of: endpoint.id, status: .pending, limit: 5, before: nil, by: f.admin).first)
            #expect(delivery.nextAttemptAt == start.addingTimeInterval(120) && delivery.lastStatusCode == 429 && delivery.attempts == 1)
            f.clock.advance(60)
            #expect(try await dispatcher.runOnce().sent == 0)

            f.receiver.answer { _, _ in (.gone, [:]) }
            f.clock.advance(61)
            _ = try await dispatcher.runOnce()
            delivery = try #require(try await f.webhooks.deliveries(of: endpoint.id, status: nil, limit: 5, before: nil, by: f.admin).first)
            #expect(delivery.status == .dead && delivery.lastError?.contains("410") == true)
            let disabled = try await f.webhooks.endpoint(endpoint.id, by: f.admin)
            #expect(!disabled.active && disabled.disabledReason?.contains("410") == true)
            // Events after the 410 are not queued for it.
            try await f.open("Two")
            f.receiver.answer { _, _ in (.ok, [:]) }
            try await f.drain(dispatcher)
            await dispatcher.shutdown()
            #expect(try await f.webhooks.deliveries(of: endpoint.id, status: nil, limit: 5, before: nil, by: f.admin).count == 1)
            #expect(f.receiver.requests.count == 2)
        }
    }

    /// Past the retention, what was delivered goes (the delivery, its tries, the outbox event);
    /// a dead letter stays with its tries and its event, and can still be replayed; the tickets'
    /// history is untouched.
    @Test(arguments: Engine.available)
    func retentionRemovesWhatWasDeliveredAndKeepsDeadLetters(engine: Engine) async throws {
        try await WebhookFixture.with(engine) { f in
            let (endpoint, _) = try await f.webhooks.create(url: f.receiver.url, description: nil, eventTypes: ["relais.ticket.created"], by: f.admin)
            let dispatcher = f.dispatcher(delays: [1, 1])
            let delivered = try await f.open("Old and delivered")
            try await f.drain(dispatcher)
            f.receiver.answer { _, _ in (.badGateway, [:]) }
            let dead = try await f.open("Old and dead")
            try await f.drain(dispatcher)
            #expect(try await f.webhooks.deadLetters(endpointID: endpoint.id, from: nil, to: nil, limit: 10, before: nil, by: f.admin).count == 1)

            f.clock.advance(31 * 86_400)
            f.receiver.answer { _, _ in (.ok, [:]) }
            let recent = try await f.open("Recent")
            try await f.drain(dispatcher)
            let history = try await f.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM ticket_events").first(decodingColumn: "n", as: Int.self) ?? 0
            }
            let before = try await f.outboxEvents()

            let retention = EventRetention(database: f.database, retention: 30 * 86_400, now: { f.clock.now() })
            let removed = try await retention.prune(chunk: 2)
            #expect(removed.deliveries == 1 && removed.attempts == 1)
            let after = try await f.outboxEvents()
            // The old tickets' events go, but for the dead letter's; the recent ticket's stay.
            #expect(Set(after.map(\.subject)) == [dead.key, recent.key])
            #expect(after.filter { $0.subject == dead.key }.map(\.type) == ["relais.ticket.created"])
            #expect(after.filter { $0.subject == recent.key }.count == before.filter { $0.subject == recent.key }.count)
            #expect(!after.contains { $0.subject == delivered.key })
            #expect(removed.events == before.count - after.count)
            #expect(
                try await f.database.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM ticket_events").first(decodingColumn: "n", as: Int.self) ?? 0
                } == history)
            let attempts = try await f.webhooks.attempts(of: endpoint.id, limit: 10, before: nil, by: f.admin)
            #expect(attempts.count == 4)  // the dead letter's three, the recent one's

            // The dead letter is still sent whole on replay.
            let letter = try #require(
                try await f.webhooks.deadLetters(endpointID: endpoint.id, from: nil, to: nil, limit: 10, before: nil, by: f.admin).first)
            _ = try await f.webhooks.replay(letter.id, by: f.admin)
            try await f.drain(dispatcher)
            await dispatcher.shutdown()
            let last = try #require(f.receiver.requests.last)
            #expect(try JSONDecoder().decode(CloudEvent.self, from: Data(last.body)).subject == dead.key)
            // Delivered now, the letter's old tries go; its delivery and event are recent enough.
            #expect(try await retention.prune() == EventRetention.Removed(attempts: 3))
            #expect(try await retention.prune() == EventRetention.Removed())
        }
    }

    @Test(arguments: Engine.available)
    func deadLettersAfterTheLastTryAndReplays(engine: Engine) async throws {
        try await WebhookFixture.with(engine) { f in
            let (endpoint, _) = try await f.webhooks.create(url: f.receiver.url, description: nil, eventTypes: ["relais.ticket.created"], by: f.admin)
            f.receiver.answer { _, _ in (.badGateway, [:]) }
            try await f.open("One")
            try await f.open("Two")
            let dispatcher = f.dispatcher(delays: [1, 1])
            try await f.drain(dispatcher)
            #expect(f.receiver.requests.count == 6)
            let dead = try await f.webhooks.deadLetters(endpointID: endpoint.id, from: nil, to: nil, limit: 10, before: nil, by: f.admin)
            #expect(dead.count == 2 && dead.allSatisfy { $0.attempts == 3 && $0.lastError?.contains("last of 3 tries") == true })

            f.receiver.answer { _, _ in (.ok, [:]) }
            let replayed = try await f.webhooks.replay(dead[0].id, by: f.admin)
            #expect(replayed.status == .pending && replayed.attempts == 0)
            await #expect(throws: StoreError.self) { _ = try await f.webhooks.replay(dead[0].id, by: f.admin) }
            try await f.drain(dispatcher)
            #expect(f.receiver.requests.count == 7 && f.receiver.requests.last?.id == dead[0].eventID)
            // By range: the other one died inside this window.
            let count = try await f.webhooks.replay(
                endpointID: endpoint.id, from: f.clock.now().addingTimeInterval(-3_600),
                to: f.clock.now().addingTimeInterval(1), by: f.admin)
            #expect(count == 1)
            try await f.drain(dispatcher)
            await dispatcher.shutdown()
            #expect(Set(f.receiver.requests.suffix(2).map(\.id)) == Set(dead.map(\.eventID)))
            #expect(try await f.webhooks.deadLetters(endpointID: nil, from: nil, to: nil, limit: 10, before: nil, by: f.admin).isEmpty)
        }
    }

    @Test(arguments: Engine.available)
    func aDispatcherThatDiesLeavesItsBatchToAnotherAfterTheLease(engine: Engine) async throws {
        try await WebhookFixture.with(engine) { f in
            _ = try await f.webhooks.create(url: f.receiver.url, description: nil, eventTypes: ["relais.ticket.*"], by: f.admin)
            let ticket = try await f.open("One")
            _ = try await f.tickets.comment(key: ticket.key, body: "more", isPublic: true, by: f.agent)
            let crashed = f.dispatcher(owner: "crashed")
            _ = try await crashed.repository.fanOut(limit: 100, at: f.clock.now())
            let taken = try await crashed.repository.claim(
                owner: "crashed", limit: 100, at: f.clock.now(),
                leaseUntil: f.clock.now().addingTimeInterval(60))
            #expect(taken.count == 1)  // the comment waits behind the creation of the same ticket
            let other = f.dispatcher(owner: "survivor")
            #expect(try await other.runOnce().sent == 0)
            f.clock.advance(61)
            try await f.drain(other)
            #expect(try f.firstDeliveries().map(\.type) == ["relais.ticket.created", "relais.ticket.commented"])
            // The late answer of the dead process changes nothing.
            try await crashed.repository.record(
                taken.map {
                    DeliveryReport(
                        delivery: $0, attemptedAt: f.clock.now(), durationMilliseconds: 1, statusCode: 500, error: nil,
                        outcome: .failed(reason: "HTTP 500", retryAfter: nil))
                },
                owner: "crashed", schedule: .standard, at: f.clock.now())
            #expect(try await other.runOnce().sent == 0)
            await crashed.shutdown()
            await other.shutdown()
        }
    }

    @Test(arguments: Engine.available)
    func privateTargetsAreRefusedAtDeliveryUnlessAllowed(engine: Engine) async throws {
        try await WebhookFixture.with(engine) { f in
            let (endpoint, _) = try await f.webhooks.create(url: f.receiver.url, description: nil, eventTypes: ["*"], by: f.admin)
            try await f.open("One")
            let strict = f.dispatcher(delays: [1], allowPrivate: false)
            _ = try await strict.runOnce()
            await strict.shutdown()
            #expect(f.receiver.requests.isEmpty)
            let delivery = try #require(try await f.webhooks.deliveries(of: endpoint.id, status: nil, limit: 5, before: nil, by: f.admin).first)
            #expect(delivery.lastError?.contains("private network") == true)

            let strictService = WebhookService(database: f.database, allowPrivateTargets: false, secrets: WebhookFixture.secrets)
            await #expect(
                throws: StoreError.invalidValue(
                    field: "url",
                    reason:
                        "host '127.0.0.1' is on this machine or a private network (allowed only when the server is started with --allow-private-egress)"
                )
            ) {
                _ = try await strictService.create(url: "http://127.0.0.1:9/x", description: nil, eventTypes: ["*"], by: f.admin)
            }
        }
    }

    @Test(arguments: Engine.available)
    func rotationSignsWithBothSecretsForADay(engine: Engine) async throws {
        try await WebhookFixture.with(engine) { f in
            let (endpoint, old) = try await f.webhooks.create(url: f.receiver.url, description: nil, eventTypes: ["*"], by: f.admin)
            let (rotated, new) = try await f.webhooks.rotateSecret(endpoint.id, by: f.admin)
            #expect(new != old && rotated.previousSecretExpiresAt == f.clock.now().addingTimeInterval(86_400))
            try await f.open("One")
            let dispatcher = f.dispatcher()
            try await f.drain(dispatcher)
            var request = try #require(f.receiver.requests.last)
            #expect(request.signature.split(separator: " ").count == 2)
            for secret in [old, new] {
                #expect(
                    WebhookSigner.verify(header: request.signature, id: request.id, timestamp: request.timestamp, body: request.body, secret: secret))
            }
            f.clock.advance(86_401)
            try await f.open("Two")
            try await f.drain(dispatcher)
            await dispatcher.shutdown()
            request = try #require(f.receiver.requests.last)
            #expect(WebhookSigner.verify(header: request.signature, id: request.id, timestamp: request.timestamp, body: request.body, secret: new))
            #expect(!WebhookSigner.verify(header: request.signature, id: request.id, timestamp: request.timestamp, body: request.body, secret: old))
        }
    }

    @Test(.enabled(if: Engine.postgresURL != nil, "needs RELAIS_TEST_POSTGRES_URL"))
    func twoDispatchersOnPostgreSQLNeverSendAnEventTwice() async throws {
        try await WebhookFixture.with(.postgres) { f in
            _ = try await f.webhooks.create(url: f.receiver.url, description: nil, eventTypes: ["relais.ticket.*"], by: f.admin)
            for number in 0..<40 {
                let ticket = try await f.open("Ticket \(number)")
                _ = try await f.tickets.comment(key: ticket.key, body: "note", isPublic: true, by: f.agent)
            }
            let first = f.dispatcher(owner: "one"), second = f.dispatcher(owner: "two")
            async let a: Void = f.drain(first, rounds: 400)
            async let b: Void = f.drain(second, rounds: 400)
            _ = try await (a, b)
            await first.shutdown()
            await second.shutdown()
            let counts = Dictionary(grouping: f.receiver.requests, by: \.id).mapValues(\.count)
            #expect(counts.count == 80 && counts.values.allSatisfy { $0 == 1 })
            for (_, events) in Dictionary(grouping: try f.firstDeliveries(), by: \.subject) {
                #expect(events.map(\.type) == ["relais.ticket.created", "relais.ticket.commented"])
            }
        }
    }
}

@Suite struct WebhookSignatureTests {
    /// The example of the Standard Webhooks specification.
    @Test func matchesThePublishedExample() {
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let header = WebhookSigner.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body,
            secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        #expect(header == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func secretsHaveTheirForm() throws {
        let secret = WebhookSecret.generate()
        #expect(secret.hasPrefix("whsec_") && WebhookSecret.key(secret)?.count == 24)
        #expect(secret != WebhookSecret.generate())
        #expect(WebhookSecret.key("not-a-secret") == nil)
    }
}

/// Signing secrets are kept sealed: the database alone gives none of them.
@Suite struct WebhookSecretTests {
    @Test(arguments: Engine.available)
    func secretsAreSealedAtRestAndStillSign(engine: Engine) async throws {
        try await WebhookFixture.with(engine) { f in
            let (endpoint, secret) = try await f.webhooks.create(url: f.receiver.url, description: nil, eventTypes: ["*"], by: f.admin)
            let stored = try await f.database.read { db in
                try await db.select().column("secret").from("webhook_endpoints").where("id", .equal, endpoint.id.text).first()?
                    .decode(column: "secret", as: String.self)
            }
            #expect(stored?.hasPrefix("v1:") == true)
            #expect(stored?.contains(secret) == false && stored?.contains(String(secret.dropFirst(6))) == false)
            _ = try await f.open("Printer")
            let dispatcher = f.dispatcher()
            _ = try await dispatcher.runOnce()
            await dispatcher.shutdown()
            let request = try #require(f.receiver.requests.first)
            // The signature is made with the clear secret the administrator was shown.
            #expect(request.signature == WebhookSigner.signature(id: request.id, timestamp: request.timestamp, body: request.body, secrets: [secret]))
        }
    }

    @Test(arguments: Engine.available)
    func withoutAKeyNoSecretIsStoredAndASealedOneSignsNothing(engine: Engine) async throws {
        try await WebhookFixture.with(engine) { f in
            let keyless = WebhookService(database: f.database, allowPrivateTargets: true, secrets: nil)
            await #expect(throws: StoreError.self) {
                _ = try await keyless.create(url: f.receiver.url, description: nil, eventTypes: ["*"], by: f.admin)
            }
            #expect(try await keyless.endpoints(by: f.admin).isEmpty)
            // Sealed under one key, read by a process with another: the delivery fails, saying why.
            _ = try await f.webhooks.create(url: f.receiver.url, description: nil, eventTypes: ["*"], by: f.admin)
            _ = try await f.open("Printer")
            var settings = WebhookDispatcher.Settings()
            settings.allowPrivateTargets = true
            settings.secrets = try SecretBox(encoded: SecretBox.generateEncoded())
            let stranger = WebhookDispatcher(database: f.database, settings: settings, now: { f.clock.now() })
            _ = try await stranger.runOnce()
            await stranger.shutdown()
            #expect(f.receiver.requests.isEmpty)
        }
    }

    @Test(arguments: Engine.available)
    func secretsWrittenBeforeEncryptionAreSealedWithTheKey(engine: Engine) async throws {
        try await WebhookFixture.with(engine) { f in
            let (endpoint, secret) = try await f.webhooks.create(url: f.receiver.url, description: nil, eventTypes: ["*"], by: f.admin)
            // As a database from before encryption holds it.
            try await f.database.transaction { db in
                try await db.update("webhook_endpoints").set("secret", to: secret).where("id", .equal, endpoint.id.text).run()
            }
            let repository = WebhookRepository(database: f.database, secrets: WebhookFixture.secrets)
            #expect(try await repository.sealClearSecrets() == 1)
            #expect(try await repository.sealClearSecrets() == 0)
            let stored = try await f.database.read { db in
                try await db.select().column("secret").from("webhook_endpoints").first()?.decode(column: "secret", as: String.self)
            }
            #expect(stored.map(SecretBox.isSealed) == true)
            #expect(stored.flatMap { WebhookFixture.secrets?.open($0) } == secret)
        }
    }
}

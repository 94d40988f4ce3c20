import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct RollupAndSignalTests {
    /// A small deterministic generator, so a failing history can be replayed from its seed.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func pick<T>(_ values: [T]) -> T { values[next(values.count)] }
    }

    @Test(arguments: Engine.available, [1, 7, 42])
    func theIncrementalRollUpEqualsAFullRecomputationOnRandomHistories(engine: Engine, seed: UInt64) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let organization = fixture.organization.id
            var accounts = [fixture.account.id]
            for index in 0..<3 {
                let account = Account(id: UUID(), name: "Account \(index)", createdAt: Date())
                try await fixture.service.crm.insert(account, organizationID: organization)
                accounts.append(account.id)
            }
            var random = Generator(state: seed)
            var keys: [String] = []
            for _ in 0..<120 {
                switch random.next(5) {
                case 0, 1:
                    var draft = fixture.draft(
                        random.pick(["incident", "customer_support", "service_request"]), severity: random.pick([nil, "minor", "major", "critical"]))
                    draft.category = random.pick([nil, "access", "billing", "usage"])
                    draft.links = random.next(6) == 0 ? [] : [CRMLink(kind: .account, id: random.pick(accounts))]
                    if draft.family != "service_request", draft.links.isEmpty { draft.links = [CRMLink(kind: .account, id: accounts[0])] }
                    keys.append(try await fixture.service.open(draft, by: fixture.agent).ticket.key)
                case 2 where !keys.isEmpty:
                    let key = random.pick(keys)
                    _ = try await fixture.service.update(
                        key: key,
                        with: TicketPatch(severity: random.pick(["minor", "major", "critical"]), category: random.pick(["network", "billing"])),
                        ifMatch: nil, by: fixture.agent)
                case 3 where !keys.isEmpty:
                    let key = random.pick(keys)
                    _ = try await fixture.service.update(
                        key: key, with: TicketPatch(links: [CRMLink(kind: .account, id: random.pick(accounts))]), ifMatch: nil, by: fixture.agent)
                case 4 where !keys.isEmpty:
                    let ticket = try await fixture.service.find(key: random.pick(keys), by: fixture.agent)
                    let workflow = fixture.map.workflows[fixture.map.families[ticket.family]!.workflow]!
                    if let next = workflow.allowedTargets(from: ticket.status).sorted().first {
                        _ = try? await fixture.service.transition(key: ticket.key, to: next, resolutionNote: "done", ifMatch: nil, by: fixture.agent)
                    }
                default:
                    break
                }
            }
            let rollups = AccountRollups(database: database)
            let incremental = try await rollups.all(organizationID: organization)
            #expect(try await rollups.recompute(organizationID: organization).corrected == 0)
            let recomputed = try await rollups.all(organizationID: organization)
            #expect(incremental == recomputed)
            // A count put wrong by hand is found and repaired.
            let tampered = accounts[0].text
            try await database.transaction { db in
                try await db.raw("UPDATE account_rollup_counts SET count = count + 5 WHERE count > 0 AND account_id = \(bind: tampered)").run()
            }
            #expect(try await rollups.recompute(organizationID: organization).corrected > 0)
            #expect(try await rollups.all(organizationID: organization) == recomputed)
            // And both agree with counting the tickets here.
            var expected: [UUID: [String: [String: Int]]] = [:]
            for key in keys {
                let ticket = try await fixture.service.find(key: key, by: fixture.agent)
                guard let account = ticket.accountID else { continue }
                for (dimension, value) in [
                    ("status_category", ticket.statusCategory.rawValue), ("family", ticket.family),
                    ("severity", ticket.severity ?? ""), ("category", ticket.category ?? ""),
                ] {
                    expected[account, default: [:]][dimension, default: [:]][value, default: 0] += 1
                }
            }
            #expect(incremental.mapValues(\.counts).filter { !$0.value.isEmpty } == expected)
            #expect(incremental.values.reduce(0) { $0 + $1.tickets } == expected.values.reduce(0) { $0 + ($1["family"]?.values.reduce(0, +) ?? 0) })
        }
    }

    /// A desk whose clock the test moves, with the signal service reading it.
    struct SignalDesk {
        let fixture: StoreFixture
        let clock: ManualClock
        let service: TicketService
        let signals: SignalService

        init(_ fixture: StoreFixture, clock: ManualClock) {
            self.fixture = fixture
            self.clock = clock
            service = TicketService(map: fixture.map, database: fixture.database, now: { clock.now })
            signals = SignalService(map: fixture.map, database: fixture.database, now: { clock.now })
        }

        func open(
            _ family: String = "incident", severity: String? = "major", category: String? = nil, tags: [String] = [], account: UUID? = nil
        ) async throws -> Ticket {
            var draft = fixture.draft(family, severity: severity)
            draft.category = category
            draft.tags = tags
            draft.links = [CRMLink(kind: .account, id: account ?? fixture.account.id)]
            return try await service.open(draft, by: fixture.agent).ticket
        }

        func open(rule: String, account: UUID? = nil) async throws -> [Signal] {
            try await signals.list(organizationID: fixture.organization.id, status: .open, accountID: account).filter { $0.rule == rule }
        }
    }

    @Test(arguments: Engine.available)
    func churnRiskOpensOnceFollowsItsEvidenceAndClosesWhenTheWindowMovesOn(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualClock("2026-11-30T09:00:00+01:00")
            let desk = SignalDesk(try await StoreFixture.make(database), clock: clock)
            let first = try await desk.open()
            _ = try await desk.open()
            _ = try await desk.open(severity: "minor")
            #expect(try await desk.signals.runOnce().opened == 0)
            clock.set("2026-12-01T09:00:00+01:00")
            let third = try await desk.open(severity: "critical")
            let pass = try await desk.signals.runOnce()
            #expect(pass.opened == 1)
            var open = try await desk.open(rule: "churn_risk")
            #expect(open.count == 1)
            #expect(open.first?.evidence.count == 3)
            #expect(open.first?.evidence.first == first.key)
            #expect(open.first?.accountID == desk.fixture.account.id)
            // The follow-up task went to the account's project family, for its owner.
            let taskKey = try #require(open.first?.taskKey)
            let task = try await desk.service.find(key: taskKey, by: desk.fixture.agent)
            #expect(task.family == "project_task" && task.accountID == desk.fixture.account.id && task.tags.contains("churn_risk"))
            // A fourth serious ticket keeps the one signal and adds to its evidence.
            let fourth = try await desk.open(severity: "critical")
            #expect(try await desk.signals.runOnce().opened == 0)
            open = try await desk.open(rule: "churn_risk")
            #expect(open.count == 1 && open.first?.evidence.last == fourth.key)
            #expect(
                try await AccountRollups(database: database).summary(organizationID: desk.fixture.organization.id, accountID: desk.fixture.account.id)
                    .openSignals == 1)
            // Lowering a severity is not enough to clear it (three remain); the window moving past two of them is.
            _ = try await desk.service.update(key: third.key, with: TicketPatch(severity: "minor"), ifMatch: nil, by: desk.fixture.agent)
            #expect(try await desk.signals.runOnce().closed == 0)
            clock.set("2026-12-30T12:00:00+01:00")
            #expect(try await desk.signals.sweep(organizationID: desk.fixture.organization.id).closed == 1)
            #expect(try await desk.open(rule: "churn_risk").isEmpty)
            let all = try await desk.signals.list(organizationID: desk.fixture.organization.id, status: nil, accountID: desk.fixture.account.id)
            #expect(all.filter { $0.rule == "churn_risk" }.map(\.status) == [.closed])
            #expect(
                try await AccountRollups(database: database).summary(organizationID: desk.fixture.organization.id, accountID: desk.fixture.account.id)
                    .openSignals == 0)
            let events = try await database.read { db in
                try await db.raw("SELECT type FROM outbox WHERE type LIKE 'relais.signal.%' ORDER BY created_at").all().map {
                    try $0.decode(column: "type", as: String.self)
                }
            }
            #expect(events == ["relais.signal.opened", "relais.signal.closed"])
        }
    }

    @Test(arguments: Engine.available)
    func aChangedRollUpIsPublishedOnceWithItsCountsAndARisingSequence(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualClock("2026-11-30T09:00:00+01:00")
            let desk = SignalDesk(try await StoreFixture.make(database), clock: clock)
            let account = desk.fixture.account.id.text
            func published() async throws -> [CloudEvent] {
                try await database.read { db in
                    try await db.raw("SELECT payload FROM outbox WHERE type = 'relais.account.rollup_changed' ORDER BY sequence").all()
                        .map { try JSONDecoder().decode(CloudEvent.self, from: Data(try $0.decode(column: "payload", as: String.self).utf8)) }
                }
            }
            let first = try await desk.open(severity: "minor")
            _ = try await desk.open(severity: "major")
            #expect(try await desk.signals.runOnce().published == 1, "two tickets, one pass: one summary")
            var events = try await published()
            #expect(events.count == 1)
            #expect(events.first?.subject == account && events.first?.sequence == "1")
            #expect(
                events.first?.data["tickets"] == "2" && events.first?.data["severity.minor"] == "1" && events.first?.data["severity.major"] == "1")
            #expect(events.first?.data["family.incident"] == "2")
            // A comment changes no count: the account is looked at again, nothing is published.
            _ = try await desk.service.comment(key: first.key, body: "Still looking", isPublic: true, by: desk.fixture.agent)
            #expect(try await desk.signals.runOnce().published == 0)
            // A severity that changes does.
            _ = try await desk.service.update(key: first.key, with: TicketPatch(severity: "critical"), ifMatch: nil, by: desk.fixture.agent)
            #expect(try await desk.signals.runOnce().published == 1)
            events = try await published()
            #expect(events.map(\.sequence) == ["1", "2"])
            #expect(events.last?.data["severity.minor"] == nil && events.last?.data["severity.critical"] == "1")
            // A sweep with nothing changed publishes nothing.
            #expect(try await desk.signals.sweep(organizationID: desk.fixture.organization.id).published == 0)
        }
    }

    @Test(arguments: Engine.available)
    func renewalAtRiskNeedsACriticalTicketWhileTheContractRenewsSoon(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualClock("2026-11-30T09:00:00+01:00")
            let fixture = try await StoreFixture.make(database)
            let desk = SignalDesk(fixture, clock: clock)
            let account = Account(id: UUID(), name: "Kestrel", tier: "standard", owner: "camille", createdAt: Date())
            try await fixture.service.crm.insert(account, organizationID: fixture.organization.id)
            try await fixture.service.crm.insert(CRMStoreTests.contract(account.id, renewal: "2027-03-15"), organizationID: fixture.organization.id)
            let critical = try await desk.open(severity: "critical", account: account.id)
            try await desk.signals.runOnce()
            #expect(try await desk.open(rule: "renewal_at_risk", account: account.id).isEmpty, "the renewal is 105 days away")
            clock.set("2027-01-20T09:00:00+01:00")
            _ = try await desk.open(severity: "critical", account: account.id)
            try await desk.signals.runOnce()
            let open = try await desk.open(rule: "renewal_at_risk", account: account.id)
            #expect(open.count == 1)
            let task = try await desk.service.find(key: try #require(open.first?.taskKey), by: fixture.agent)
            #expect(task.assignee == "camille")
            #expect(open.first?.evidence.contains(critical.key) == false, "the first critical ticket is older than the window")
        }
    }

    @Test(arguments: Engine.available)
    func featureDemandCountsTheSameCategoryAcrossAccounts(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualClock("2026-11-30T09:00:00+01:00")
            let fixture = try await StoreFixture.make(database)
            let desk = SignalDesk(fixture, clock: clock)
            var accounts: [UUID] = []
            for name in ["A", "B", "C"] {
                let account = Account(id: UUID(), name: name, createdAt: Date())
                try await fixture.service.crm.insert(account, organizationID: fixture.organization.id)
                accounts.append(account.id)
            }
            for account in accounts.prefix(2) {
                _ = try await desk.open("customer_support", severity: nil, category: "product", tags: ["feature-request"], account: account)
                _ = try await desk.open("customer_support", severity: nil, category: "product", tags: ["feature-request"], account: account)
            }
            _ = try await desk.open("customer_support", severity: nil, category: "billing", tags: ["feature-request"], account: accounts[2])
            try await desk.signals.runOnce()
            #expect(try await desk.open(rule: "feature_demand").isEmpty, "four requests, but from two accounts")
            _ = try await desk.open("customer_support", severity: nil, category: "product", tags: ["feature-request"], account: accounts[2])
            try await desk.signals.runOnce()
            let open = try await desk.open(rule: "feature_demand")
            #expect(open.map(\.subject) == ["*/product"])
            #expect(open.first?.evidence.count == 5 && open.first?.accountID == nil)
            // A rule that also filters on the family reads only those tickets: none are incidents, so it closes.
            var map = fixture.map
            map.signals["feature_demand"]?.tickets.fields["family"] = ["incident"]
            let narrowed = SignalService(map: map, database: database, now: { clock.now })
            #expect(try await narrowed.evaluateAcrossAccounts(organizationID: fixture.organization.id).closed == 1)
            map.signals["feature_demand"]?.tickets.fields["family"] = ["customer_support", "incident"]
            #expect(
                try await SignalService(map: map, database: database, now: { clock.now })
                    .evaluateAcrossAccounts(organizationID: fixture.organization.id).opened == 1)
        }
    }
}

import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ text: String) { current = ISO8601DateFormatter().date(from: text)! }
    var now: Date { lock.withLock { current } }
    func set(_ text: String) { lock.withLock { current = ISO8601DateFormatter().date(from: text)! } }
}

@Suite struct SLAStoreTests {
    /// The fixture, with a standard-tier account and services that read `clock`.
    struct Desk {
        let fixture: StoreFixture
        let account: Account
        let service: TicketService
        let sla: SLAService
        let worker: SLAClockWorker

        init(_ fixture: StoreFixture, clock: ManualClock, map: ProcessMap? = nil, account: Account) {
            self.fixture = fixture
            self.account = account
            service = TicketService(map: map ?? fixture.map, database: fixture.database, now: { clock.now })
            sla = SLAService(tickets: service, database: fixture.database, now: { clock.now })
            worker = SLAClockWorker(database: fixture.database, tracker: sla.tracker, now: { clock.now })
        }

        /// A desk on a fresh database of `engine`, its clock on Monday 30 November 2026 at 09:00 in Paris.
        static func with(_ engine: Engine, _ body: (Desk, ManualClock) async throws -> Void) async throws {
            try await TestDatabase.with(engine) { database in
                let clock = ManualClock("2026-11-30T09:00:00+01:00")
                try await body(try await make(database, clock: clock), clock)
            }
        }

        static func make(_ database: RelaisDatabase, clock: ManualClock) async throws -> Desk {
            let fixture = try await StoreFixture.make(database)
            let account = Account(id: UUID(), name: "Nordwind", tier: "standard", owner: "camille", createdAt: Date())
            try await CRMRepository(database: database).insert(account, organizationID: fixture.organization.id)
            return Desk(fixture, clock: clock, account: account)
        }

        func open(_ title: String = "VPN drops") async throws -> Ticket {
            var draft = fixture.draft(title: title)
            draft.links = [CRMLink(kind: .account, id: account.id)]
            return try await service.open(draft, by: fixture.agent).ticket
        }

        func slaEvents(_ key: String) async throws -> [TicketEventRecord] {
            try await service.events(key: key, by: fixture.agent).filter { $0.change.kind.rawValue.hasPrefix("sla_") }
        }

        func column(_ name: String, of ticket: Ticket) async throws -> Int? {
            try await fixture.database.read { db in
                try await db.raw("SELECT \(unsafeRaw: name) AS v FROM ticket_sla WHERE ticket_id = \(bind: ticket.id.text)")
                    .first(decodingColumn: "v", as: Int?.self) ?? nil
            }
        }
    }

    static func millis(_ text: String) -> Int { Int(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970 * 1000) }

    @Test(arguments: Engine.available)
    func warningsAndBreachesAreRecordedOnceAndEscalate(engine: Engine) async throws {
        // Monday 30 November 2026, 09:00 in Paris. A P3 incident: first response within 4 business hours.
        try await Desk.with(engine) { desk, clock in
            let ticket = try await desk.open()
            #expect(ticket.priority == "P3" && ticket.team == "it-l1")
            // The first check is the first response warning, at 80 % of four hours: 12:12.
            #expect(try await desk.column("next_check_at", of: ticket) == Self.millis("2026-11-30T12:12:00+01:00"))
            clock.set("2026-11-30T10:00:00+01:00")
            #expect(try await desk.worker.runOnce() == 0)

            clock.set("2026-11-30T13:40:00+01:00")
            #expect(try await desk.worker.runOnce() == 1)
            #expect(try await desk.slaEvents(ticket.key).map(\.change.kind.rawValue) == ["sla_warning"])

            clock.set("2026-11-30T14:05:00+01:00")
            #expect(try await desk.worker.runOnce() == 1)
            #expect(try await desk.worker.runOnce() == 0)
            let events = try await desk.slaEvents(ticket.key)
            #expect(events.map(\.change.kind.rawValue) == ["sla_warning", "sla_breached"])
            #expect(events.last?.change.field == "first_response")
            // The breach escalates to L2 and raises the priority one step.
            let escalated = try await desk.service.find(key: ticket.key, by: desk.fixture.agent)
            #expect(escalated.team == "it-l2" && escalated.level == 2 && escalated.priority == "P2")
            #expect(escalated.version == ticket.version + 2)
            let outbox = try await desk.fixture.database.read { db in
                try await db.raw("SELECT type, payload FROM outbox WHERE subject = \(bind: ticket.key) ORDER BY sequence").all()
                    .map { (try $0.decode(column: "type", as: String.self), try $0.decode(column: "payload", as: String.self)) }
            }
            #expect(
                outbox.map(\.0) == [
                    "relais.ticket.created", "relais.sla.warning", "relais.sla.breached", "relais.ticket.assigned", "relais.ticket.priority_changed",
                ])
            let breach = try #require(outbox.first { $0.0 == "relais.sla.breached" }?.1)
            #expect(breach.contains("\"notify\":\"team=it-l1, account_owner=camille\""), "\(breach)")
            // Now P2: the resolution target is one business day; its warning falls at 16:24.
            #expect(try await desk.column("next_check_at", of: ticket) == Self.millis("2026-11-30T16:24:00+01:00"))
        }
    }

    @Test(arguments: Engine.available)
    func aReplyStopsTheFirstResponseAndWaitingForTheCustomerStopsTheChecks(engine: Engine) async throws {
        try await Desk.with(engine) { desk, clock in
            let ticket = try await desk.open()
            clock.set("2026-11-30T09:30:00+01:00")
            _ = try await desk.service.comment(key: ticket.key, body: "Looking into it", isPublic: true, by: desk.fixture.agent)
            var state = try #require(try await desk.sla.state(key: ticket.key, by: desk.fixture.agent))
            let first = try #require(state.metrics.first { $0.metric == .firstResponse })
            #expect(first.clock == .stopped && first.met == true && first.elapsedMilliseconds == 30 * 60_000)
            _ = try await desk.service.transition(key: ticket.key, to: "in_progress", resolutionNote: nil, ifMatch: nil, by: desk.fixture.agent)
            clock.set("2026-11-30T10:00:00+01:00")
            _ = try await desk.service.transition(key: ticket.key, to: "waiting_customer", resolutionNote: nil, ifMatch: nil, by: desk.fixture.agent)
            #expect(try await desk.column("next_check_at", of: ticket) == nil)
            clock.set("2026-12-02T10:00:00+01:00")
            state = try #require(try await desk.sla.state(key: ticket.key, by: desk.fixture.agent))
            let resolution = try #require(state.metrics.first { $0.metric == .resolution })
            #expect(resolution.clock == .paused && resolution.elapsedMilliseconds == 3_600_000)
            #expect(resolution.pauses.map(\.from) == [Int64(Self.millis("2026-11-30T10:00:00+01:00"))])
            _ = try await desk.service.transition(key: ticket.key, to: "in_progress", resolutionNote: nil, ifMatch: nil, by: desk.fixture.agent)
            // Resumed: three days of 8 hours less the hour used run out on Friday at 17:00.
            #expect(try await desk.column("next_check_at", of: ticket) != nil)
            #expect(try await desk.column("due_at", of: ticket) == Self.millis("2026-12-04T17:00:00+01:00"))
        }
    }

    @Test(arguments: Engine.available)
    func severalClocksOnOneDatabaseRecordEachBreachOnce(engine: Engine) async throws {
        let (url, drop) = try await TestDatabase.make(engine)
        let clock = ManualClock("2026-11-30T09:00:00+01:00")
        let first = try RelaisDatabase.open(url)
        try await Migrator.migrate(first)
        let desk = try await Desk.make(first, clock: clock)
        var keys: [String] = []
        for index in 0..<24 { keys.append(try await desk.open("Ticket \(index)").key) }
        // Two days later every first response and resolution warning and breach is due at once.
        clock.set("2026-12-07T09:00:00+01:00")
        let handles = engine == .postgres ? [first] + (try (0..<2).map { _ in try RelaisDatabase.open(url) }) : [first, first, first]
        let workers = handles.map { SLAClockWorker(database: $0, tracker: desk.sla.tracker, now: { clock.now }) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers {
                group.addTask { while try await worker.runOnce(limit: 5) > 0 {} }
            }
            try await group.waitForAll()
        }
        for key in keys {
            let events = try await desk.slaEvents(key)
            let names = events.map { "\($0.change.field ?? "")/\($0.change.kind.rawValue)" }
            #expect(Set(names).count == names.count, "\(key): \(names)")
            #expect(names.contains("first_response/sla_breached") && names.contains("resolution/sla_breached"), "\(key): \(names)")
        }
        for handle in Set(handles.map(ObjectIdentifier.init)).compactMap({ id in handles.first { ObjectIdentifier($0) == id } }) {
            await handle.close()
        }
        await drop()
    }

    @Test(arguments: Engine.available)
    func aTicketTheClockCannotReadDoesNotHoldUpTheOthers(engine: Engine) async throws {
        try await Desk.with(engine) { desk, clock in
            let broken = try await desk.open("Broken"), sound = try await desk.open("Sound")
            try await desk.fixture.database.transaction { db in
                try await db.raw("UPDATE ticket_sla SET policy = 'not json' WHERE ticket_id = \(bind: broken.id.text)").run()
            }
            clock.set("2026-11-30T13:00:00+01:00")
            #expect(try await desk.worker.runOnce() == 2)
            #expect(try await desk.slaEvents(sound.key).map(\.change.kind.rawValue) == ["sla_warning"])
            #expect(try await desk.slaEvents(broken.key).isEmpty)
            // Put off for a minute, so the clock does not spin on it.
            #expect(try await desk.column("next_check_at", of: broken) == Self.millis("2026-11-30T13:01:00+01:00"))
            #expect(try await desk.worker.runOnce() == 0)
        }
    }

    @Test(arguments: Engine.available)
    func aCalendarEditReachesOpenTickets(engine: Engine) async throws {
        try await Desk.with(engine) { desk, clock in
            let ticket = try await desk.open()
            _ = try await desk.service.comment(key: ticket.key, body: "On it", isPublic: true, by: desk.fixture.agent)
            // Three business days of 8 hours from Monday 09:00 run out on Wednesday at 17:00.
            let before = try #require(try await desk.column("due_at", of: ticket))
            #expect(before == Self.millis("2026-12-02T17:00:00+01:00"))
            #expect(try await desk.sla.reconcile() == 0)
            var edited = desk.fixture.map
            edited.calendars["paris-office"]?.holidays.insert(CivilDate(iso: "2026-12-01")!)
            let after = Desk(desk.fixture, clock: clock, map: edited, account: desk.account)
            #expect(try await after.sla.reconcile() == 1)
            let moved = try #require(try await desk.column("due_at", of: ticket))
            #expect(moved - before == 24 * 3_600_000, "a closed Tuesday pushes the deadline one day")
            #expect(try await after.sla.reconcile() == 0)
        }
    }

    @Test(arguments: Engine.available)
    func aPolicyThatAsksToBeKeptKeepsItsTargetsOnOpenTickets(engine: Engine) async throws {
        try await Desk.with(engine) { plain, clock in
            var kept = plain.fixture.map
            kept.sla["incident-standard"]?.onPolicyChange = .keep
            let desk = Desk(plain.fixture, clock: clock, map: kept, account: plain.account)
            let ticket = try await desk.open()
            let stricter = { (map: ProcessMap) -> ProcessMap in
                var map = map
                map.sla["incident-standard"]?.targets["P3"]?[.resolution] = 3600
                return map
            }
            // The new map halves nothing for this ticket: its policy asked to be kept.
            let afterKeep = Desk(desk.fixture, clock: clock, map: stricter(kept), account: desk.account)
            #expect(try await afterKeep.sla.reconcile() == 1)
            var state = try #require(try await afterKeep.sla.state(key: ticket.key, by: desk.fixture.agent))
            #expect(state.metrics.first { $0.metric == .resolution }?.targetSeconds == 24 * 3600)
            // A ticket opened under the new map gets the new target.
            let fresh = try await afterKeep.open("Opened later")
            state = try #require(try await afterKeep.sla.state(key: fresh.key, by: desk.fixture.agent))
            #expect(state.metrics.first { $0.metric == .resolution }?.targetSeconds == 3600)
            // Under the default (retarget), the open ticket takes the new target at once.
            let afterRetarget = Desk(desk.fixture, clock: clock, map: stricter(plain.fixture.map), account: desk.account)
            state = try #require(try await afterRetarget.sla.state(key: ticket.key, by: desk.fixture.agent))
            #expect(state.metrics.first { $0.metric == .resolution }?.targetSeconds == 24 * 3600, "still the kept policy, stored")
            var retargeting = plain.fixture.map
            retargeting.sla["incident-standard"]?.targets["P3"]?[.resolution] = 7200
            let plainTicket = try await Desk(desk.fixture, clock: clock, map: plain.fixture.map, account: desk.account).open("Plain")
            let moved = Desk(desk.fixture, clock: clock, map: retargeting, account: desk.account)
            state = try #require(try await moved.sla.state(key: plainTicket.key, by: desk.fixture.agent))
            #expect(state.metrics.first { $0.metric == .resolution }?.targetSeconds == 7200)
        }
    }

    @Test(arguments: Engine.available)
    func listsAndTheComplianceReport(engine: Engine) async throws {
        try await Desk.with(engine) { desk, clock in
            let late = try await desk.open("Late")
            clock.set("2026-11-30T11:00:00+01:00")
            let answered = try await desk.open("Answered")
            _ = try await desk.service.comment(key: answered.key, body: "On it", isPublic: true, by: desk.fixture.agent)
            clock.set("2026-11-30T14:30:00+01:00")
            while try await desk.worker.runOnce() > 0 {}
            let breached = try await desk.sla.breached(limit: 10, by: desk.fixture.agent)
            #expect(breached.map(\.key) == [late.key])
            let due = try await desk.sla.dueSoon(within: 3 * 24 * 3600, limit: 10, by: desk.fixture.agent)
            #expect(due.map(\.key) == [answered.key])
            let report = try await desk.sla.report(
                groupBy: .family, from: Date(timeIntervalSince1970: 0), to: clock.now.addingTimeInterval(1), by: desk.fixture.agent)
            #expect(report.map(\.group) == ["incident"])
            let first = try #require(report.first?.metrics[.firstResponse])
            #expect(first.met == 1 && first.breached == 1 && first.compliance == 0.5)
            #expect(report.first?.tickets == 2)
            await #expect(throws: AccessError.self) { try await desk.sla.breached(limit: 10, by: desk.fixture.requester) }
        }
    }
}

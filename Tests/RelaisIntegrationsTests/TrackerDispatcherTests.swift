import Foundation
import HTTPTypes
import RelaisCore
import RelaisIntegrations
import RelaisStore
import RelaisTestSupport
import SQLKit
import Testing

/// An organisation with an agent, a strategic account, the example map whose trackers point at a
/// stub tracker, and escalations on a manual clock.
struct EscalationFixture {
    let database: RelaisDatabase
    let agent: Principal
    let requester: Principal
    let tickets: TicketService
    let service: EscalationService
    let stub: APIStub
    let clock: ManualClock
    let account: Account
    let map: ProcessMap

    /// The tracker's documented success for each creation or read the stub is sent.
    static let vendorAnswers: APIStub.Behaviour = { _, request in
        let fixture: String? =
            switch (request.method, request.path) {
            case ("POST", "/repos/acme/acme-app/issues"), ("GET", "/repos/acme/acme-app/issues/1347"): "github-issue.json"
            case ("POST", "/api/v4/projects/platform%2Fapi/issues"): "gitlab-issue.json"
            case ("POST", "/rest/api/3/issue"): "jira-created.json"
            case ("POST", "/Fabrikam-Fiber-Git/_apis/wit/workitems/$Bug?api-version=7.1"): "azure-workitem.json"
            default: nil
            }
        guard let fixture, let body = try? APIStub.fixture(fixture) else {
            return .init(status: .notFound, body: Array(#"{"message":"Not Found"}"#.utf8))
        }
        return .init(status: request.method == "POST" && !request.path.contains("_apis") ? .created : .ok, body: body)
    }

    static func with(_ engine: Engine, _ body: (EscalationFixture) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            let directory = DirectoryRepository(database: database)
            let organization = try await directory.ensureOrganization(slug: "acme", name: "Acme")
            let agent = try await directory.addUser(organizationID: organization.id, name: "agent", email: nil, role: .agent)
            let requester = try await directory.addUser(organizationID: organization.id, name: "ana", email: "ana@helix.example", role: .requester)
            let clock = ManualClock()
            let account = Account(
                id: UUID(), name: "Helix Pharma", tier: "strategic", annualRevenue: 2_400_000, currency: "EUR", createdAt: clock.now())
            try await CRMRepository(database: database).insert(account, organizationID: organization.id)
            let stub = try await APIStub.start(vendorAnswers)
            var map = try ExampleMap.load()
            map.trackers = trackers(at: stub.url)
            let tickets = TicketService(map: map, database: database, now: { clock.now() })
            let fixture = EscalationFixture(
                database: database, agent: agent, requester: requester, tickets: tickets,
                service: EscalationService(map: map, tickets: tickets, now: { clock.now() }),
                stub: stub, clock: clock, account: account, map: map)
            do {
                try await body(fixture)
                await stub.stop()
            } catch {
                await stub.stop()
                throw error
            }
        }
    }

    func dispatcher(environment: [String: String] = trackerEnvironment) -> TrackerDispatcher {
        var settings = TrackerDispatcher.Settings()
        settings.allowPrivateEgress = true  // the stub tracker listens on loopback
        settings.schedule = RetrySchedule(delays: [10, 10, 10], jitter: 0)
        settings.timeout = 5
        settings.publicURL = "https://desk.acme.example/"
        let map = map
        return TrackerDispatcher(
            escalations: service.escalations, map: { map }, environment: environment, settings: settings, owner: "test",
            now: { clock.now() }, random: { 0.5 })
    }

    func open(_ title: String, description: String = "") async throws -> Ticket {
        try await tickets.open(
            TicketDraft(
                family: "incident", title: title, description: description, channel: "api", openedBy: "internal",
                requesterID: requester.userID, impact: "medium", urgency: "medium",
                links: [CRMLink(kind: .account, id: account.id)]), by: agent
        ).ticket
    }

    func events(_ ticket: Ticket) async throws -> [TicketChange] {
        try await tickets.tickets.events(organizationID: agent.organizationID, ticketID: ticket.id).map(\.change)
    }

    func run(_ dispatcher: TrackerDispatcher) async throws -> TrackerDispatcher.Round {
        let round = try await dispatcher.runOnce()
        return round
    }
}

@Suite struct TrackerDispatcherTests {
    static let expectedPaths = [
        "product": "/repos/acme/acme-app/issues", "api": "/api/v4/projects/platform%2Fapi/issues", "platform": "/rest/api/3/issue",
        "boards": "/Fabrikam-Fiber-Git/_apis/wit/workitems/$Bug?api-version=7.1",
    ]
    static let expectedKeys = ["product": "#1347", "api": "#14", "platform": "PLAT-77", "boards": "#131"]

    @Test(arguments: Engine.available, ["product", "api", "platform", "boards"])
    func opensTheIssueWithEverythingDevelopersNeed(engine: Engine, tracker: String) async throws {
        try await EscalationFixture.with(engine) { f in
            let first = try await f.open("Login fails behind the proxy", description: "Since Monday, every login through the proxy fails.")
            let second = try await f.open("Cannot log in from the office")
            let escalation = try await f.service.escalate(
                key: first.key, tracker: tracker, issue: nil, also: [second.key],
                steps: "1. Go through the proxy\n2. Log in", by: f.agent)
            #expect(escalation.status == .pending && escalation.tickets == [first.key, second.key] && escalation.requestedBy == "agent")
            let dispatcher = f.dispatcher()
            let round = try await f.run(dispatcher)
            #expect(round == TrackerDispatcher.Round(taken: 1, opened: 1, retried: 0, failed: 0))

            let requests = f.stub.requests
            try #require(requests.count == 1)
            #expect(requests[0].method == "POST" && requests[0].path == Self.expectedPaths[tracker])
            // Everything reaches the tracker: the description, the steps, both tickets, the account
            // with its weight, and the way back.
            let sent = String(decoding: requests[0].body, as: UTF8.self)
            for expected in [
                "Since Monday, every login through the proxy fails.", "Go through the proxy", first.key, second.key, "Helix Pharma",
                "strategic", "2,400,000 EUR", "https://desk.acme.example/api/v1/tickets/\(first.key)",
            ] {
                #expect(sent.contains(expected), "\(expected) missing from what \(tracker) was sent")
            }

            let key = try #require(Self.expectedKeys[tracker])
            let stored = try #require(try await f.service.list(key: first.key, by: f.agent).first)
            #expect(stored.status == .open && stored.issueKey == key && stored.attempts == 1 && stored.lastError == nil)
            for ticket in [first, second] {
                let escalated = try await f.events(ticket).filter { $0.kind == .escalated }
                #expect(escalated.map(\.to) == [key] && escalated.map(\.field) == [tracker])
            }
            #expect(try await f.run(dispatcher).taken == 0)
            await dispatcher.shutdown()
            // The account now has two tickets waiting on the developers.
            let rollup = try await AccountRollups(database: f.database).summary(organizationID: f.agent.organizationID, accountID: f.account.id)
            #expect(rollup.awaitingFix == 2 && rollup.fixShipped == 0)
        }
    }

    @Test(arguments: Engine.available)
    func aTrackerThatIsDownIsAskedAgainWhenItSaysAndOnlyOneIssueIsOpened(engine: Engine) async throws {
        try await EscalationFixture.with(engine) { f in
            f.stub.answer { index, request in
                index == 0 ? .init(status: .serviceUnavailable, headers: [.retryAfter: "120"]) : EscalationFixture.vendorAnswers(index, request)
            }
            let ticket = try await f.open("Export times out")
            _ = try await f.service.escalate(key: ticket.key, tracker: "product", issue: nil, also: [], steps: nil, by: f.agent)
            let dispatcher = f.dispatcher()
            #expect(try await f.run(dispatcher) == TrackerDispatcher.Round(taken: 1, opened: 0, retried: 1, failed: 0))
            var stored = try #require(try await f.service.list(key: ticket.key, by: f.agent).first)
            #expect(stored.status == .pending && stored.attempts == 1 && stored.lastError == "HTTP 503")
            // Not before the two minutes the tracker asked for (the schedule alone says ten seconds).
            f.clock.advance(60)
            #expect(try await f.run(dispatcher).taken == 0)
            f.clock.advance(61)
            #expect(try await f.run(dispatcher).opened == 1)
            await dispatcher.shutdown()
            stored = try #require(try await f.service.list(key: ticket.key, by: f.agent).first)
            #expect(stored.status == .open && stored.issueKey == "#1347" && stored.attempts == 2)
            #expect(f.stub.requests.count == 2)
            #expect(try await f.events(ticket).filter { $0.kind == .escalated }.count == 1)
        }
    }

    @Test(arguments: Engine.available)
    func aRefusalFailsTheEscalationAndTheTicketSaysWhy(engine: Engine) async throws {
        try await EscalationFixture.with(engine) { f in
            f.stub.answer { _, _ in .init(status: .unprocessableContent, body: Array(#"{"message":"Validation Failed"}"#.utf8)) }
            let ticket = try await f.open("Export times out")
            _ = try await f.service.escalate(key: ticket.key, tracker: "product", issue: nil, also: [], steps: nil, by: f.agent)
            let dispatcher = f.dispatcher()
            #expect(try await f.run(dispatcher).failed == 1)
            let stored = try #require(try await f.service.list(key: ticket.key, by: f.agent).first)
            #expect(stored.status == .failed && stored.lastError == "HTTP 422: Validation Failed")
            let failed = try await f.events(ticket).filter { $0.kind == .escalationFailed }
            #expect(failed.map(\.to) == ["HTTP 422: Validation Failed"])
            // A failed escalation does not stand in the way of another.
            f.stub.answer(EscalationFixture.vendorAnswers)
            f.clock.advance(1)
            _ = try await f.service.escalate(key: ticket.key, tracker: "product", issue: nil, also: [], steps: nil, by: f.agent)
            #expect(try await f.run(dispatcher).opened == 1)
            await dispatcher.shutdown()
            #expect(try await f.service.list(key: ticket.key, by: f.agent).map(\.status) == [.failed, .open])
        }
    }

    @Test(arguments: Engine.available)
    func withoutItsTokenATrackerIsNotCalledAndTheVariableIsNamed(engine: Engine) async throws {
        try await EscalationFixture.with(engine) { f in
            let ticket = try await f.open("Export times out")
            _ = try await f.service.escalate(key: ticket.key, tracker: "product", issue: nil, also: [], steps: nil, by: f.agent)
            let dispatcher = f.dispatcher(environment: [:])
            #expect(try await f.run(dispatcher).retried == 1)
            await dispatcher.shutdown()
            #expect(f.stub.requests.isEmpty)
            let stored = try #require(try await f.service.list(key: ticket.key, by: f.agent).first)
            #expect(stored.status == .pending && stored.lastError?.contains("RELAIS_GH_TOKEN") == true)
        }
    }

    @Test(arguments: Engine.available)
    func aTicketLinkedToAnExistingIssueReadsItAndLaterTicketsJoinAtOnce(engine: Engine) async throws {
        try await EscalationFixture.with(engine) { f in
            let first = try await f.open("Export times out")
            let second = try await f.open("CSV export never finishes")
            _ = try await f.service.escalate(key: first.key, tracker: "product", issue: "1347", also: [], steps: nil, by: f.agent)
            let dispatcher = f.dispatcher()
            #expect(try await f.run(dispatcher).opened == 1)
            #expect(f.stub.requests.map { "\($0.method) \($0.path)" } == ["GET /repos/acme/acme-app/issues/1347"])
            let joined = try await f.service.escalate(key: second.key, tracker: "product", issue: "1347", also: [], steps: nil, by: f.agent)
            #expect(
                joined.status == .open && joined.tickets == [first.key, second.key]
                    && joined.issueURL == "https://github.com/acme/acme-app/issues/1347")
            #expect(try await f.run(dispatcher).taken == 0)
            await dispatcher.shutdown()
            #expect(f.stub.requests.count == 1)
            #expect(try await f.events(second).filter { $0.kind == .escalated }.map(\.to) == ["#1347"])
            // Escalating again to the same issue changes nothing; to another issue of the tracker is refused.
            #expect(
                try await f.service.escalate(key: second.key, tracker: "product", issue: "1347", also: [], steps: nil, by: f.agent).tickets.count == 2
            )
            await #expect(throws: StoreError.duplicate(field: "tracker", value: "\(first.key) is already escalated to product as #1347")) {
                _ = try await f.service.escalate(key: first.key, tracker: "product", issue: nil, also: [], steps: nil, by: f.agent)
            }
            // An issue the tracker does not have fails the link.
            let third = try await f.open("Another one")
            _ = try await f.service.escalate(key: third.key, tracker: "product", issue: "99", also: [], steps: nil, by: f.agent)
            let again = f.dispatcher()
            #expect(try await f.run(again).failed == 1)
            await again.shutdown()
            #expect(try await f.events(third).filter { $0.kind == .escalationFailed }.first?.to?.hasPrefix("product has no issue 99") == true)
            // Asked again for that issue (created since, say), the tracker is asked again.
            f.clock.advance(1)
            let retried = try await f.service.escalate(key: third.key, tracker: "product", issue: "99", also: [], steps: nil, by: f.agent)
            #expect(retried.status == .pending && retried.attempts == 0 && retried.tickets == [third.key])
        }
    }

    @Test(arguments: Engine.available)
    func theTrackersWordMovesTicketsOnceAndShowsOnTheAccount(engine: Engine) async throws {
        try await EscalationFixture.with(engine) { f in
            let ticket = try await f.open("Export times out")
            _ = try await f.tickets.transition(key: ticket.key, to: "in_progress", resolutionNote: nil, ifMatch: nil, by: f.agent)
            _ = try await f.service.escalate(key: ticket.key, tracker: "product", issue: nil, also: [], steps: nil, by: f.agent)
            let dispatcher = f.dispatcher()
            _ = try await f.run(dispatcher)
            await dispatcher.shutdown()
            let tracker = try #require(f.map.trackers["product"])
            let closed = IssueUpdate(issueID: "1347", issueKey: "#1347", state: IssueState(name: "closed", done: true), url: nil)
            f.clock.advance(3_600)
            #expect(try await f.service.receive(closed, deliveryID: "d-1", tracker: tracker, organizationID: f.agent.organizationID) == .applied)
            let changes = try await f.events(ticket)
            let moved = changes.drop { $0.kind != .trackerChanged }
            #expect(moved.map(\.kind) == [.trackerChanged, .fixShipped, .statusChanged, .fieldChanged])
            #expect(moved.first?.from == "open" && moved.first?.to == "closed")
            #expect(moved.dropFirst(2).first?.to == "resolved" && moved.dropFirst(2).first?.rule == "tracker product")
            let saved = try await f.tickets.find(key: ticket.key, by: f.agent)
            #expect(saved.status == "resolved" && saved.resolutionNote == "Fixed by the developers in product #1347.")
            // The same delivery again, a delivery about an issue nobody escalated to, and one that
            // repeats the known state change nothing.
            #expect(try await f.service.receive(closed, deliveryID: "d-1", tracker: tracker, organizationID: f.agent.organizationID) == .duplicate)
            var other = closed
            other.issueID = "7"
            #expect(try await f.service.receive(other, deliveryID: "d-2", tracker: tracker, organizationID: f.agent.organizationID) == .unknownIssue)
            #expect(try await f.service.receive(closed, deliveryID: "d-3", tracker: tracker, organizationID: f.agent.organizationID) == .unchanged)
            #expect(try await f.service.receive(nil, deliveryID: "d-4", tracker: tracker, organizationID: f.agent.organizationID) == .ignored)
            #expect(try await f.events(ticket).count == changes.count)
            let stored = try #require(try await f.service.list(key: ticket.key, by: f.agent).first)
            #expect(stored.issueState == "closed" && stored.fixedAt == f.clock.now())
            let rollup = try await AccountRollups(database: f.database).summary(organizationID: f.agent.organizationID, accountID: f.account.id)
            #expect(rollup.awaitingFix == 0 && rollup.fixShipped == 1 && rollup.eventData["developers.fix_shipped"] == "1")
            let types = try await f.database.read { db in
                try await db.raw("SELECT type FROM outbox WHERE subject = \(bind: ticket.key) ORDER BY created_at, sequence").all()
                    .map { try $0.decode(column: "type", as: String.self) }
            }
            #expect(
                types.suffix(4) == [
                    "relais.ticket.tracker_changed", "relais.ticket.fix_shipped", "relais.ticket.status_changed", "relais.ticket.updated",
                ])
            // Reopened: the fix is no longer counted as shipped, and shipping it again is told again.
            let reopened = IssueUpdate(issueID: "1347", issueKey: "#1347", state: IssueState(name: "open", done: false))
            #expect(try await f.service.receive(reopened, deliveryID: "d-5", tracker: tracker, organizationID: f.agent.organizationID) == .applied)
            #expect(try #require(try await f.service.list(key: ticket.key, by: f.agent).first).fixedAt == nil)
            #expect(try await f.service.receive(closed, deliveryID: "d-6", tracker: tracker, organizationID: f.agent.organizationID) == .applied)
            #expect(try await f.events(ticket).filter { $0.kind == .fixShipped }.count == 2)
        }
    }
}

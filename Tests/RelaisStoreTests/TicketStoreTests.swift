import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct TicketStoreTests {
    @Test(arguments: Engine.available)
    func keysAreNumberedPerFamilyAndPerOrganization(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let acme = try await StoreFixture.make(database)
            let other = try await StoreFixture.make(database, slug: "globex")
            var keys: [String] = []
            for family in ["incident", "incident", "customer_support"] {
                keys.append(try await acme.service.open(acme.draft(family), by: acme.agent).ticket.key)
            }
            #expect(keys == ["INC-1", "INC-2", "SUP-1"])
            #expect(try await other.service.open(other.draft(), by: other.agent).ticket.key == "INC-1")
            // Same key, two organisations: each sees its own.
            #expect(try await acme.service.find(key: "INC-1", by: acme.agent).organizationID == acme.organization.id)
            #expect(try await other.service.find(key: "INC-1", by: other.agent).organizationID == other.organization.id)
            await #expect(throws: StoreError.notFound(what: "ticket", id: "INC-2")) {
                try await other.service.find(key: "INC-2", by: other.agent)
            }
        }
    }

    @Test(arguments: Engine.available)
    func concurrentCreationsGetDistinctConsecutiveNumbers(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let keys = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<40 {
                    group.addTask { try await fixture.service.open(fixture.draft(title: "Ticket \(index)"), by: fixture.agent).ticket.key }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(keys) == Set((1...40).map { "INC-\($0)" }))
        }
    }

    @Test(arguments: Engine.available)
    func everyChangeWritesItsHistoryAndOutboxInTheSameTransaction(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let created = try await fixture.service.open(fixture.draft(severity: "critical"), by: fixture.agent).ticket
            #expect(created.team == "it-l2")
            #expect(created.priority == "P1")
            var events = try await fixture.service.events(key: created.key, by: fixture.agent)
            #expect(events.map(\.sequence) == Array(1...events.count))
            #expect(events.first?.change.kind == .created)
            #expect(events.contains { $0.change.rule == "critical-incidents-to-l2" && $0.change.field == "team" })
            #expect(try await fixture.count("outbox") == 1, "a creation is announced once")
            let plain = try await fixture.service.open(fixture.draft(), by: fixture.agent).ticket
            #expect(plain.priority == "P2", "P3 from the matrix, raised for a strategic account")
            let plainEvents = try await fixture.service.events(key: plain.key, by: fixture.agent)
            #expect(plainEvents.contains { $0.change.rule == "strategic-accounts-first" && $0.change.to == "P2" })

            let moved = try await fixture.service.transition(
                key: created.key, to: "assigned", resolutionNote: nil, ifMatch: created.version, by: fixture.agent)
            #expect(moved.version == created.version + 1)
            events = try await fixture.service.events(key: created.key, by: fixture.agent)
            #expect(events.last?.change == TicketChange(kind: .statusChanged, field: "status", from: "new", to: "assigned"))
            #expect(events.last?.actor == "agent")
            #expect(events.map(\.sequence) == Array(1...events.count))
            #expect(try await fixture.count("outbox") == 3)
            let stored = try await fixture.service.find(key: created.key, by: fixture.agent)
            #expect(stored == moved)
        }
    }

    @Test(arguments: Engine.available)
    func aStaleVersionIsRefusedAndNothingIsWritten(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let ticket = try await fixture.service.open(fixture.draft(), by: fixture.agent).ticket
            _ = try await fixture.service.update(key: ticket.key, with: TicketPatch(assignee: "sam"), ifMatch: ticket.version, by: fixture.agent)
            let eventsBefore = try await fixture.count("ticket_events")
            await #expect(throws: StoreError.versionConflict(current: ticket.version + 1)) {
                try await fixture.service.update(key: ticket.key, with: TicketPatch(assignee: "kim"), ifMatch: ticket.version, by: fixture.agent)
            }
            #expect(try await fixture.service.find(key: ticket.key, by: fixture.agent).assignee == "sam")
            #expect(try await fixture.count("ticket_events") == eventsBefore)
        }
    }

    @Test(arguments: Engine.available)
    func concurrentChangesFromTheSameVersionLetExactlyOneThrough(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let ticket = try await fixture.service.open(fixture.draft(), by: fixture.agent).ticket
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await fixture.service.update(
                                key: ticket.key, with: TicketPatch(title: "Title \(index)"),
                                ifMatch: ticket.version, by: fixture.agent)
                            return true
                        } catch StoreError.versionConflict {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await fixture.service.find(key: ticket.key, by: fixture.agent).version == ticket.version + 1)
        }
    }

    @Test(arguments: Engine.available)
    func anIdempotencyKeyReplaysTheFirstCreation(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let claim = TicketRepository.IdempotencyClaim(userID: fixture.agent.userID, key: "retry-7", requestHash: "abc")
            let first = try await fixture.service.open(fixture.draft(), by: fixture.agent, idempotency: claim)
            let again = try await fixture.service.open(fixture.draft(), by: fixture.agent, idempotency: claim)
            #expect(!first.replayed)
            #expect(again.replayed)
            #expect(again.ticket.key == first.ticket.key)
            var other = claim
            other.requestHash = "different"
            await #expect(throws: StoreError.idempotencyMismatch(key: "retry-7")) {
                try await fixture.service.open(fixture.draft(), by: fixture.agent, idempotency: other)
            }
            #expect(try await fixture.count("tickets") == 1)
        }
    }

    @Test(arguments: Engine.available)
    func requestersSeeOnlyTheirOwnTicketsAndPublicComments(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let mine = try await fixture.service.open(fixture.draft(), by: fixture.requester).ticket
            let theirs = try await fixture.service.open(fixture.draft(), by: fixture.agent).ticket
            #expect(mine.openedBy == "customer")
            #expect(mine.requesterID == fixture.requester.userID)
            let page = try await fixture.service.list(TicketQuery(organizationID: fixture.organization.id), by: fixture.requester)
            #expect(page.tickets.map(\.key) == [mine.key])
            await #expect(throws: StoreError.self) { try await fixture.service.find(key: theirs.key, by: fixture.requester) }
            await #expect(throws: AccessError.self) {
                try await fixture.service.transition(key: mine.key, to: "assigned", resolutionNote: nil, ifMatch: nil, by: fixture.requester)
            }
            _ = try await fixture.service.comment(key: mine.key, body: "Checked the logs", isPublic: false, by: fixture.agent)
            _ = try await fixture.service.comment(key: mine.key, body: "We are on it", isPublic: true, by: fixture.agent)
            #expect(try await fixture.service.comments(key: mine.key, by: fixture.requester).map(\.body) == ["We are on it"])
            #expect(try await fixture.service.comments(key: mine.key, by: fixture.agent).count == 2)
        }
    }

    @Test(arguments: Engine.available)
    func linksMustPointAtObjectsOfTheOrganization(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let stranger = try await StoreFixture.make(database, slug: "globex")
            var draft = fixture.draft()
            draft.links = [CRMLink(kind: .account, id: stranger.account.id)]
            await #expect {
                try await fixture.service.open(draft, by: fixture.agent)
            } throws: { error in
                guard case let StoreError.invalidValue(field, reason) = error else { return false }
                return field == "links[0].id" && reason.contains(stranger.account.id.text)
            }
            #expect(try await fixture.count("tickets") == 0)
        }
    }

    @Test(arguments: Engine.available)
    func listsFilterAndPageWithoutGapsOrRepeats(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            for index in 0..<23 {
                _ = try await fixture.service.open(fixture.draft(severity: index % 3 == 0 ? "critical" : "minor"), by: fixture.agent)
            }
            var query = TicketQuery(organizationID: fixture.organization.id)
            query.limit = 5
            var seen: [String] = []
            var pages = 0
            repeat {
                let page = try await fixture.service.list(query, by: fixture.agent)
                seen += page.tickets.map(\.key)
                query.cursor = page.nextCursor
                pages += 1
            } while query.cursor != nil
            #expect(pages == 5)
            #expect(seen.count == 23)
            #expect(Set(seen).count == 23)
            #expect(seen.first == "INC-23", "newest first")

            var l2 = TicketQuery(organizationID: fixture.organization.id)
            l2.team = "it-l2"
            l2.statusCategory = .new
            l2.limit = 100
            let routed = try await fixture.service.list(l2, by: fixture.agent).tickets
            #expect(routed.count == 8)
            #expect(routed.allSatisfy { $0.severity == "critical" && $0.team == "it-l2" })

            var ascending = TicketQuery(organizationID: fixture.organization.id)
            ascending.descending = false
            ascending.limit = 3
            #expect(try await fixture.service.list(ascending, by: fixture.agent).tickets.map(\.key) == ["INC-1", "INC-2", "INC-3"])
        }
    }

    @Test func cursorTokensRoundTripAndRejectGarbage() {
        let cursor = PageCursor(value: 1_790_000_000_123, id: "3f2c6a3e-0b1d-4a7e-9a55-2f0f1d2c3b4a")
        #expect(PageCursor(token: cursor.token) == cursor)
        #expect(PageCursor(token: "not-a-cursor") == nil)
        #expect(PageCursor(token: "") == nil)
    }
}

@Suite struct AccountValidationTests {
    @Test(arguments: [
        ("name", Account(id: UUID(), name: "  ", createdAt: Date())),
        ("annual_revenue", Account(id: UUID(), name: "Orion", annualRevenue: -1, createdAt: Date())),
        ("currency", Account(id: UUID(), name: "Orion", currency: "euro", createdAt: Date())),
    ])
    func accountsRefuseWhatTheyCannotHold(field: String, account: Account) {
        #expect(throws: StoreError.self) { try account.validate() }
        #expect {
            try account.validate()
        } throws: { error in
            guard case let StoreError.invalidValue(name, _) = error else { return false }
            return name == field
        }
    }

    @Test func aCompleteAccountIsValid() throws {
        try Account(id: UUID(), name: "Orion Bank", tier: "key", annualRevenue: 1_000_000, currency: "EUR", createdAt: Date()).validate()
    }
}

@Suite struct TicketScopeTests {
    /// A role reaching some families and teams: the tickets of others do not exist for it, in
    /// lookups and lists alike (SLA queues use the same condition).
    @Test(arguments: Engine.available)
    func aScopeLimitsLookupsAndLists(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let l2 = try await fixture.service.open(fixture.draft(team: "it-l2"), by: fixture.agent).ticket
            let l3 = try await fixture.service.open(fixture.draft(team: "it-l3"), by: fixture.agent).ticket
            let support = try await fixture.service.open(fixture.draft("customer_support", team: "support-l1"), by: fixture.agent).ticket
            var scoped = fixture.agent
            scoped.access = AccessScope(permissions: [.ticketsWrite], families: ["incident"], teams: ["it-l2"])
            #expect(try await fixture.service.find(key: l2.key, by: scoped).id == l2.id)
            for ticket in [l3, support] {
                await #expect(throws: StoreError.notFound(what: "ticket", id: ticket.key)) {
                    try await fixture.service.find(key: ticket.key, by: scoped)
                }
            }
            let listed = try await fixture.service.list(TicketQuery(organizationID: fixture.organization.id), by: scoped).tickets.map(\.key)
            #expect(listed == [l2.key])
            var noTeams = scoped
            noTeams.access.teams = []
            #expect(try await fixture.service.list(TicketQuery(organizationID: fixture.organization.id), by: noTeams).tickets.isEmpty)
            var nothing = fixture.agent
            nothing.access = .none
            #expect(try await fixture.service.list(TicketQuery(organizationID: fixture.organization.id), by: nothing).tickets.isEmpty)
            // Writing takes the permission, named.
            var reader = scoped
            reader.access.permissions = []
            await #expect(throws: AccessError.forbidden("the role 'agent' may not change tickets: it lacks the permission tickets.write")) {
                try await fixture.service.update(key: l2.key, with: TicketPatch(title: "x"), ifMatch: nil, by: reader)
            }
        }
    }
}

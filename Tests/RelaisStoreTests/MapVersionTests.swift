import Foundation
import RelaisCore
import RelaisMap
import RelaisStore
import RelaisTestSupport
import Testing

/// Map versions: proposals validated and reviewed under the running map's governance, applied
/// atomically (with their status moves), refused when stale or racing, and rolled back.
@Suite struct MapVersionTests {
    static let reader: MapVersions.Reader = { text, included in
        do {
            let read = try MapLoader.read(yaml: text, file: ExampleMap.path, included: included)
            return .success(.init(map: read.map, included: read.included))
        } catch let error as MapValidationError {
            return .failure(.init(problems: error.problems.map { .init(line: $0.line, column: $0.column, message: $0.message) }))
        } catch {
            return .failure(.init(problems: [.init(line: 1, column: 1, message: "\(error)")]))
        }
    }

    struct People {
        let ada: MapActor, bob: MapActor, sam: MapActor
    }

    static func setUp(_ database: RelaisDatabase) async throws -> (StoreFixture, MapVersions, People, String) {
        let fixture = try await StoreFixture.make(database)
        let versions = MapVersions(database: database, reader: reader)
        let text = try ExampleMap.text()
        let started = try await versions.start(organizationID: fixture.organization.id, text: text)
        #expect(started.version.number == 1)
        #expect(started.version.state == .applied)
        #expect(started.version.included.keys.sorted() == ["holidays-fr.ics"])
        let directory = DirectoryRepository(database: database)
        let org = fixture.organization.id
        let people = People(
            ada: MapActor(try await directory.addUser(organizationID: org, name: "ada", email: nil, role: .admin)),
            bob: MapActor(try await directory.addUser(organizationID: org, name: "bob", email: nil, role: .admin)),
            sam: MapActor(try await directory.addUser(organizationID: org, name: "sam", email: nil, role: .agent)))
        return (fixture, versions, people, text)
    }

    static func routingTo(_ team: String, in text: String) -> String {
        text.replacingOccurrences(of: "then: { team: it-l2, priority: P1 }", with: "then: { team: \(team), priority: P1 }")
    }

    @Test(arguments: Engine.available)
    func proposalsAreValidatedReviewedAndApplied(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let (fixture, versions, people, text) = try await Self.setUp(database)
            let org = fixture.organization.id
            // Starting again with another text keeps the version that runs.
            #expect(try await versions.start(organizationID: org, text: Self.routingTo("it-l3", in: text)).version.number == 1)

            // A text that does not validate is stored as rejected, with every problem at its line.
            let broken = Self.routingTo("nobody", in: text).replacingOccurrences(of: "workflow: itil-incident", with: "workflow: nowhere")
            let invalid = await #expect(throws: MapChangeError.self) {
                try await versions.propose(organizationID: org, text: broken, message: "typo", by: people.ada)
            }
            guard case let .invalid(number, problems) = invalid else {
                Issue.record("expected .invalid, got \(String(describing: invalid))")
                return
            }
            #expect(problems.count >= 2)
            #expect(problems.contains { $0.message.contains("nobody") && $0.line > 200 })
            #expect(problems.contains { $0.message.contains("nowhere") })
            let stored = try await versions.version(organizationID: org, number: number)
            #expect(stored.state == .rejected)
            #expect(stored.problems == problems)

            // The running map's governance decides who proposes what.
            let renamed = text.replacingOccurrences(of: "in_progress", with: "working")
            await #expect(throws: MapChangeError.forbidden(permissions: ["map.families.propose", "map.domain.itsm.propose"])) {
                try await versions.propose(organizationID: org, text: renamed, message: "rename", by: people.sam)
            }

            // An incident in the status the proposal removes: approval is refused until the proposal says where it goes.
            let ticket = try await fixture.service.open(fixture.draft(), by: fixture.agent).ticket
            _ = try await fixture.service.transition(key: ticket.key, to: "in_progress", resolutionNote: nil, ifMatch: nil, by: fixture.agent)
            let unmoved = try await versions.propose(organizationID: org, text: renamed, message: "rename in_progress", by: people.ada)
            #expect(unmoved.sections == [.families])
            #expect(unmoved.domains == ["itsm"])
            let impact = try await versions.impact(of: unmoved)
            #expect(impact.removedStatuses == [.init(family: "incident", status: "in_progress", tickets: 1, movedTo: nil)])
            await #expect(throws: MapChangeError.self) {
                try await versions.approve(organizationID: org, number: unmoved.number, by: people.bob)
            }
            #expect(try await versions.reject(organizationID: org, number: unmoved.number, note: "needs a move", by: people.ada).state == .rejected)

            let proposal = try await versions.propose(
                organizationID: org, text: renamed, message: "rename in_progress",
                moves: [StatusMove(family: "incident", from: "in_progress", to: "working")], by: people.ada)
            // Someone other than the author approves (the demo map asks for it outside routing).
            await #expect(throws: MapChangeError.ownProposal(sections: ["families", "domain itsm"])) {
                try await versions.approve(organizationID: org, number: proposal.number, by: people.ada)
            }
            await #expect(throws: MapChangeError.wrongState(number: proposal.number, state: .proposed, action: "applied")) {
                try await versions.apply(organizationID: org, number: proposal.number, by: people.bob)
            }
            #expect(try await versions.approve(organizationID: org, number: proposal.number, note: "ok", by: people.bob).state == .approved)
            let applied = try await versions.apply(organizationID: org, number: proposal.number, by: people.bob)
            #expect(applied.state == .applied)
            #expect(try await versions.runningNumber(organizationID: org) == proposal.number)
            #expect(try await versions.running(organizationID: org)?.map.workflows["itil-incident"]?.category(of: "working") == .open)

            // The ticket moved with the map, and its history says so.
            let moved = try await fixture.service.find(key: ticket.key, by: fixture.agent)
            #expect(moved.status == "working")
            let last = try #require(try await fixture.service.events(key: ticket.key, by: fixture.agent).last)
            #expect(last.change.kind == .statusChanged)
            #expect(last.change.from == "in_progress")
            #expect(last.change.rule == "map v\(proposal.number)")
            #expect(last.actor == "bob")

            // The same text again changes nothing; a second apply is refused.
            await #expect(throws: MapChangeError.unchanged(running: proposal.number)) {
                try await versions.propose(organizationID: org, text: renamed, message: "again", by: people.ada)
            }
            await #expect(throws: MapChangeError.wrongState(number: proposal.number, state: .applied, action: "applied")) {
                try await versions.apply(organizationID: org, number: proposal.number, by: people.bob)
            }
            let actions = try await AuditLog(database: database).entries(organizationID: org, action: "map", limit: 50).map(\.action)
            #expect(actions == ["map.applied", "map.proposed", "map.proposed", "map.rejected", "map.proposed", "map.approved", "map.applied"])
        }
    }

    @Test(arguments: Engine.available)
    func anEntityItsTicketsBelongToCannotBeRemoved(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let (fixture, versions, people, text) = try await Self.setUp(database)
            let org = fixture.organization.id
            var draft = fixture.draft()
            draft.brand = "boltline"
            #expect(try await fixture.service.open(draft, by: fixture.agent).ticket.entity == "boltline")
            // The map without Boltline (its entity, brand, mailbox and role).
            var without = text.replacingOccurrences(of: "  boltline:\n    name: Boltline SAS\n    brands:\n", with: "")
                .replacingOccurrences(of: #"  boltline-agent:\n(    .*\n)+"#, with: "", options: .regularExpression)
            without = without.components(separatedBy: "\n").filter { !$0.lowercased().contains("boltline") }.joined(separator: "\n")
            #expect(without.count < text.count - 500)
            let proposal = try await versions.propose(organizationID: org, text: without, message: "drop Boltline", by: people.ada)
            let impact = try await versions.impact(of: proposal)
            #expect(
                impact.problems == [
                    "entities.boltline: 1 ticket and 0 accounts belong to this entity; an entity they belong to cannot be removed",
                    "brand 'boltline': 1 ticket came through this brand; a brand with tickets cannot be removed",
                ], "\(impact.problems)")
            await #expect(throws: MapChangeError.self) {
                try await versions.approve(organizationID: org, number: proposal.number, by: people.bob)
            }
        }
    }

    @Test(arguments: Engine.available)
    func staleProposalsAndRacingAppliesFailCleanly(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let (fixture, versions, people, text) = try await Self.setUp(database)
            let org = fixture.organization.id
            // Routing: agents may propose, and no second approver is needed.
            let first = try await versions.propose(organizationID: org, text: Self.routingTo("it-l3", in: text), message: "to L3", by: people.sam)
            let second = try await versions.propose(organizationID: org, text: Self.routingTo("it-l1", in: text), message: "to L1", by: people.ada)
            let third = try await versions.propose(
                organizationID: org, text: Self.routingTo("support-l1", in: text), message: "to support", by: people.ada)
            #expect(first.sections == [.routing])
            await #expect(throws: MapChangeError.forbidden(permissions: ["map.routing.approve"])) {
                try await versions.approve(organizationID: org, number: first.number, by: people.sam)
            }
            _ = try await versions.approve(organizationID: org, number: first.number, by: people.ada)
            _ = try await versions.approve(organizationID: org, number: second.number, by: people.ada)

            // Two applies from the same running version: one runs, the other is stale.
            let outcomes = await withTaskGroup(of: Result<MapVersion, any Error>.self) { group in
                for number in [first.number, second.number] {
                    group.addTask {
                        do { return .success(try await versions.apply(organizationID: org, number: number, by: people.bob)) } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let winners = outcomes.compactMap { try? $0.get() }
            #expect(winners.count == 1)
            let loser = outcomes.compactMap { if case let .failure(error) = $0 { error } else { nil } }
            #expect(loser.count == 1)
            #expect(loser.first.map { "\($0)" }?.contains("propose it again") == true, "\(loser)")
            let running = try #require(try await versions.runningNumber(organizationID: org))
            #expect(running == winners.first?.number)

            // A proposal made against version 1 can no longer be approved.
            await #expect(throws: MapChangeError.stale(base: 1, running: running)) {
                try await versions.approve(organizationID: org, number: third.number, by: people.bob)
            }
        }
    }

    @Test(arguments: Engine.available)
    func rollbackRunsTheEarlierTextAgain(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let (fixture, versions, people, text) = try await Self.setUp(database)
            let org = fixture.organization.id
            let change = try await versions.propose(organizationID: org, text: Self.routingTo("it-l3", in: text), message: "to L3", by: people.ada)
            _ = try await versions.approve(organizationID: org, number: change.number, by: people.ada)
            _ = try await versions.apply(organizationID: org, number: change.number, by: people.ada)
            let changed = try #require(try await versions.running(organizationID: org)?.map)
            #expect(changed.routing.first?.actions.team == "it-l3")

            await #expect(throws: MapChangeError.forbidden(permissions: ["map.routing.approve"])) {
                try await versions.rollback(organizationID: org, to: 1, by: people.sam)
            }
            let rolled = try await versions.rollback(organizationID: org, to: 1, by: people.bob)
            #expect(rolled.number == change.number + 1)
            #expect(rolled.rollbackOf == 1)
            #expect(rolled.state == .applied)
            let running = try #require(try await versions.running(organizationID: org))
            #expect(running.version.number == rolled.number)
            #expect(running.version.hash == (try await versions.version(organizationID: org, number: 1)).hash)
            #expect(running.map == (try ExampleMap.load()))
            // Routing behaves as before the change: a critical incident goes to L2 again.
            let ticket = try await TicketService(map: running.map, database: database).open(fixture.draft(severity: "critical"), by: fixture.agent)
                .ticket
            #expect(ticket.team == "it-l2")

            await #expect(throws: MapChangeError.unchanged(running: rolled.number)) {
                try await versions.rollback(organizationID: org, to: 1, by: people.bob)
            }
            let rejected = try await versions.propose(organizationID: org, text: Self.routingTo("it-l1", in: text), message: "x", by: people.ada)
            _ = try await versions.reject(organizationID: org, number: rejected.number, by: people.ada)
            await #expect(throws: MapChangeError.self) {
                try await versions.rollback(organizationID: org, to: rejected.number, by: people.bob)
            }
            #expect(try await versions.list(organizationID: org, limit: 10).map(\.number) == [rejected.number, rolled.number, change.number, 1])
            #expect(
                try await versions.list(organizationID: org, state: .applied, limit: 10, before: rolled.number).map(\.number) == [change.number, 1])
        }
    }
}

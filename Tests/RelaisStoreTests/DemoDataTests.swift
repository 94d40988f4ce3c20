import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct DemoDataTests {
    static let end = Date(timeIntervalSince1970: 1_790_000_000)

    @Test(arguments: Engine.available)
    func generatedTicketsFollowTheirWorkflows(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let map = try ExampleMap.load()
            let organization = try await DirectoryRepository(database: database).ensureOrganization(slug: "acme", name: "Acme")
            let summary = try await DemoData(map: map, database: database)
                .generate(organizationID: organization.id, options: .init(tickets: 400, months: 3, end: Self.end, batchSize: 150))
            #expect(summary.tickets == 400)
            #expect(summary.events > summary.tickets * 3, "tickets walk through several steps")
            let repository = TicketRepository(database: database)
            var query = TicketQuery(organizationID: organization.id)
            query.limit = 200
            var tickets: [Ticket] = []
            repeat {
                let page = try await repository.list(query)
                tickets += page.tickets
                query.cursor = page.nextCursor
            } while query.cursor != nil
            #expect(tickets.count == 400)
            #expect(Set(tickets.map(\.family)).count == 5)
            #expect(tickets.allSatisfy { $0.createdAt <= Self.end && $0.createdAt > Self.end.addingTimeInterval(-100 * 86_400) })
            #expect(tickets.contains { $0.statusCategory == .closed } && tickets.contains { $0.statusCategory != .closed })
            var escalations = 0, rework = 0
            for ticket in tickets.prefix(120) {
                let family = try #require(map.families[ticket.family])
                let workflow = try #require(map.workflow(of: family))
                let events = try await repository.events(organizationID: organization.id, ticketID: ticket.id)
                var status = workflow.initial
                var visited: Set<String> = [status]
                for event in events where event.change.kind == .statusChanged {
                    #expect(event.change.from == status)
                    let target = try #require(event.change.to)
                    #expect(workflow.allows(from: status, to: target), "\(ticket.key): \(status) -> \(target)")
                    if !visited.insert(target).inserted { rework += 1 }
                    status = target
                }
                #expect(status == ticket.status)
                #expect(zip(events, events.dropFirst()).allSatisfy { $0.occurredAt <= $1.occurredAt })
                escalations += events.filter { $0.change.field == "team" && $0.change.rule == nil && $0.change.kind == .assigned }.count
            }
            #expect(escalations > 0)
            #expect(rework > 0)
        }
    }

    @Test func theSameSeedGivesTheSameData() async throws {
        func keysAndStatuses() async throws -> [String] {
            try await TestDatabase.with(.sqlite) { database in
                let organization = try await DirectoryRepository(database: database).ensureOrganization(slug: "acme", name: "Acme")
                _ = try await DemoData(map: try ExampleMap.load(), database: database)
                    .generate(organizationID: organization.id, options: .init(tickets: 60, seed: 7, end: Self.end))
                var query = TicketQuery(organizationID: organization.id)
                query.limit = 100
                return try await TicketRepository(database: database).list(query).tickets.map { "\($0.key) \($0.status) \($0.id)" }
            }
        }
        let first = try await keysAndStatuses()
        #expect(first.count == 60)
        #expect(try await keysAndStatuses() == first)
    }
}

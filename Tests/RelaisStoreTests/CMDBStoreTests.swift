import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct CMDBStoreTests {
    struct Fixture {
        let base: StoreFixture
        let cmdb: CMDBService

        init(_ database: RelaisDatabase) async throws {
            base = try await StoreFixture.make(database)
            cmdb = CMDBService(map: base.map, database: database, tickets: base.service)
        }

        func item(_ name: String, _ type: String, external: String? = nil, account: UUID? = nil) async throws -> ConfigItem {
            var values = ["name": name, "type": type]
            values["external_id"] = external
            values["account_id"] = account?.text
            return try await cmdb.createItem(values, by: base.agent)
        }

        func relate(_ source: ConfigItem, _ type: String, _ target: ConfigItem) async throws {
            _ = try await cmdb.relate(source: source.id, type: type, target: target.id, by: base.agent)
        }
    }

    func rejection(_ body: () async throws -> Void) async -> StoreError? {
        do {
            try await body()
            return nil
        } catch let error as StoreError {
            return error
        } catch {
            return nil
        }
    }

    @Test(arguments: Engine.available)
    func impactFollowsDependenciesThroughDiamondsAndCycles(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await Fixture(database)
            let account = fixture.base.account.id
            let server = try await fixture.item("srv-db-01", "server")
            let database_ = try await fixture.item("crm-db", "database")
            let api = try await fixture.item("crm-api", "application")
            let web = try await fixture.item("crm-web", "application")
            let portal = try await fixture.item("Customer portal", "service", account: account)
            let billing = try await fixture.item("Billing", "service")
            let disk = try await fixture.item("disk-7", "server")
            try await fixture.relate(database_, "runs_on", server)
            try await fixture.relate(api, "depends_on", database_)
            try await fixture.relate(web, "depends_on", database_)
            try await fixture.relate(portal, "depends_on", api)  // diamond: portal reaches the database twice
            try await fixture.relate(portal, "depends_on", web)
            try await fixture.relate(api, "depends_on", portal)  // cycle back from the portal to the api
            try await fixture.relate(billing, "licensed_by", server)  // documents only
            try await fixture.relate(disk, "part_of", server)

            let report = try await fixture.cmdb.impact(of: disk.id, by: fixture.base.agent)
            #expect(report.impactedCount == 5)
            #expect(
                Dictionary(uniqueKeysWithValues: report.impacted.map { ($0.item.name, $0.distance) })
                    == ["srv-db-01": 1, "crm-db": 2, "crm-api": 3, "crm-web": 3, "Customer portal": 4])
            #expect(report.services.map(\.item.name) == ["Customer portal"])
            #expect(report.accounts.map(\.accountID) == [account])
            #expect(report.accounts.first?.name == "Helix Pharma")
            #expect(report.impacted.first { $0.item.id == portal.id }.map { [api.id, web.id].contains($0.via) } == true)

            // The graph is reloaded when relations change.
            try await fixture.relate(billing, "depends_on", web)
            #expect(
                try await fixture.cmdb.impact(of: disk.id, by: fixture.base.agent).services.map(\.item.name).sorted() == [
                    "Billing", "Customer portal",
                ])
            #expect(try await fixture.cmdb.impact(of: disk.id, maxDepth: 2, by: fixture.base.agent).impactedCount == 2)
            #expect(try await fixture.cmdb.impact(of: portal.id, by: fixture.base.agent).impacted.map(\.item.name) == ["crm-api"])
        }
    }

    @Test(arguments: Engine.available)
    func undeclaredTypesAndMissingItemsAreNamed(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await Fixture(database)
            let server = try await fixture.item("srv-1", "server")
            let app = try await fixture.item("app-1", "application")
            let missing = UUID()
            #expect(
                await rejection { _ = try await fixture.cmdb.relate(source: app.id, type: "hosts", target: server.id, by: fixture.base.agent) }
                    == .invalidValue(
                        field: "type", reason: "unknown relation type 'hosts'; the map declares depends_on, licensed_by, part_of, runs_on"))
            #expect(
                await rejection { _ = try await fixture.cmdb.relate(source: app.id, type: "runs_on", target: missing, by: fixture.base.agent) }
                    == .invalidValue(field: "target_id", reason: "no configuration item '\(missing.text)'"))
            #expect(
                await rejection { _ = try await fixture.cmdb.createItem(["name": "x", "type": "spaceship"], by: fixture.base.agent) }?
                    .description.hasPrefix("type: unknown type 'spaceship'") == true)
            #expect(
                await rejection {
                    _ = try await fixture.cmdb.createItem(["name": "x", "type": "server", "owner_team": "nobody"], by: fixture.base.agent)
                }?
                .description.hasPrefix("owner_team: unknown team 'nobody'") == true)
            await #expect(throws: AccessError.self) { _ = try await fixture.cmdb.item(server.id, by: fixture.base.requester) }
            #expect(try await fixture.base.count("config_relations") == 0)
        }
    }

    @Test(arguments: Engine.available)
    func ticketsTieToItemsAndItemsShowTheirTickets(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await Fixture(database)
            let server = try await fixture.item("mail-01", "server")
            let service = try await fixture.item("Mail", "service")
            try await fixture.relate(service, "runs_on", server)
            let ticket = try await fixture.base.service.open(fixture.base.draft(title: "Mail server down"), by: fixture.base.agent).ticket
            let tied = try await fixture.cmdb.tie(ticketKey: ticket.key, adding: [server.id, server.id], removing: [], by: fixture.base.agent)
            #expect(tied.map(\.id) == [server.id])
            #expect(try await fixture.cmdb.tickets(ofItem: server.id, openOnly: true, limit: 10, by: fixture.base.agent).map(\.key) == [ticket.key])
            #expect(try await fixture.cmdb.impact(of: server.id, by: fixture.base.agent).openTickets == [ticket.key])
            let events = try await fixture.base.service.events(key: ticket.key, by: fixture.base.agent)
            #expect(events.last?.change.kind == .itemLinked)
            _ = try await fixture.cmdb.tie(ticketKey: ticket.key, adding: [], removing: [server.id], by: fixture.base.agent)
            #expect(try await fixture.cmdb.items(ofTicket: ticket.key, by: fixture.base.agent).isEmpty)
            #expect(
                await rejection { _ = try await fixture.cmdb.tie(ticketKey: ticket.key, adding: [UUID()], removing: [], by: fixture.base.agent) }?
                    .description.hasPrefix("add: no configuration item") == true)
        }
    }

    @Test(arguments: Engine.available)
    func importsUpsertByExternalIDAndReportBadRowsByLine(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await Fixture(database)
            let items = [
                ImportRow(line: 2, values: ["external_id": "CI-1", "type": "server", "name": "srv-1", "ip": "10.0.0.1"]),
                ImportRow(line: 3, values: ["external_id": "CI-2", "type": "application", "name": "erp"]),
                ImportRow(line: 4, values: ["external_id": "CI-3", "type": "toaster", "name": "t"]),
                ImportRow(line: 5, values: ["type": "server", "name": "no id"]),
            ]
            let first = try await fixture.cmdb.importRows(items, kind: .items, by: fixture.base.agent)
            #expect(first.created == 2)
            #expect(first.rejected.map(\.line) == [4, 5])
            #expect(first.rejected.map(\.field) == ["type", "external_id"])
            let again = try await fixture.cmdb.importRows(
                [ImportRow(line: 2, values: ["external_id": "CI-1", "type": "", "name": "", "ip": "10.0.0.9"])],
                kind: .items, by: fixture.base.agent)
            #expect(again.updated == 1)
            #expect(
                try await fixture.cmdb.repository.item(organizationID: fixture.base.organization.id, externalID: "CI-1")?.attributes == [
                    "ip": "10.0.0.9"
                ])
            #expect(try await fixture.base.count("config_items") == 2)

            let relations = [
                ImportRow(line: 2, values: ["source": "CI-2", "type": "runs_on", "target": "CI-1"]),
                ImportRow(line: 3, values: ["source": "CI-2", "type": "runs_on", "target": "CI-1"]),
                ImportRow(line: 4, values: ["source": "CI-2", "type": "orbits", "target": "CI-1"]),
                ImportRow(line: 5, values: ["source": "CI-2", "type": "runs_on", "target": "CI-404"]),
            ]
            let report = try await fixture.cmdb.importRows(relations, kind: .relations, by: fixture.base.agent)
            #expect(report.created == 1)
            #expect(report.updated == 1)
            #expect(report.rejected.map(\.line) == [4, 5])
            #expect(report.rejected.last?.reason == "target: no configuration item with external id 'CI-404'")
            #expect(try await fixture.base.count("config_relations") == 1)
        }
    }
}

import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import SQLKit
import Testing

/// Ids have one spelling in storage, lower case, whatever wrote them.
@Suite struct StoredIDsTests {
    /// Every UUID in a column of ids (`id` and `…_id`; other tools' `external_id` aside, which
    /// keep the other tool's spelling) and the ids link events name, on a database a ticket's
    /// life has written to.
    @Test(arguments: Engine.available)
    func everyStoredIDIsLowerCase(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            var invoice = CRMRecord(id: UUID(), kind: .invoice, accountID: fixture.account.id, createdAt: Date())
            try invoice.apply(["number": "F-1", "amount": "90", "currency": "EUR", "status": "overdue"])
            try await fixture.service.crm.insert(invoice, organizationID: fixture.organization.id)
            let ticket = try await fixture.service.open(fixture.draft("customer_support", title: "Billed twice"), by: fixture.agent).ticket
            let account = CRMLink(kind: .account, id: fixture.account.id)
            _ = try await fixture.service.update(
                key: ticket.key, with: TicketPatch(links: [account, CRMLink(kind: .invoice, id: invoice.id)]),
                ifMatch: nil, by: fixture.agent)
            _ = try await fixture.service.update(key: ticket.key, with: TicketPatch(links: [account]), ifMatch: nil, by: fixture.agent)

            var checked = 0
            for (table, column) in try await Self.idColumns(database) {
                let values = try await database.read { db in
                    try await db.raw("SELECT CAST(\(ident: column) AS TEXT) AS v FROM \(ident: table) WHERE \(ident: column) IS NOT NULL")
                        .all(decodingColumn: "v", as: String.self)
                }
                for value in values where UUID(uuidString: value) != nil {
                    #expect(value == value.lowercased(), "\(table).\(column): \(value)")
                    checked += 1
                }
            }
            #expect(checked > 20, "rows of several tables were read")
            let linked = try await database.read { db in
                try await db.raw("SELECT COALESCE(to_value, from_value) AS v FROM ticket_events WHERE kind IN ('linked', 'unlinked')")
                    .all(decodingColumn: "v", as: String.self)
            }
            #expect(linked == [invoice.id.text, invoice.id.text])
        }
    }

    /// Link events written in upper case before ids had one spelling are lower-cased by migration 23.
    @Test(arguments: Engine.available)
    func theMigrationLowerCasesLinkEventsWrittenBefore(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let ticket = try await fixture.service.open(fixture.draft(), by: fixture.agent).ticket
            let upper = UUID().uuidString
            try await database.transaction { db in
                for (sequence, kind, from, to): (Int, String, String?, String?) in [
                    (90, "linked", nil, upper), (91, "unlinked", upper, nil), (92, "fieldChanged", "Ab", "CD"),
                ] {
                    try await db.raw(
                        """
                        INSERT INTO ticket_events (id, organization_id, ticket_id, sequence, occurred_at, actor, kind, field, from_value, to_value)
                        VALUES (\(bind: UUID().text), \(bind: fixture.organization.id.text), \(bind: ticket.id.text), \(bind: sequence), 0,
                                'agent', \(bind: kind), 'account', \(bind: from), \(bind: to))
                        """
                    ).run()
                }
            }
            let migration = try #require(Migrator.all.first { $0.name == "lower_case_linked_ids" })
            try await database.transaction { db in
                for statement in migration.statements(for: database.kind) { try await db.raw("\(unsafeRaw: statement)").run() }
            }
            let rows = try await database.read { db in
                try await db.raw("SELECT from_value, to_value FROM ticket_events WHERE sequence >= 90 ORDER BY sequence").all()
            }
            let values = try rows.map {
                [try $0.decode(column: "from_value", as: String?.self), try $0.decode(column: "to_value", as: String?.self)]
            }
            #expect(values == [[nil, upper.lowercased()], [upper.lowercased(), nil], ["Ab", "CD"]], "other events keep their text")
        }
    }

    /// A stored row that cannot be read (a damaged id, a status category no release wrote) is
    /// an error naming its column, never a made-up id or a guessed status.
    @Test(arguments: Engine.available)
    func aRowThatCannotBeReadNamesItsColumn(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let ticket = try await fixture.service.open(fixture.draft(), by: fixture.agent).ticket
            let repository = TicketRepository(database: database)
            for (column, value) in [("status_category", "sideways"), ("requester_id", "not-a-uuid")] {
                try await database.transaction { db in
                    try await db.update("tickets").set(SQLIdentifier(column), to: SQLBind(value)).where("id", .equal, ticket.id.text).run()
                }
                await #expect {
                    _ = try await repository.find(organizationID: fixture.organization.id, key: ticket.key)
                } throws: { error in
                    guard case let StoreError.invalidValue(field, reason) = error else { return false }
                    return field == column && reason.contains(value)
                }
                try await database.transaction { db in
                    try await db.update("tickets").set(
                        SQLIdentifier(column), to: column == "status_category" ? SQLBind("open") : SQLBind(String?.none)
                    )
                    .where("id", .equal, ticket.id.text).run()
                }
            }
            #expect(try await repository.find(organizationID: fixture.organization.id, key: ticket.key)?.id == ticket.id)
        }
    }

    static func idColumns(_ database: RelaisDatabase) async throws -> [(String, String)] {
        let columns: [(String, String)] = try await database.read { db in
            switch database.kind {
            case .sqlite:
                var found: [(String, String)] = []
                let tables = try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                    .all(decodingColumn: "name", as: String.self)
                for table in tables {
                    let names = try await db.raw("SELECT name FROM pragma_table_info(\(bind: table))").all(decodingColumn: "name", as: String.self)
                    found += names.map { (table, $0) }
                }
                return found
            case .postgres:
                return try await db.raw("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()")
                    .all().map { (try $0.decode(column: "table_name", as: String.self), try $0.decode(column: "column_name", as: String.self)) }
            }
        }
        return columns.filter { ($0.1 == "id" || $0.1.hasSuffix("_id")) && !$0.1.hasSuffix("external_id") }
    }
}

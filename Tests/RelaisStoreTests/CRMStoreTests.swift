import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct CRMStoreTests {
    static func contract(_ account: UUID, level: String? = nil, renewal: String? = nil, external: String? = nil) -> CRMRecord {
        var record = CRMRecord(id: UUID(), kind: .contract, accountID: account, externalID: external, createdAt: Date())
        record.name = "Support contract"
        record.startDate = CivilDate(iso: "2026-01-01")
        record.slaLevel = level
        record.renewalDate = renewal.flatMap { CivilDate(iso: $0) }
        return record
    }

    @Test(arguments: [
        ([String: String](), "name"),
        (["name": "Renewal", "stage": "proposal", "amount": "12.345", "currency": "EUR"], "amount"),
        (["name": "Renewal", "stage": "proposal", "amount": "1200"], "currency"),
        (["name": "Renewal", "stage": "proposal", "close_date": "2027-02-30"], "close_date"),
        (["name": "Renewal", "stage": "proposal", "quantity": "3"], "quantity"),
        (["name": "Renewal", "stage": "proposal", "colour": "red"], "colour"),
    ])
    func opportunitiesRefuseWhatTheyCannotHold(values: [String: String], field: String) throws {
        var record = CRMRecord(id: UUID(), kind: .opportunity, createdAt: Date())
        #expect {
            try record.apply(values)
            try record.validate()
        } throws: { error in
            guard case let StoreError.invalidValue(named, _) = error else { return false }
            return named == field
        }
    }

    @Test func recordsKeepTheirKindsFieldsAndStatuses() throws {
        var invoice = CRMRecord(id: UUID(), kind: .invoice, createdAt: Date())
        try invoice.apply(["number": "F-2027-0042", "amount": "1250.5", "currency": "eur", "status": "paid", "due_date": "2027-01-31"])
        try invoice.validate()
        #expect(invoice.amountCents == 125_050)
        #expect(invoice.currency == "EUR")
        #expect(invoice.fieldValues["amount"] == "1250.50")
        invoice.status = "lost"
        #expect(throws: StoreError.self) { try invoice.validate() }
        var subscription = CRMRecord(id: UUID(), kind: .subscription, createdAt: Date())
        try subscription.apply([
            "product": "Relais Cloud", "quantity": "25", "status": "active", "start_date": "2027-01-01", "end_date": "2026-12-01",
        ])
        #expect { try subscription.validate() } throws: {
            ($0 as? StoreError) == .invalidValue(field: "end_date", reason: "2026-12-01 is before start_date 2027-01-01")
        }
    }

    @Test(arguments: Engine.available)
    func anImportAppliesGoodRowsAndReportsEachBadOneWithItsLine(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let importer = CRMImporter(database: database)
            let organization = fixture.organization.id
            let accounts = try await importer.run(
                [
                    ImportRow(
                        line: 2,
                        values: [
                            "external_id": "SF-1", "name": "Orbital", "tier": "strategic", "domain": "orbital.example", "annual_revenue": "2500000",
                            "currency": "EUR",
                        ]),
                    ImportRow(line: 3, values: ["external_id": "SF-2", "name": "Kestrel", "annual_revenue": "lots"]),
                    ImportRow(line: 4, values: ["external_id": "SF-3", "name": ""]),
                    ImportRow(line: 5, values: ["external_id": "SF-2", "name": "Kestrel", "segment": "smb"]),
                ], kind: .account, organizationID: organization)
            #expect(accounts.created == 2)
            #expect(accounts.rejected.map(\.line) == [3, 4])
            #expect(accounts.rejected.map(\.field) == ["annual_revenue", "name"])
            let contracts = try await importer.run(
                [
                    ImportRow(
                        line: 2,
                        values: [
                            "external_id": "C-1", "account_external_id": "SF-1", "name": "Premium", "sla_level": "premium-24x7",
                            "start_date": "2026-01-01", "renewal_date": "2027-01-15",
                        ]),
                    ImportRow(line: 3, values: ["external_id": "C-2", "account_external_id": "SF-9", "name": "Ghost", "start_date": "2026-01-01"]),
                    ImportRow(line: 4, values: ["external_id": "C-3", "account_external_id": "SF-2", "name": "Basic", "start_date": "01/01/2026"]),
                ], kind: .contract, organizationID: organization)
            #expect(contracts.created == 1)
            #expect(contracts.rejected.map(\.line) == [3, 4])
            #expect(contracts.rejected.first?.reason.contains("SF-9") == true)
            // Importing again updates by external id instead of duplicating.
            let again = try await importer.run(
                [
                    ImportRow(line: 2, values: ["external_id": "C-1", "status": "active", "renewal_date": "2027-02-01"])
                ], kind: .contract, organizationID: organization)
            #expect(again.updated == 1 && again.created == 0)
            let stored = try #require(try await fixture.service.crm.record(organizationID: organization, kind: .contract, externalID: "C-1"))
            #expect(stored.renewalDate == CivilDate(iso: "2027-02-01"))
            #expect(stored.slaLevel == "premium-24x7")
            let orbital = try #require(try await fixture.service.crm.account(organizationID: organization, externalID: "SF-1"))
            #expect(stored.accountID == orbital.id)
            // Contacts join the account that declares their domain.
            let people = try await importer.run(
                [
                    ImportRow(line: 2, values: ["external_id": "P-1", "name": "Ada", "email": "Ada@Orbital.example"]),
                    ImportRow(line: 3, values: ["external_id": "P-2", "name": "Bo", "email": "bo@elsewhere.example"]),
                    ImportRow(line: 4, values: ["external_id": "P-3", "name": "Cy", "email": "not-an-address"]),
                ], kind: .contact, organizationID: organization)
            #expect(people.created == 2 && people.rejected.map(\.line) == [4])
            let ada = try await fixture.service.crm.contact(organizationID: organization, email: "ada@orbital.example", name: nil, now: Date())
            #expect(ada.accountID == orbital.id)
            let newcomer = try await fixture.service.crm.contact(organizationID: organization, email: "dee@orbital.example", name: "Dee", now: Date())
            #expect(newcomer.accountID == orbital.id && newcomer.name == "Dee")
        }
    }

    @Test(arguments: Engine.available)
    func linksMustExistBelongToTheAccountAndFollowTheFamily(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let organization = fixture.organization.id
            let other = Account(id: UUID(), name: "Other", createdAt: Date())
            try await fixture.service.crm.insert(other, organizationID: organization)
            let theirs = Self.contract(other.id)
            try await fixture.service.crm.insert(theirs, organizationID: organization)
            var invoice = CRMRecord(id: UUID(), kind: .invoice, accountID: fixture.account.id, createdAt: Date())
            try invoice.apply(["number": "F-1", "amount": "90", "currency": "EUR", "status": "overdue"])
            try await fixture.service.crm.insert(invoice, organizationID: organization)

            var draft = fixture.draft("customer_support", title: "Billed twice")
            let missing = UUID()
            draft.links = [CRMLink(kind: .account, id: fixture.account.id), CRMLink(kind: .invoice, id: missing)]
            await #expect { try await fixture.service.open(draft, by: fixture.agent) } throws: { error in
                (error as? StoreError) == .invalidValue(field: "links[1].id", reason: "no invoice '\(missing.text)'")
            }
            draft.links = [CRMLink(kind: .account, id: fixture.account.id), CRMLink(kind: .contract, id: theirs.id)]
            await #expect { try await fixture.service.open(draft, by: fixture.agent) } throws: { error in
                guard case let StoreError.invalidValue(field, _) = error else { return false }
                return field == "links[1].id"
            }
            // The incident family does not link to invoices.
            var incident = fixture.draft()
            incident.links.append(CRMLink(kind: .invoice, id: invoice.id))
            await #expect(throws: TicketError.self) { try await fixture.service.open(incident, by: fixture.agent) }
            // A billing complaint linked to its invoice alone gets the invoice's account.
            draft.links = [CRMLink(kind: .invoice, id: invoice.id)]
            let ticket = try await fixture.service.open(draft, by: fixture.agent).ticket
            #expect(ticket.accountID == fixture.account.id)
            #expect(Set(ticket.links) == [CRMLink(kind: .invoice, id: invoice.id), CRMLink(kind: .account, id: fixture.account.id)])
            // A linked record cannot be deleted; an unlinked one can.
            await #expect(throws: StoreError.self) {
                try await fixture.service.crm.delete(kind: .invoice, id: invoice.id, organizationID: organization)
            }
            try await fixture.service.crm.delete(kind: .contract, id: theirs.id, organizationID: organization)
            #expect(try await fixture.service.crm.record(organizationID: organization, kind: .contract, id: theirs.id) == nil)
            #expect(try await fixture.count("tickets") == 1)
        }
    }

    @Test(arguments: Engine.available)
    func theContractsSLALevelChoosesThePolicyAndRoutingReadsRevenue(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let organization = fixture.organization.id
            let standard = Account(id: UUID(), name: "Nordwind", tier: "standard", annualRevenue: 900_000, currency: "EUR", createdAt: Date())
            try await fixture.service.crm.insert(standard, organizationID: organization)
            let premium = Self.contract(standard.id, level: "premium-24x7")
            try await fixture.service.crm.insert(premium, organizationID: organization)
            var draft = fixture.draft()
            draft.links = [CRMLink(kind: .account, id: standard.id)]
            let plain = try await fixture.service.open(draft, by: fixture.agent).ticket
            draft.links.append(CRMLink(kind: .contract, id: premium.id))
            let covered = try await fixture.service.open(draft, by: fixture.agent).ticket
            let sla = SLAService(tickets: fixture.service, database: database)
            #expect(try await sla.state(key: plain.key, by: fixture.agent)?.policy.code == "incident-standard")
            #expect(try await sla.state(key: covered.key, by: fixture.agent)?.policy.code == "incident-critical-247")

            var map = fixture.map
            map.routing = [
                RoutingRule(
                    name: "big-customers", conditions: [.init(field: "account.annual_revenue", values: [], atLeast: 1_000_000)],
                    actions: .init(priority: "P1"))
            ]
            let routed = TicketService(map: map, database: database)
            draft.links = [CRMLink(kind: .account, id: standard.id)]
            #expect(try await routed.open(draft, by: fixture.agent).ticket.priority != "P1")
            var bigger = standard
            bigger.annualRevenue = 5_000_000
            try await fixture.service.crm.update(bigger, organizationID: organization)
            #expect(try await routed.open(draft, by: fixture.agent).ticket.priority == "P1")
        }
    }
}

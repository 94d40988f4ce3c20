import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct CRMReportTests {
    /// Two accounts, three tickets with known times, ratings and SLA outcomes; every figure below is worked out by hand.
    @Test(arguments: Engine.available)
    func reportFiguresMatchAHandComputedCase(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualClock("2026-11-30T09:00:00+01:00")
            let fixture = try await StoreFixture.make(database)
            let organization = fixture.organization.id
            let service = TicketService(map: fixture.map, database: database, now: { clock.now })
            let orbital = Account(
                id: UUID(), name: "Orbital", tier: "standard", segment: "enterprise", region: "emea",
                annualRevenue: 2_000_000, currency: "EUR", createdAt: Date())
            let kestrel = Account(
                id: UUID(), name: "Kestrel", tier: "standard", segment: "smb", region: "amer",
                annualRevenue: 500_000, currency: "EUR", createdAt: Date())
            for account in [orbital, kestrel] { try await service.crm.insert(account, organizationID: organization) }
            var subscription = CRMRecord(id: UUID(), kind: .subscription, accountID: orbital.id, createdAt: Date())
            try subscription.apply(["product": "Relais Cloud", "quantity": "40", "status": "active"])
            try await service.crm.insert(subscription, organizationID: organization)
            try await service.crm.insert(CRMStoreTests.contract(orbital.id, renewal: "2027-06-30"), organizationID: organization)

            func open(_ family: String, _ account: Account, severity: String, category: String, links: [CRMLink] = []) async throws -> Ticket {
                var draft = fixture.draft(family, severity: severity)
                draft.category = category
                draft.links = [CRMLink(kind: .account, id: account.id)] + links
                return try await service.open(draft, by: fixture.agent).ticket
            }
            let first = try await open(
                "customer_support", orbital, severity: "critical", category: "billing", links: [CRMLink(kind: .subscription, id: subscription.id)])
            let second = try await open("incident", orbital, severity: "major", category: "network")
            let third = try await open("customer_support", kestrel, severity: "critical", category: "billing")
            _ = try await service.transition(key: first.key, to: "open", resolutionNote: nil, ifMatch: nil, by: fixture.agent)
            clock.set("2026-11-30T11:00:00+01:00")
            _ = try await service.transition(key: first.key, to: "solved", resolutionNote: "refunded", ifMatch: nil, by: fixture.agent)
            _ = try await service.rate(key: first.key, score: 5, comment: "quick", by: fixture.agent)
            _ = try await service.transition(key: second.key, to: "in_progress", resolutionNote: nil, ifMatch: nil, by: fixture.agent)
            _ = try await service.transition(key: second.key, to: "resolved", resolutionNote: "first try", ifMatch: nil, by: fixture.agent)
            _ = try await service.transition(key: second.key, to: "in_progress", resolutionNote: nil, ifMatch: nil, by: fixture.agent)
            clock.set("2026-12-01T15:00:00+01:00")
            _ = try await service.transition(key: second.key, to: "resolved", resolutionNote: "fixed", ifMatch: nil, by: fixture.agent)
            _ = try await service.transition(key: second.key, to: "closed", resolutionNote: nil, ifMatch: nil, by: fixture.agent)
            _ = try await service.rate(key: second.key, score: 3, comment: nil, by: fixture.agent)
            _ = try await service.rate(key: second.key, score: 2, comment: "slow", by: fixture.agent)
            // A rating needs a solved ticket and a score on the scale.
            await #expect(throws: TicketError.self) { try await service.rate(key: third.key, score: 4, comment: nil, by: fixture.agent) }
            await #expect(throws: TicketError.self) { try await service.rate(key: first.key, score: 6, comment: nil, by: fixture.agent) }
            // SLA outcomes set by hand, so compliance can be worked out.
            for (ticket, firstResponse, resolution) in [(first, "met", "met"), (second, "breached", "met"), (third, "breached", "open")] {
                try await database.transaction { db in
                    try await db.update("ticket_sla").set("first_response", to: firstResponse).set("resolution", to: resolution)
                        .where("ticket_id", .equal, ticket.id.text).run()
                }
            }

            let reports = CRMReports(map: fixture.map, database: database)
            let from = clock.now.addingTimeInterval(-30 * 86_400), to = clock.now.addingTimeInterval(86_400)
            let revenue = try await reports.revenueAgainstIncidents(organizationID: organization, from: from, to: to)
            #expect(
                revenue.rows == [
                    [
                        .text("Orbital"), .text("enterprise"), .text("standard"), .integer(2_000_000), .text("EUR"), .integer(2), .integer(1),
                        .number(1),
                    ],
                    [.text("Kestrel"), .text("smb"), .text("standard"), .integer(500_000), .text("EUR"), .integer(1), .integer(1), .number(2)],
                ])
            let satisfaction = try await reports.satisfactionAgainstResolution(organizationID: organization, from: from, to: to)
            #expect(
                satisfaction.rows == [
                    [.text("under 4h"), .integer(1), .integer(1), .number(5)],
                    [.text("4h to 1d"), .integer(0), .integer(0), .null],
                    [.text("1d to 3d"), .integer(1), .integer(1), .number(2)],
                    [.text("3d to 7d"), .integer(0), .integer(0), .null],
                    [.text("over 7d"), .integer(0), .integer(0), .null],
                ])
            let bySegment = try await reports.slaCompliance(organizationID: organization, from: from, to: to, by: .segment)
            #expect(
                bySegment.rows == [
                    [.text("enterprise"), .integer(2), .integer(1), .integer(1), .integer(2), .integer(0), .number(0.75)],
                    [.text("smb"), .integer(1), .integer(0), .integer(1), .integer(0), .integer(0), .number(0)],
                ])
            let byProduct = try await reports.slaCompliance(organizationID: organization, from: from, to: to, by: .product)
            #expect(byProduct.rows.map { $0[0] } == [.null, .text("Relais Cloud")])
            #expect(byProduct.rows.last?.last == .number(1))
            let volume = try await reports.volume(organizationID: organization, from: from, to: to)
            #expect(
                volume.rows == [
                    [.text("billing"), .text("enterprise"), .integer(1)],
                    [.text("billing"), .text("smb"), .integer(1)],
                    [.text("network"), .text("enterprise"), .integer(1)],
                ])
            // Nothing falls in a period before the tickets.
            #expect(try await reports.volume(organizationID: organization, from: from, to: from.addingTimeInterval(86_400)).rows.isEmpty)

            let overview = try await reports.overview(
                organizationID: organization, accountID: orbital.id, from: from, to: to, today: CivilDate(iso: "2026-12-01")!)
            #expect(overview.tickets == 2)
            #expect(overview.byFamily == ["customer_support": 1, "incident": 1])
            #expect(overview.byStatusCategory == ["solved": 1, "closed": 1])
            // First: 2 h; second: reopened, finally resolved 30 h after it was opened.
            #expect(overview.meanResolutionHours == 16 && overview.medianResolutionHours == 16)
            #expect(overview.ratings == 2 && overview.meanSatisfaction == 3.5)
            #expect(overview.slaMet == 3 && overview.slaBreached == 1 && overview.slaCompliance == 0.75)
            #expect(overview.openCritical.isEmpty)
            #expect(overview.latest.map(\.key) == [second.key, first.key])
            #expect(overview.nextRenewal == CivilDate(iso: "2027-06-30"))
            #expect(overview.records.count == 2)
            let kestrelView = try await reports.overview(
                organizationID: organization, accountID: kestrel.id, from: from, to: to, today: CivilDate(iso: "2026-12-01")!)
            #expect(kestrelView.openCritical.map(\.key) == [third.key])
            #expect(kestrelView.meanResolutionHours == nil && kestrelView.slaCompliance == 0)
        }
    }
}

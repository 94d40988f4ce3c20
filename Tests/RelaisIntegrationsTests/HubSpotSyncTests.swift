import Foundation
import HTTPTypes
import RelaisCore
import RelaisIntegrations
import RelaisStore
import RelaisTestSupport
import SQLKit
import Synchronization
import Testing

/// HubSpot both ways against a stub that answers as its CRM API v3 and associations v4 do.
@Suite struct HubSpotSyncTests {
    static let stages: [StatusCategory: String] = [.new: "1", .open: "2", .pending: "3", .solved: "4", .closed: "4"]

    /// A stub of HubSpot's objects, batch and association endpoints; the first batch upsert is rate-limited.
    /// True the first time it is asked, false afterwards.
    final class FirstTime: Sendable {
        let fresh = Mutex(true)
        func take() -> Bool {
            fresh.withLock {
                let first = $0
                $0 = false
                return first
            }
        }
    }

    static func hubspot(_ index: Int, _ request: APIStub.Received, limited: FirstTime) -> APIStub.Answer {
        func json(_ text: String) -> APIStub.Answer { .init(status: .ok, body: Array(text.utf8)) }
        let path = request.path
        if request.method == "GET", path.hasPrefix("/crm/v3/objects/companies?") {
            if path.contains("after=2") {
                return json(
                    #"{"results":[{"id":"103","properties":{"name":"Orbit Foods","domain":"orbit.example","annualrevenue":null,"hs_object_id":"103"},"createdAt":"2026-01-02T10:00:00Z","updatedAt":"2026-11-02T10:00:00Z","archived":false}]}"#
                )
            }
            return json(
                #"{"results":[{"id":"101","properties":{"name":"Helix Pharma","domain":"helix.example","annualrevenue":"2400000.0","tier":"strategic","hs_object_id":"101"},"archived":false},{"id":"102","properties":{"name":"Nordwind","domain":"nordwind.example","annualrevenue":"90000","hs_object_id":"102"},"archived":false}],"paging":{"next":{"after":"2","link":"https://api.hubapi.com/crm/v3/objects/companies?after=2"}}}"#
            )
        }
        if request.method == "GET", path.hasPrefix("/crm/v3/objects/contacts?") {
            return json(
                #"{"results":[{"id":"501","properties":{"email":"ana@helix.example","firstname":"Ana","lastname":"Dupré"},"associations":{"companies":{"results":[{"id":"101","type":"contact_to_company"}]}}},{"id":"502","properties":{"email":"lost@nowhere.example","firstname":"Lost"},"associations":{"companies":{"results":[{"id":"999","type":"contact_to_company"}]}}}]}"#
            )
        }
        if request.method == "GET", path.hasPrefix("/crm/v3/objects/deals?") {
            return json(
                #"{"results":[{"id":"701","properties":{"dealname":"Nordwind renewal","dealstage":"contractsent","amount":"12000","deal_currency_code":"EUR","closedate":"2026-12-15T00:00:00Z"},"associations":{"companies":{"results":[{"id":"102","type":"deal_to_company"}]}}}]}"#
            )
        }
        if request.method == "POST", path == "/crm/v3/objects/tickets/batch/upsert" {
            if limited.take() {
                return .init(
                    status: .tooManyRequests,
                    body: Array(
                        #"{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}"#
                            .utf8))
            }
            let inputs = ((try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any])?["inputs"] as? [[String: Any]] ?? []
            let results = inputs.map { input -> String in
                let key = input["id"] as? String ?? ""
                let number = key.split(separator: "-").last.map(String.init) ?? "0"
                return #"{"id":"90\#(number)","properties":{"relais_key":"\#(key)"},"archived":false}"#
            }
            return json(#"{"status":"COMPLETE","results":[\#(results.joined(separator: ","))]}"#)
        }
        if request.method == "POST", path.hasPrefix("/crm/v4/associations/ticket/"), path.hasSuffix("/batch/associate/default") {
            return json(#"{"status":"COMPLETE","results":[]}"#)
        }
        if request.method == "POST", path == "/crm/v3/objects/companies/batch/update" { return json(#"{"status":"COMPLETE","results":[]}"#) }
        return .init(status: .notFound, body: Array(#"{"status":"error","message":"Not found"}"#.utf8))
    }

    func bodies(_ stub: APIStub, _ path: String, after: Int = 0) -> [[String: Any]] {
        stub.requests.dropFirst(after).filter { $0.path == path && $0.method == "POST" }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.body))) as? [String: Any]
        }
    }

    @Test(arguments: Engine.available)
    func companiesComeInTicketsAndRollUpsGoOutAndOnlyChangesAreSentAgain(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let directory = DirectoryRepository(database: database)
            let organization = try await directory.ensureOrganization(slug: "acme", name: "Acme")
            let agent = try await directory.addUser(organizationID: organization.id, name: "agent", email: nil, role: .agent)
            let limited = FirstTime()
            let stub = try await APIStub.start { index, request in Self.hubspot(index, request, limited: limited) }
            defer { Task { await stub.stop() } }
            let clock = ManualClock()
            let pauses = PauseLog()
            var map = try ExampleMap.load()
            map.connectors = [
                "hubspot": CRMConnection(kind: .hubspot, url: stub.url, tokenVariable: "RELAIS_HS_TOKEN", stages: Self.stages, tierProperty: "tier")
            ]
            func sync(burst: Int = 100) async throws -> CRMSync.Report {
                var settings = CRMSync.Settings()
                settings.allowPrivateEgress = true  // the stub CRM listens on loopback
                settings.burst = burst
                settings.timeout = 5
                let sync = try CRMSync(
                    connection: map.connectors["hubspot"]!, map: map, database: database, organizationID: organization.id,
                    environment: ["RELAIS_HS_TOKEN": "pat-eu1-test"], settings: settings,
                    sleep: { seconds in
                        pauses.record(seconds)
                        clock.advance(seconds)
                    }, now: { clock.now() })
                return try await using(sync, close: { await $0.shutdown() }) { try await $0.run() }
            }

            // In: companies (two pages), contacts (one of an unknown company, refused), deals.
            let first = try await sync()
            #expect(first.pulled.map(\.noun) == ["companies", "contacts", "deals"])
            #expect(
                first.pulled("companies")?.created == 3 && first.pulled("contacts")?.created == 1 && first.pulled("deals")?.created == 1, "\(first)")
            let refusedContact = first.pulled("contacts")?.rejected
            #expect(refusedContact?.count == 1 && refusedContact?.first?.reason.contains("999") == true, "\(String(describing: refusedContact))")
            let crm = CRMRepository(database: database)
            let helix = try #require(try await crm.account(organizationID: organization.id, externalID: "101"))
            #expect(helix.name == "Helix Pharma" && helix.annualRevenue == 2_400_000 && helix.tier == "strategic" && helix.domain == "helix.example")
            #expect(try await crm.contact(organizationID: organization.id, email: "ana@helix.example")?.accountID == helix.id)
            #expect(stub.requests.first?.headers["authorization"] == "Bearer pat-eu1-test")
            // Out: no ticket yet; the three companies get their (empty) roll-ups once.
            #expect(first.ticketsPushed == 0 && first.rollupsPushed == 3)

            let tickets = TicketService(map: map, database: database, now: { clock.now() })
            var keys: [String] = []
            let ana = try #require(try await crm.contact(organizationID: organization.id, email: "ana@helix.example"))
            for (index, title) in ["Export fails", "Login slow"].enumerated() {
                let links = [CRMLink(kind: .account, id: helix.id)] + (index == 0 ? [CRMLink(kind: .contact, id: ana.id)] : [])
                keys.append(
                    try await tickets.open(
                        TicketDraft(
                            family: "incident", title: title, description: "Since Monday", channel: "api", openedBy: "internal",
                            impact: "high", urgency: "high", links: links),
                        by: agent
                    ).ticket.key)
            }
            let before = stub.requests.count
            clock.advance(60)
            let second = try await sync()
            #expect(second.ticketsPushed == 2 && second.rollupsPushed == 1 && second.retries == 1, "\(second)")
            // The rate-limited upsert waited HubSpot's ten-second window, then went through.
            #expect(pauses.all.contains(10))
            let upsert = try #require(bodies(stub, "/crm/v3/objects/tickets/batch/upsert", after: before).last)
            let inputs = upsert["inputs"] as? [[String: Any]] ?? []
            #expect(inputs.map { $0["id"] as? String } == keys && inputs.allSatisfy { $0["idProperty"] as? String == "relais_key" })
            let properties = inputs.first?["properties"] as? [String: String] ?? [:]
            #expect(
                properties["hs_pipeline"] == "0" && properties["hs_pipeline_stage"] == "1" && properties["subject"] == "[\(keys[0])] Export fails")
            #expect(properties["hs_ticket_priority"] != nil && properties["content"] == "Since Monday")
            let associations = try #require(bodies(stub, "/crm/v4/associations/ticket/company/batch/associate/default", after: before).last)
            #expect(properties.keys.allSatisfy { !$0.hasPrefix("linked.") && $0 != "company" })
            #expect((associations["inputs"] as? [[String: Any]])?.compactMap { ($0["to"] as? [String: Any])?["id"] as? String } == ["101", "101"])
            // The ticket linked to Ana is associated with her HubSpot contact too, and nothing else goes to contacts.
            let contacts = try #require(bodies(stub, "/crm/v4/associations/ticket/contact/batch/associate/default", after: before).last)
            #expect((contacts["inputs"] as? [[String: Any]])?.compactMap { ($0["to"] as? [String: Any])?["id"] as? String } == ["501"])
            #expect(bodies(stub, "/crm/v4/associations/ticket/deal/batch/associate/default", after: before).isEmpty)
            let update = try #require(bodies(stub, "/crm/v3/objects/companies/batch/update", after: before).last)
            let rollup = (update["inputs"] as? [[String: Any]])?.first
            #expect(rollup?["id"] as? String == "101")
            #expect(
                (rollup?["properties"] as? [String: String])?["relais_tickets"] == "2"
                    && (rollup?["properties"] as? [String: String])?["relais_open_tickets"] == "2")

            // Nothing changed: nothing is sent.
            let quiet = stub.requests.count
            let third = try await sync()
            #expect(third.ticketsPushed == 0 && third.rollupsPushed == 0)
            #expect(stub.requests.dropFirst(quiet).allSatisfy { $0.method == "GET" })

            // One ticket moves: it alone is sent again, at its new stage.
            clock.advance(60)
            _ = try await tickets.transition(key: keys[1], to: "in_progress", resolutionNote: nil, ifMatch: nil, by: agent)
            let moved = stub.requests.count
            let fourth = try await sync()
            #expect(fourth.ticketsPushed == 1)
            let sent = try #require(bodies(stub, "/crm/v3/objects/tickets/batch/upsert", after: moved).last?["inputs"] as? [[String: Any]])
            #expect(sent.map { $0["id"] as? String } == [keys[1]] && (sent.first?["properties"] as? [String: String])?["hs_pipeline_stage"] == "2")

            // The burst limit is kept on this side: with room for two requests in ten seconds, the
            // third waits for the window.
            let waited = pauses.all.count
            _ = try await sync(burst: 2)
            #expect(pauses.all.dropFirst(waited).contains { $0 > 0 && $0 <= 10 })
        }
    }
}

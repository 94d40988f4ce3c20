import Foundation
import HTTPTypes
import RelaisCore
import RelaisIntegrations
import RelaisStore
import RelaisTestSupport
import Testing

/// Salesforce both ways against a stub of its REST API (SOQL query with nextRecordsUrl, sObject
/// Collections upsert by external id and update, each record answered on its own).
@Suite struct SalesforceSyncTests {
    static let version = "v61.0"

    static func salesforce(_ index: Int, _ request: APIStub.Received) -> APIStub.Answer {
        func json(_ text: String) -> APIStub.Answer { .init(status: .ok, body: Array(text.utf8)) }
        let path = request.path
        let query = URLComponents(string: "http://x\(path)")?.queryItems?.first { $0.name == "q" }?.value ?? ""
        if request.method == "GET", path.hasPrefix("/services/data/\(version)/query?"), query.contains("FROM Account") {
            return json(
                #"{"totalSize":2,"done":false,"nextRecordsUrl":"/services/data/v61.0/query/01gRM000003sAGAYA2-1","records":[{"attributes":{"type":"Account","url":"/services/data/v61.0/sobjects/Account/001RM000003oLnhYAE"},"Id":"001RM000003oLnhYAE","Name":"Helix Pharma","Website":"https://www.helix.example/","AnnualRevenue":2400000.0,"Tier__c":"strategic"}]}"#
            )
        }
        if request.method == "GET", path == "/services/data/\(version)/query/01gRM000003sAGAYA2-1" {
            return json(
                #"{"totalSize":2,"done":true,"records":[{"attributes":{"type":"Account"},"Id":"001RM000003oLniYAE","Name":"Nordwind","Website":null,"AnnualRevenue":null,"Tier__c":null}]}"#
            )
        }
        if request.method == "GET", query.contains("FROM Contact") {
            return json(
                #"{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Contact"},"Id":"003RM000004pNbLYAU","Name":"Ana Dupré","Email":"ana@helix.example","AccountId":"001RM000003oLnhYAE"}]}"#
            )
        }
        if request.method == "PATCH", path == "/services/data/\(version)/composite/sobjects/Case/Relais_Key__c" {
            let records = ((try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any])?["records"] as? [[String: Any]] ?? []
            // A case without a subject is refused, as a validation rule would.
            let results = records.enumerated().map { index, record -> String in
                (record["Subject"] as? String)?.contains("REFUSE") == true
                    ? #"{"success":false,"errors":[{"statusCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION","message":"Subject is not allowed","fields":["Subject"]}]}"#
                    : #"{"id":"500RM00000\#(index)","success":true,"errors":[],"created":true}"#
            }
            return json("[" + results.joined(separator: ",") + "]")
        }
        if request.method == "PATCH", path == "/services/data/\(version)/composite/sobjects" {
            let records = ((try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any])?["records"] as? [[String: Any]] ?? []
            return json("[" + records.map { #"{"id":"\#($0["id"] as? String ?? "")","success":true,"errors":[]}"# }.joined(separator: ",") + "]")
        }
        return .init(status: .notFound, body: Array(#"[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]"#.utf8))
    }

    @Test(arguments: Engine.available)
    func accountsAndContactsComeInAndCasesAndRollUpsGoOut(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let directory = DirectoryRepository(database: database)
            let organization = try await directory.ensureOrganization(slug: "acme", name: "Acme")
            let agent = try await directory.addUser(organizationID: organization.id, name: "agent", email: nil, role: .agent)
            let stub = try await APIStub.start(Self.salesforce)
            let clock = ManualClock()
            var map = try ExampleMap.load()
            map.connectors = [
                "salesforce": CRMConnection(
                    kind: .salesforce, url: stub.url, tokenVariable: "RELAIS_SF_TOKEN",
                    stages: [.new: "New", .open: "Working", .pending: "On Hold", .solved: "Closed", .closed: "Closed"],
                    tierProperty: "Tier__c", currency: "EUR")
            ]
            func sync() async throws -> CRMSync.Report {
                var settings = CRMSync.Settings()
                settings.allowPrivateEgress = true  // the stub CRM listens on loopback
                settings.timeout = 5
                let sync = try CRMSync(
                    connection: map.connectors["salesforce"]!, map: map, database: database, organizationID: organization.id,
                    environment: ["RELAIS_SF_TOKEN": "00D-session"], settings: settings, sleep: { _ in }, now: { clock.now() })
                return try await using(sync, close: { await $0.shutdown() }) { try await $0.run() }
            }
            let first = try await sync()
            #expect(first.pulled("accounts")?.created == 2 && first.pulled("contacts")?.created == 1, "\(first)")
            let crm = CRMRepository(database: database)
            let helix = try #require(try await crm.account(organizationID: organization.id, externalID: "001RM000003oLnhYAE"))
            #expect(helix.domain == "helix.example" && helix.annualRevenue == 2_400_000 && helix.tier == "strategic" && helix.currency == "EUR")
            let ana = try #require(try await crm.contact(organizationID: organization.id, email: "ana@helix.example"))
            #expect(ana.accountID == helix.id)
            #expect(stub.requests.first?.headers["authorization"] == "Bearer 00D-session")
            #expect(stub.requests.contains { $0.path == "/services/data/v61.0/query/01gRM000003sAGAYA2-1" }, "the second page was followed")

            let tickets = TicketService(map: map, database: database, now: { clock.now() })
            let kept = try await tickets.open(
                TicketDraft(
                    family: "incident", title: "Login fails", description: "Since Monday", channel: "api",
                    openedBy: "internal", impact: "low", urgency: "low",
                    links: [CRMLink(kind: .account, id: helix.id), CRMLink(kind: .contact, id: ana.id)]), by: agent
            ).ticket
            let refused = try await tickets.open(
                TicketDraft(
                    family: "incident", title: "REFUSE me", channel: "api", openedBy: "internal",
                    links: [CRMLink(kind: .account, id: helix.id)]), by: agent
            ).ticket
            clock.advance(60)
            let before = stub.requests.count
            let second = try await sync()
            #expect(
                second.ticketsPushed == 1 && second.refused == ["\(refused.key): FIELD_CUSTOM_VALIDATION_EXCEPTION: Subject is not allowed"],
                "\(second)")
            let upsert = try #require(stub.requests.dropFirst(before).first { $0.path.hasSuffix("/Case/Relais_Key__c") })
            #expect(upsert.method == "PATCH")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(upsert.body)) as? [String: Any])
            #expect(body["allOrNone"] as? Bool == false)
            let record = try #require((body["records"] as? [[String: Any]])?.first { $0["Relais_Key__c"] as? String == kept.key })
            #expect((record["attributes"] as? [String: Any])?["type"] as? String == "Case")
            #expect(record["AccountId"] as? String == "001RM000003oLnhYAE" && record["ContactId"] as? String == "003RM000004pNbLYAU")
            #expect(record["Status"] as? String == "New" && record["Subject"] as? String == "[\(kept.key)] Login fails")
            let rollups = try #require(stub.requests.dropFirst(before).first { $0.path == "/services/data/v61.0/composite/sobjects" })
            let accounts = (try JSONSerialization.jsonObject(with: Data(rollups.body)) as? [String: Any])?["records"] as? [[String: Any]] ?? []
            let helixRollup = try #require(accounts.first { $0["id"] as? String == "001RM000003oLnhYAE" })
            #expect(helixRollup["Relais_Tickets__c"] as? Int == 2 && helixRollup["Relais_Open_Tickets__c"] as? Int == 2)

            // Nothing changed: nothing is sent (a refused case goes again when its ticket next changes).
            let again = stub.requests.count
            let third = try await sync()
            #expect(third.ticketsPushed == 0 && third.refused.isEmpty && third.rollupsPushed == 0, "\(third)")
            #expect(!stub.requests.dropFirst(again).contains { $0.method == "PATCH" })
            await stub.stop()
        }
    }
}

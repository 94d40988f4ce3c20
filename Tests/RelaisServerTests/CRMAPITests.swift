import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisTestSupport
import Testing

@Suite struct CRMAPITests {
    @Test(arguments: Engine.available)
    func recordsAreCreatedReadChangedMirroredAndDeleted(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let body =
                #"{"account_id":"\#(api.accountID)","external_id":"C-77","name":"Premium support","sla_level":"premium-24x7","start_date":"2026-01-01","renewal_date":"2027-01-31","amount":"48000","currency":"eur"}"#
            let created = try await client.send(.post, "/api/v1/crm/contracts", token: api.agent, body: body)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["kind"] as? String == "contract")
            #expect(created.json["amount"] as? String == "48000.00")
            #expect(created.json["currency"] as? String == "EUR")
            #expect(created.json["renewal_date"] as? String == "2027-01-31")
            // The same external id twice is a conflict; the mirror path updates it instead.
            try await client.send(.post, "/api/v1/crm/contracts", token: api.agent, body: body).expectProblem(.conflict, field: "external_id")
            let mirrored = try await client.send(.put, "/api/v1/crm/contracts/external/C-77", token: api.agent, body: #"{"status":"active"}"#)
            #expect(mirrored.status == .ok && mirrored.json["id"] as? String == id && mirrored.json["status"] as? String == "active")
            let fresh = try await client.send(
                .put, "/api/v1/crm/opportunities/external/O-1", token: api.agent,
                body: #"{"account_id":"\#(api.accountID)","name":"Upsell","stage":"proposal","amount":"1200.50","currency":"EUR"}"#)
            #expect(fresh.status == .created, "\(fresh.text)")
            // An empty string clears a field.
            let patched = try await client.send(.patch, "/api/v1/crm/contracts/\(id)", token: api.agent, body: #"{"renewal_date":""}"#)
            #expect(patched.status == .ok && patched.json["renewal_date"] == nil, "\(patched.text)")
            let listed = try await client.send(.get, "/api/v1/crm/contracts?account_id=\(api.accountID)", token: api.agent)
            #expect((listed.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            // A contract read as an opportunity does not exist.
            try await client.send(.get, "/api/v1/crm/opportunities/\(id)", token: api.agent).expectProblem(.notFound)
            // Bad values name their field and store nothing.
            try await client.send(.patch, "/api/v1/crm/contracts/\(id)", token: api.agent, body: #"{"amount":"12.345"}"#).expectProblem(
                .unprocessableContent, field: "amount")
            try await client.send(.patch, "/api/v1/crm/contracts/\(id)", token: api.agent, body: #"{"status":"lost"}"#).expectProblem(
                .unprocessableContent, field: "status")
            try await client.send(.patch, "/api/v1/crm/contracts/\(id)", token: api.agent, body: #"{"stage":"won"}"#).expectProblem(
                .unprocessableContent, field: "stage")
            try await client.send(
                .post, "/api/v1/crm/invoices", token: api.agent,
                body: #"{"number":"F-1","amount":"10","currency":"EUR","status":"open","account_id":"\#(UUID().uuidString)"}"#
            )
            .expectProblem(.unprocessableContent, field: "account_id")
            try await client.send(.post, "/api/v1/crm/invoices", token: api.agent, body: #"{"number":"F-1"}"#).expectProblem(
                .unprocessableContent, field: "amount")
            #expect(try await client.send(.get, "/api/v1/crm/contracts/\(id)", token: api.agent).json["status"] as? String == "active")
            // Requesters do not see the CRM.
            try await client.send(.get, "/api/v1/crm/contracts", token: api.requester).expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/crm/contracts/\(id)", token: api.outsider).expectProblem(.unauthorized)

            // A ticket linked to the contract keeps it from being deleted; a missing object is named.
            let contractLink = #",{"kind":"contract","id":"\#(id)"}"#
            let ticket = try await client.send(
                .post, "/api/v1/tickets", token: api.agent,
                body: api.incident().replacingOccurrences(of: "}]}", with: "}\(contractLink)]}"))
            #expect(ticket.status == .created, "\(ticket.text)")
            let ghost = UUID().text
            try await client.send(
                .post, "/api/v1/tickets", token: api.agent,
                body: api.incident().replacingOccurrences(of: "}]}", with: #"},{"kind":"contract","id":"\#(ghost)"}]}"#)
            )
            .expectProblem(.unprocessableContent, field: "links[1].id")
            try await client.send(.delete, "/api/v1/crm/contracts/\(id)", token: api.agent).expectProblem(.conflict)
            let opportunity = try #require(fresh.json["id"] as? String)
            #expect(try await client.send(.delete, "/api/v1/crm/opportunities/\(opportunity)", token: api.agent).status == .noContent)
            try await client.send(.get, "/api/v1/crm/opportunities/\(opportunity)", token: api.agent).expectProblem(.notFound)
        }
    }

    @Test(arguments: Engine.available)
    func importsReportRefusedRowsByLineAndApplyTheRest(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let csv = """
                external_id,name,tier,domain,annual_revenue,currency\r
                SF-1,"Orbital, Inc.",strategic,orbital.example,2500000,EUR\r
                SF-2,Kestrel,,kestrel.example,lots,EUR\r
                SF-3,"Two
                lines",key,,,\r
                SF-4,Short\r
                SF-5,Wren,standard,wren.example,10,usd\r

                """
            let report = try await client.send(.post, "/api/v1/imports/accounts", token: api.agent, body: csv, contentType: "text/csv")
            #expect(report.status == .ok, "\(report.text)")
            #expect(report.json["received"] as? Int == 5)
            #expect(report.json["created"] as? Int == 3)
            let rejected = try #require(report.json["rejected"] as? [[String: Any]])
            #expect(rejected.map { $0["line"] as? Int } == [3, 6])
            #expect(rejected.first?["field"] as? String == "annual_revenue")
            #expect((rejected.last?["reason"] as? String)?.contains("expected 6 fields") == true)
            let accounts = try await client.send(.get, "/api/v1/accounts?limit=200", token: api.agent)
            let names = (accounts.json["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
            #expect(names.contains("Orbital, Inc.") && names.contains("Two\nlines") && names.contains("Wren"))

            let json =
                #"[{"external_id":"P-1","name":"Ada","email":"ada@orbital.example"},{"external_id":"P-2","name":"Bo","account_external_id":"SF-404"},{"external_id":"P-3","name":{"first":"Cy"}}]"#
            let people = try await client.send(.post, "/api/v1/imports/contacts", token: api.agent, body: json)
            #expect(people.status == .ok, "\(people.text)")
            #expect(people.json["created"] as? Int == 1)
            #expect((people.json["rejected"] as? [[String: Any]])?.map { $0["line"] as? Int } == [2, 3])
            let contacts = try await client.send(.get, "/api/v1/contacts", token: api.agent)
            let ada = (contacts.json["items"] as? [[String: Any]])?.first { $0["name"] as? String == "Ada" }
            #expect(ada?["account_id"] as? String != nil, "Ada joins the account declaring orbital.example")

            try await client.send(.post, "/api/v1/imports/accounts", token: api.agent, body: "", contentType: "text/csv").expectProblem(.badRequest)
            try await client.send(.post, "/api/v1/imports/accounts", token: api.agent, body: "name,name\r\nx,y\r\n", contentType: "text/csv")
                .expectProblem(.badRequest)
            try await client.send(.post, "/api/v1/imports/accounts", token: api.agent, body: #"{"name":"x"}"#).expectProblem(.unprocessableContent)
            try await client.send(.post, "/api/v1/imports/accounts", token: api.requester, body: "name\r\nx\r\n", contentType: "text/csv")
                .expectProblem(.forbidden)
        }
    }

    @Test(arguments: Engine.available)
    func ratingsOverviewRollUpSignalsAndReportsAnswer(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let created = try await client.send(
                .post, "/api/v1/tickets", token: api.requester,
                body: #"{"family":"incident","title":"Printer jam","severity":"critical","links":[{"kind":"account","id":"\#(api.accountID)"}]}"#)
            #expect(created.status == .created, "\(created.text)")
            let key = try #require(created.json["key"] as? String)
            try await client.send(.put, "/api/v1/tickets/\(key)/rating", token: api.requester, body: #"{"score":5}"#)
                .expectProblem(.unprocessableContent, field: "score")
            for move in [#"{"to":"in_progress"}"#, #"{"to":"resolved","resolution_note":"Cleared"}"#] {
                #expect(try await client.send(.post, "/api/v1/tickets/\(key)/transitions", token: api.agent, body: move).status == .ok)
            }
            try await client.send(.put, "/api/v1/tickets/\(key)/rating", token: api.requester, body: #"{"score":9}"#)
                .expectProblem(.unprocessableContent, field: "score")
            let rated = try await client.send(.put, "/api/v1/tickets/\(key)/rating", token: api.requester, body: #"{"score":4,"comment":"fine"}"#)
            #expect(rated.status == .ok && rated.json["score"] as? Int == 4, "\(rated.text)")
            let events = try await client.send(.get, "/api/v1/tickets/\(key)/events", token: api.agent)
            #expect((events.json["items"] as? [[String: Any]])?.last?["kind"] as? String == "rated")

            let overview = try await client.send(.get, "/api/v1/accounts/\(api.accountID)/overview", token: api.agent)
            #expect(overview.status == .ok, "\(overview.text)")
            #expect(overview.json["tickets"] as? Int == 1)
            #expect((overview.json["satisfaction"] as? [String: Any])?["mean_score"] as? Double == 4)
            #expect((overview.json["by_severity"] as? [String: Any])?["critical"] as? Int == 1)
            #expect((overview.json["latest"] as? [[String: Any]])?.first?["key"] as? String == key)
            try await client.send(.get, "/api/v1/accounts/\(api.accountID)/overview", token: api.requester).expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/accounts/\(UUID().uuidString)/overview", token: api.agent).expectProblem(.notFound)
            try await client.send(
                .get, "/api/v1/accounts/\(api.accountID)/overview?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", token: api.agent
            )
            .expectProblem(.unprocessableContent, field: "from")

            let rollup = try await client.send(.get, "/api/v1/accounts/\(api.accountID)/rollup", token: api.agent)
            #expect(rollup.json["tickets"] as? Int == 1 && rollup.json["last_ticket"] as? String == key, "\(rollup.text)")
            #expect(((rollup.json["counts"] as? [String: Any])?["status_category"] as? [String: Any])?["solved"] as? Int == 1)

            let signals = try await client.send(.get, "/api/v1/signals?status=open", token: api.agent)
            #expect(signals.status == .ok && (signals.json["items"] as? [Any])?.isEmpty == true)

            let volume = try await client.send(.get, "/api/v1/reports/crm/volume", token: api.agent)
            #expect(volume.status == .ok, "\(volume.text)")
            #expect(volume.json["columns"] as? [String] == ["category", "segment", "tickets"])
            #expect((volume.json["rows"] as? [[Any]])?.first?.last as? Int == 1)
            let csv = try await client.send(.get, "/api/v1/reports/crm/sla-compliance?group_by=tier&format=csv", token: api.agent)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.hasPrefix("tier,tickets,first_response_met"))
            #expect(csv.text.contains("\r\nstrategic,1,"))
            try await client.send(.get, "/api/v1/reports/crm/nonsense", token: api.agent).expectProblem(.badRequest)
        }
    }
}

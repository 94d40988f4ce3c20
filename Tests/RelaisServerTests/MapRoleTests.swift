import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

/// Roles the map declares: the tickets they reach, what they may do, the fields they see, and
/// what becomes of their holders when a map change removes them.
@Suite struct MapRoleTests {
    @Test(arguments: Engine.available)
    func aRoleOfTheMapReachesItsFamiliesAndTeamsAndDoesWhatItMay(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let directory = api.services.directory, org = api.services.organization.id
            let ivan = try await directory.createToken(for: directory.addUser(organizationID: org, name: "ivan", email: nil, roleName: "it-agent"))
            let sofia = try await directory.createToken(
                for: directory.addUser(organizationID: org, name: "sofia", email: nil, roleName: "support-agent"))
            _ = try await client.send(.patch, "/api/v1/accounts/\(api.accountID)", token: api.admin, body: #"{"annual_revenue": 1200000}"#)
            let support =
                #"{"family":"customer_support","title":"Invoice is wrong","category":"billing","links":[{"kind":"account","id":"\#(api.accountID)"}]}"#
            #expect(try await client.send(.post, "/api/v1/tickets", token: api.agent, body: support).status == .created)
            #expect(try await client.send(.post, "/api/v1/tickets", token: ivan, body: api.incident()).status == .created)

            // Tickets out of reach do not exist for the role; lists hold only those within.
            try await client.send(.get, "/api/v1/tickets/SUP-1", token: ivan).expectProblem(.notFound)
            #expect(try await client.send(.get, "/api/v1/tickets/INC-1", token: ivan).status == .ok)
            let listed = try await client.send(.get, "/api/v1/tickets", token: ivan).json["items"] as? [[String: Any]]
            #expect(listed?.compactMap { $0["key"] as? String } == ["INC-1"])
            let theirs = try await client.send(.get, "/api/v1/tickets", token: sofia).json["items"] as? [[String: Any]]
            #expect(theirs?.compactMap { $0["key"] as? String } == ["SUP-1"])
            let refused = try await client.send(.post, "/api/v1/tickets", token: ivan, body: support).expectProblem(.forbidden)
            #expect((refused["detail"] as? String)?.contains("customer_support") == true)
            #expect(try await client.send(.patch, "/api/v1/tickets/INC-1", token: ivan, body: #"{"title":"Mail is down for all"}"#).status == .ok)
            try await client.send(.patch, "/api/v1/tickets/SUP-1", token: ivan, body: #"{"title":"x"}"#).expectProblem(.notFound)

            // Permissions, named when missing; what an account is worth, for roles allowed to see it.
            let account = try await client.send(.get, "/api/v1/accounts/\(api.accountID)", token: ivan)
            #expect(account.status == .ok)
            #expect(account.json["annual_revenue"] == nil)
            #expect(try await client.send(.get, "/api/v1/accounts/\(api.accountID)", token: sofia).json["annual_revenue"] as? Int == 1_200_000)
            #expect(try await client.send(.get, "/api/v1/accounts/\(api.accountID)", token: api.agent).json["annual_revenue"] as? Int == 1_200_000)
            let write = try await client.send(.post, "/api/v1/accounts", token: ivan, body: #"{"name":"Initech"}"#).expectProblem(.forbidden)
            #expect((write["detail"] as? String)?.contains("crm.write") == true)
            try await client.send(.get, "/api/v1/reports/sla", token: ivan).expectProblem(.forbidden)
            let revenue = try await client.send(.get, "/api/v1/reports/crm/revenue-incidents", token: ivan).expectProblem(.forbidden)
            #expect((revenue["detail"] as? String)?.contains("reports.view") == true)
            #expect(try await client.send(.get, "/api/v1/reports/crm/revenue-incidents", token: sofia).status == .ok)
            #expect(try await client.send(.patch, "/api/v1/accounts/\(api.accountID)", token: sofia, body: #"{"annual_revenue": 1}"#).status == .ok)
            try await client.send(.patch, "/api/v1/accounts/\(api.accountID)", token: ivan, body: #"{"annual_revenue": 2}"#).expectProblem(.forbidden)
            let contract = try await client.send(
                .post, "/api/v1/crm/contracts", token: api.admin,
                body: #"{"name":"Gold","start_date":"2026-01-01","amount":"12000.00","currency":"EUR","account_id":"\#(api.accountID)"}"#)
            let contractID = try #require(contract.json["id"] as? String, "\(contract.text)")
            #expect(try await client.send(.get, "/api/v1/crm/contracts/\(contractID)", token: ivan).json["amount"] == nil)
            #expect(try await client.send(.get, "/api/v1/crm/contracts/\(contractID)", token: sofia).json["amount"] as? String == "12000.00")
            let importCSV = "external_id,name,annual_revenue\nX-1,Hooli,5000\n"
            try await client.send(.post, "/api/v1/imports/accounts", token: ivan, body: importCSV, contentType: "text/csv").expectProblem(.forbidden)
            #expect(try await client.send(.post, "/api/v1/imports/accounts", token: sofia, body: importCSV, contentType: "text/csv").status == .ok)
            #expect(try await client.send(.post, "/api/v1/cmdb/items", token: sofia, body: #"{"type":"server","name":"srv-x"}"#).status == .forbidden)
            #expect(try await client.send(.post, "/api/v1/cmdb/items", token: ivan, body: #"{"type":"server","name":"srv-x"}"#).status == .created)
        }
    }

    @Test(arguments: Engine.available)
    func aRoleReachingItsHoldersTeamsFollowsTheirMembership(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let directory = api.services.directory, org = api.services.organization.id
            let tom = try await directory.addUser(organizationID: org, name: "tom", email: nil, roleName: "team-member")
            try await directory.setTeams(["billing", "billing"], of: tom)
            #expect(try await directory.teams(of: tom.userID) == ["billing"])
            let token = try await directory.createToken(for: tom)
            let support =
                #"{"family":"customer_support","title":"Invoice is wrong","category":"billing","links":[{"kind":"account","id":"\#(api.accountID)"}]}"#
            #expect(try await client.send(.post, "/api/v1/tickets", token: api.agent, body: support).json["team"] as? String == "billing")
            #expect(try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident()).status == .created)
            let listed = try await client.send(.get, "/api/v1/tickets", token: token).json["items"] as? [[String: Any]]
            #expect(listed?.compactMap { $0["key"] as? String } == ["SUP-1"])
            try await client.send(.get, "/api/v1/tickets/INC-1", token: token).expectProblem(.notFound)

            // Another team: a token looked up afresh reaches its tickets instead.
            try await directory.setTeams(["it-l1"], of: tom)
            let fresh = try await directory.createToken(for: tom)
            #expect(try await client.send(.get, "/api/v1/tickets/INC-1", token: fresh).status == .ok)
            try await client.send(.get, "/api/v1/tickets/SUP-1", token: fresh).expectProblem(.notFound)
            let audit = try await AuditLog(database: api.services.database).entries(organizationID: org, action: "user.teams_changed", limit: 10)
            #expect(audit.map(\.detail) == ["teams billing", "teams it-l1"])
        }
    }

    @Test(arguments: Engine.available)
    func holdersOfARoleTheMapDropsAreRefused(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let directory = api.services.directory, org = api.services.organization.id
            let ivan = try await directory.createToken(for: directory.addUser(organizationID: org, name: "ivan", email: nil, roleName: "it-agent"))
            #expect(try await client.send(.get, "/api/v1/tickets", token: ivan).status == .ok)
            let text = try ExampleMap.text()
            let start = try #require(text.range(of: "  it-agent:\n"))
            let end = try #require(text.range(of: "  support-agent:\n"))
            let without = text.replacingCharacters(in: start.lowerBound..<end.lowerBound, with: "")
            let versions = api.services.versions
            let admin = MapActor(id: nil, name: "operator", role: "admin")
            let proposal = try await versions.propose(organizationID: org, text: without, message: "no IT role", by: admin)
            #expect(proposal.sections == [.governance])
            _ = try await versions.approve(organizationID: org, number: proposal.number, by: MapActor(id: UUID(), name: "other", role: "admin"))
            _ = try await versions.apply(organizationID: org, number: proposal.number, by: admin)
            try await api.services.runtime.reload()
            let refused = try await client.send(.get, "/api/v1/tickets", token: ivan).expectProblem(.forbidden)
            #expect((refused["detail"] as? String)?.contains("not in the running map") == true)
        }
    }
}

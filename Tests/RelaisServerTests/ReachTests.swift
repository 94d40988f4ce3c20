import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisServer
import RelaisStore
import RelaisTestSupport
import Testing

/// What lies out of a caller's reach (another legal entity's accounts, another family's tickets,
/// another customer's records) is neither read nor written by a side door.
@Suite struct ReachTests {
    /// A user of the organisation with a token.
    static func token(_ api: APIHarness, _ name: String, role: String, entities: [String] = [], email: String? = nil) async throws -> String {
        let directory = api.services.directory
        let user = try await directory.addUser(organizationID: api.services.organization.id, name: name, email: email, roleName: role)
        try await directory.setEntities(entities, of: user)
        return try await directory.createToken(for: user)
    }

    @Test(arguments: Engine.available)
    func crmWritesCheckTheAccountsEntity(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            // Helix Pharma is of the default entity (acme-sas); this agent is Boltline's only.
            let bolt = try await Self.token(api, "bolt", role: "agent", entities: ["boltline"])
            let contract = try await client.send(
                .post, "/api/v1/crm/contracts", token: api.admin,
                body: #"{"name":"Support plan","start_date":"2026-01-01","account_id":"\#(api.accountID)"}"#)
            let id = try #require(contract.json["id"] as? String)
            try await client.send(
                .post, "/api/v1/crm/contracts", token: bolt,
                body: #"{"name":"Mine now","start_date":"2026-01-01","account_id":"\#(api.accountID)"}"#
            )
            .expectProblem(.unprocessableContent, field: "account_id")
            try await client.send(.delete, "/api/v1/crm/contracts/\(id)", token: bolt).expectProblem(.notFound)
            #expect(try await client.send(.get, "/api/v1/crm/contracts/\(id)", token: api.admin).status == .ok, "the contract is still there")
            try await client.send(.post, "/api/v1/contacts", token: bolt, body: #"{"name":"Jo","account_id":"\#(api.accountID)"}"#)
                .expectProblem(.unprocessableContent, field: "account_id")
            let imported = try await client.send(
                .post, "/api/v1/imports/contracts", token: bolt,
                body: "external_id,name,start_date,account_id\nC-1,Plan,2026-01-01,\(api.accountID)\n", contentType: "text/csv")
            #expect(imported.status == .ok, "\(imported.text)")
            #expect(imported.json["created"] as? Int == 0 && (imported.json["rejected"] as? [Any])?.count == 1, "\(imported.text)")
            let accounts = try await client.send(
                .post, "/api/v1/imports/accounts", token: bolt,
                body: "external_id,name,entity\nA-1,Initech,acme-sas\nA-2,Hooli,boltline\n", contentType: "text/csv")
            #expect(accounts.json["created"] as? Int == 1 && (accounts.json["rejected"] as? [Any])?.count == 1, "\(accounts.text)")
        }
    }

    @Test(arguments: Engine.available)
    func requestersLinkOnlyWhatIsTheirs(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let initech = Account(id: UUID(), name: "Initech", createdAt: Date())
            try await api.services.crm.repository.insert(initech, organizationID: api.services.organization.id)
            let body =
                #"{"family":"customer_support","title":"Their invoice","category":"billing","links":[{"kind":"account","id":"\#(initech.id.text)"}]}"#
            try await client.send(.post, "/api/v1/tickets", token: api.requester, body: body).expectProblem(
                .unprocessableContent, field: "links[0].id")
            // Their own account is theirs to name.
            let own =
                #"{"family":"customer_support","title":"My invoice","category":"billing","links":[{"kind":"account","id":"\#(api.accountID)"}]}"#
            #expect(try await client.send(.post, "/api/v1/tickets", token: api.requester, body: own).status == .created)
        }
    }

    @Test(arguments: Engine.available)
    func requestersReadThePublicHistoryOnly(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let own =
                #"{"family":"customer_support","title":"My invoice","category":"billing","links":[{"kind":"account","id":"\#(api.accountID)"}]}"#
            let key = try #require(try await client.send(.post, "/api/v1/tickets", token: api.requester, body: own).json["key"] as? String)
            try await client.send(.patch, "/api/v1/tickets/\(key)", token: api.agent, body: #"{"assignee":"sam"}"#)
            let staff = try await client.send(.get, "/api/v1/tickets/\(key)/events", token: api.agent).json["items"] as? [[String: Any]] ?? []
            #expect(staff.contains { $0["kind"] as? String == "assigned" }, "\(staff)")
            let theirs = try await client.send(.get, "/api/v1/tickets/\(key)/events", token: api.requester).json["items"] as? [[String: Any]] ?? []
            #expect(!theirs.isEmpty)
            let kinds = Set(theirs.compactMap { $0["kind"] as? String })
            #expect(kinds.isSubset(of: Set(AccessPolicy.publicHistory.map(\.rawValue))), "\(kinds)")
        }
    }

    @Test(arguments: Engine.available)
    func anItemsTicketsAndTheAccountOverviewShowOnlyTicketsWithinReach(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            // An IT agent reaches incidents, not customer support.
            let it = try await Self.token(api, "ivo", role: "it-agent")
            let item = try #require(
                try await client.send(.post, "/api/v1/cmdb/items", token: api.admin, body: #"{"type":"server","name":"srv-reach"}"#)
                    .json["id"] as? String)
            let support =
                #"{"family":"customer_support","title":"Billing portal down","category":"billing","links":[{"kind":"account","id":"\#(api.accountID)"}]}"#
            let supportKey = try #require(try await client.send(.post, "/api/v1/tickets", token: api.admin, body: support).json["key"] as? String)
            let incidentKey = try #require(
                try await client.send(.post, "/api/v1/tickets", token: api.admin, body: api.incident(title: "Server down"))
                    .json["key"] as? String)
            for key in [supportKey, incidentKey] {
                #expect(try await client.send(.post, "/api/v1/tickets/\(key)/items", token: api.admin, body: #"{"add":["\#(item)"]}"#).status == .ok)
            }
            let all = try await client.send(.get, "/api/v1/cmdb/items/\(item)/tickets", token: api.admin).text
            #expect(all.contains(supportKey) && all.contains(incidentKey))
            let mine = try await client.send(.get, "/api/v1/cmdb/items/\(item)/tickets", token: it).text
            #expect(mine.contains(incidentKey) && !mine.contains(supportKey), "\(mine)")
            let impact = try await client.send(.get, "/api/v1/cmdb/items/\(item)/impact", token: it).text
            #expect(!impact.contains(supportKey), "\(impact)")
            // The account overview of a support agent shows no incident.
            let support2 = try await Self.token(api, "suzy", role: "support-agent")
            let overview = try await client.send(.get, "/api/v1/accounts/\(api.accountID)/overview", token: support2)
            #expect(overview.status == .ok, "\(overview.text)")
            #expect(!overview.text.contains(incidentKey) && !overview.text.contains("Server down"), "\(overview.text)")
            let whole = try await client.send(.get, "/api/v1/accounts/\(api.accountID)/overview", token: api.admin).text
            #expect(whole.contains(incidentKey) || whole.contains("Server down"), "\(whole)")
        }
    }
}

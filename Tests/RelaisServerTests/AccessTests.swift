import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct AccessTests {
    @Test(arguments: Engine.available)
    func everyAPIRouteButHealthNeedsAValidToken(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let health = try await client.send(.get, "/healthz", token: nil)
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "ok")
            for path in ["/api/v1/tickets", "/api/v1/tickets/INC-1", "/api/v1/map", "/api/v1/accounts", "/api/v1/contacts"] {
                let missing = try await client.send(.get, path, token: nil)
                missing.expectProblem(.unauthorized)
                #expect(missing.headers[.wwwAuthenticate] == "Bearer")
                try await client.send(.get, path, token: "rls_forged").expectProblem(.unauthorized)
            }
            try await client.send(.post, "/api/v1/tickets", token: nil, body: api.incident()).expectProblem(.unauthorized)
        }
    }

    @Test(arguments: Engine.available)
    func anotherOrganizationsTicketsDoNotExistForYou(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident())
            // Over HTTP, another organisation's token is no token here.
            try await client.send(.get, "/api/v1/tickets/INC-1", token: api.outsider).expectProblem(.unauthorized)
            try await client.send(.patch, "/api/v1/tickets/INC-1", token: api.outsider, body: #"{"title":"mine"}"#).expectProblem(.unauthorized)
            try await client.send(.get, "/api/v1/accounts/\(api.accountID)", token: api.outsider).expectProblem(.unauthorized)
            try await client.send(.get, "/api/v1/tickets", token: api.outsider).expectProblem(.unauthorized)
            // And below HTTP, every store call is scoped by the caller's organisation: its
            // administrator finds nothing of this one's, nor links to it.
            let outsider = try #require(try await api.services.directory.principal(forToken: api.outsider, organizationID: api.outsiderOrganization))
            await #expect(throws: StoreError.notFound(what: "ticket", id: "INC-1")) {
                _ = try await api.services.tickets.find(key: "INC-1", by: outsider)
            }
            #expect(try await api.services.tickets.list(TicketQuery(organizationID: outsider.organizationID), by: outsider).tickets.isEmpty)
            await #expect(throws: StoreError.self) { _ = try await api.services.crm.account(UUID(uuidString: api.accountID)!, by: outsider) }
            var draft = TicketDraft(family: "incident", title: "Mine", channel: "api", openedBy: "internal", impact: "low", urgency: "low")
            draft.links = [CRMLink(kind: .account, id: UUID(uuidString: api.accountID)!)]
            await #expect(throws: StoreError.self) { _ = try await api.services.tickets.open(draft, by: outsider) }
        }
    }

    @Test(arguments: Engine.available)
    func requestersReachOnlyTheirOwnTickets(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let support =
                #"{"family":"customer_support","title":"Invoice is wrong","category":"billing","links":[{"kind":"account","id":"\#(api.accountID)"}]}"#
            let own = try await client.send(.post, "/api/v1/tickets", token: api.requester, body: support)
            #expect(own.status == .created, "\(own.text)")
            #expect(own.json["opened_by"] as? String == "customer")
            #expect(own.json["team"] as? String == "billing")
            try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident())
            let list = try await client.send(.get, "/api/v1/tickets", token: api.requester).json["items"] as? [[String: Any]] ?? []
            #expect(list.compactMap { $0["key"] as? String } == ["SUP-1"])
            try await client.send(.get, "/api/v1/tickets/INC-1", token: api.requester).expectProblem(.notFound)
            try await client.send(.patch, "/api/v1/tickets/SUP-1", token: api.requester, body: #"{"team":"support-l2"}"#).expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/accounts", token: api.requester).expectProblem(.forbidden)
            let reply = try await client.send(.post, "/api/v1/tickets/SUP-1/comments", token: api.requester, body: #"{"body":"Any news?"}"#)
            #expect(reply.status == .created)
            try await client.send(.post, "/api/v1/tickets/SUP-1/comments", token: api.requester, body: #"{"body":"psst","public":false}"#)
                .expectProblem(.forbidden)
            // Changes are opened by staff and automation only.
            let change = #"{"family":"change","title":"Let me deploy"}"#
            try await client.send(.post, "/api/v1/tickets", token: api.requester, body: change).expectProblem(
                .unprocessableContent, field: "opened_by")
        }
    }
}

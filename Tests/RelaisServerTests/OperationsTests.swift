import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisTestSupport
import Testing

@Suite struct OperationsTests {
    @Test func theOpenAPIDocumentIsServed() async throws {
        try await APIHarness.with(.sqlite) { _, client in
            let response = try await client.send(.get, "/openapi.yaml", token: nil)
            #expect(response.status == .ok)
            #expect(response.text.hasPrefix("openapi: 3.1.0"))
            #expect(response.text.contains("operationId: createTicket"))
        }
    }

    @Test func metricsCountRequestsInPrometheusFormat() async throws {
        try await APIHarness.with(.sqlite) { api, client in
            try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident())
            try await client.send(.get, "/api/v1/tickets/NOPE-1", token: api.agent)
            // Only the scraper holding the metrics token reads them; a user's token is not it.
            try await client.send(.get, "/metrics", token: nil).expectProblem(.unauthorized)
            try await client.send(.get, "/metrics", token: api.admin).expectProblem(.unauthorized)
            let metrics = try await client.send(.get, "/metrics", token: "metrics-scraper-token").text
            #expect(metrics.contains(#"relais_tickets_created_total{family="incident"} 1"#))
            #expect(metrics.contains(#"relais_http_requests_total{method="POST",status="2xx"} 1"#))
            #expect(metrics.contains(#"relais_http_requests_total{method="GET",status="4xx"} 3"#))
            #expect(metrics.contains("relais_http_request_duration_seconds_bucket"))
        }
    }

    @Test func theMapOverviewListsFamiliesWorkflowsAndTeams() async throws {
        try await APIHarness.with(.sqlite) { api, client in
            let map = try await client.send(.get, "/api/v1/map", token: api.agent).json
            #expect(map["organization"] as? String == "Acme")
            let families = map["families"] as? [[String: Any]] ?? []
            #expect(families.compactMap { $0["key"] as? String } == ["CHG", "INC", "PRJ", "REQ", "SUP"])
            let workflows = map["workflows"] as? [[String: Any]] ?? []
            #expect(workflows.count == 5)
            #expect((map["teams"] as? [[String: Any]])?.first?["level"] as? Int == 1)
        }
    }

    @Test func accountsAndContactsAreCreatedAndPaged() async throws {
        try await APIHarness.with(.sqlite) { api, client in
            let account = try await client.send(
                .post, "/api/v1/accounts", token: api.agent,
                body: #"{"name":"Orion Bank","tier":"key","annual_revenue":1200000,"currency":"EUR","external_id":"SF-1"}"#)
            #expect(account.status == .created, "\(account.text)")
            let id = try #require(account.json["id"] as? String)
            #expect(try await client.send(.get, "/api/v1/accounts/\(id)", token: api.agent).json["annual_revenue"] as? Int == 1_200_000)
            try await client.send(.post, "/api/v1/accounts", token: api.agent, body: #"{"name":"Twin","external_id":"SF-1"}"#)
                .expectProblem(.conflict, field: "external_id")
            try await client.send(.post, "/api/v1/accounts", token: api.agent, body: #"{"name":"Bad","currency":"euros"}"#)
                .expectProblem(.unprocessableContent, field: "currency")
            let contact = try await client.send(
                .post, "/api/v1/contacts", token: api.agent, body: #"{"name":"Ana","email":"Ana@Orion.example","account_id":"\#(id)"}"#)
            #expect(contact.json["email"] as? String == "ana@orion.example")
            try await client.send(
                .post, "/api/v1/contacts", token: api.agent, body: #"{"name":"Ghost","account_id":"7a4c5d2e-1111-4222-8333-944455566677"}"#
            )
            .expectProblem(.unprocessableContent, field: "account_id")
            let first = try await client.send(.get, "/api/v1/accounts?limit=1", token: api.agent).json
            let cursor = try #require(first["next_cursor"] as? String)
            let second = try await client.send(.get, "/api/v1/accounts?limit=1&cursor=\(cursor)", token: api.agent).json
            #expect((second["items"] as? [[String: Any]])?.first?["name"] as? String == "Orion Bank")
            #expect(second["next_cursor"] == nil)
        }
    }
}

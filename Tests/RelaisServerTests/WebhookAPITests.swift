import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisIntegrations
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct WebhookAPITests {
    @Test(arguments: Engine.available)
    func administratorsManageEndpointsAndSeeTheSecretOnce(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let types = try await client.send(.get, "/api/v1/webhooks/event_types", token: api.agent)
            #expect((types.json["items"] as? [String])?.contains("relais.ticket.status_changed") == true)

            let body =
                #"{"url": "https://hooks.example.com/relais", "description": "ops", "event_types": ["relais.ticket.*", "relais.sla.breached"]}"#
            let created = try await client.send(.post, "/api/v1/webhooks/endpoints", token: api.admin, body: body)
            #expect(created.status == .created, "\(created.text)")
            let secret = try #require(created.json["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            let endpoint = try #require(created.json["endpoint"] as? [String: Any])
            let id = try #require(endpoint["id"] as? String)
            #expect(endpoint["active"] as? Bool == true && endpoint["created_by"] as? String == "ada")

            let listed = try await client.send(.get, "/api/v1/webhooks/endpoints", token: api.admin)
            #expect(listed.status == .ok && !listed.text.contains(secret) && !listed.text.contains("whsec_"))
            #expect((listed.json["items"] as? [[String: Any]])?.count == 1)

            let patched = try await client.send(.patch, "/api/v1/webhooks/endpoints/\(id)", token: api.admin, body: #"{"active": false}"#)
            #expect(patched.json["active"] as? Bool == false && (patched.json["disabled_reason"] as? String)?.contains("ada") == true)

            let rotated = try await client.send(.post, "/api/v1/webhooks/endpoints/\(id)/rotate_secret", token: api.admin)
            let newSecret = try #require(rotated.json["secret"] as? String)
            #expect(newSecret != secret && (rotated.json["endpoint"] as? [String: Any])?["previous_secret_expires_at"] != nil)

            // Others: agents and requesters are refused, another organisation does not see it.
            for token in [api.agent, api.requester] {
                try await client.send(.get, "/api/v1/webhooks/endpoints", token: token).expectProblem(.forbidden)
                try await client.send(.post, "/api/v1/webhooks/endpoints", token: token, body: body).expectProblem(.forbidden)
            }
            // Another organisation's token is no token here.
            try await client.send(.get, "/api/v1/webhooks/endpoints/\(id)", token: api.outsider).expectProblem(.unauthorized)
            try await client.send(.delete, "/api/v1/webhooks/endpoints/\(id)", token: api.outsider).expectProblem(.unauthorized)

            let deleted = try await client.send(.delete, "/api/v1/webhooks/endpoints/\(id)", token: api.admin)
            #expect(deleted.status == .noContent)
            try await client.send(.get, "/api/v1/webhooks/endpoints/\(id)", token: api.admin).expectProblem(.notFound)
        }
    }

    @Test(arguments: Engine.available)
    func badEndpointsAreRefusedNamingTheField(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let cases: [(String, String)] = [
                (#"{"url": "http://127.0.0.1:9000/hook", "event_types": ["*"]}"#, "url"),
                (#"{"url": "http://169.254.169.254/latest", "event_types": ["*"]}"#, "url"),
                (#"{"url": "ftp://example.com/x", "event_types": ["*"]}"#, "url"),
                (#"{"url": "not a url", "event_types": ["*"]}"#, "url"),
                (#"{"url": "https://example.com/x", "event_types": []}"#, "event_types"),
                (#"{"url": "https://example.com/x", "event_types": ["relais.ticket.*", "Relais Ticket"]}"#, "event_types[1]"),
            ]
            for (body, field) in cases {
                try await client.send(.post, "/api/v1/webhooks/endpoints", token: api.admin, body: body).expectProblem(
                    .unprocessableContent, field: field)
            }
            let listed = try await client.send(.get, "/api/v1/webhooks/endpoints", token: api.admin)
            #expect((listed.json["items"] as? [Any])?.isEmpty == true)
            try await client.send(.get, "/api/v1/webhooks/endpoints/not-an-id", token: api.admin).expectProblem(.unprocessableContent, field: "id")
            try await client.send(.get, "/api/v1/webhooks/dead_letters?from=2027-01-02T00:00:00Z&to=2027-01-01T00:00:00Z", token: api.admin)
                .expectProblem(.unprocessableContent, field: "to")
        }
    }

    @Test(arguments: Engine.available)
    func deadLettersAreListedAndReplayed(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            // An endpoint nothing listens on, allowed for this test only.
            let local = WebhookService(
                database: api.services.database, allowPrivateTargets: true, secrets: api.services.configuration.webhooks.secrets)
            let admin = Principal(userID: UUID(), organizationID: api.services.organization.id, name: "ada", role: .admin)
            let (endpoint, _) = try await local.create(
                url: "http://127.0.0.1:9/nothing", description: nil, eventTypes: ["relais.ticket.created"], by: admin)
            for title in ["One", "Two"] {
                #expect(try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident(title: title)).status == .created)
            }
            var settings = WebhookDispatcher.Settings()
            settings.schedule = RetrySchedule(delays: [])
            settings.allowPrivateTargets = true
            settings.secrets = api.services.configuration.webhooks.secrets
            settings.timeout = 2
            let dispatcher = WebhookDispatcher(database: api.services.database, settings: settings)
            #expect(try await dispatcher.runOnce().sent == 2)
            await dispatcher.shutdown()

            let id = endpoint.id.text
            let dead = try await client.send(.get, "/api/v1/webhooks/dead_letters?endpoint_id=\(id)", token: api.admin)
            let items = try #require(dead.json["items"] as? [[String: Any]])
            #expect(items.count == 2 && items.allSatisfy { $0["status"] as? String == "dead" && ($0["last_error"] as? String)?.isEmpty == false })
            let log = try await client.send(.get, "/api/v1/webhooks/endpoints/\(id)/attempts", token: api.admin)
            #expect((log.json["items"] as? [[String: Any]])?.count == 2)
            let page = try await client.send(.get, "/api/v1/webhooks/endpoints/\(id)/deliveries?status=dead&limit=1", token: api.admin)
            let cursor = try #require(page.json["next_cursor"] as? String)
            let next = try await client.send(
                .get, "/api/v1/webhooks/endpoints/\(id)/deliveries?status=dead&limit=1&cursor=\(cursor)", token: api.admin)
            #expect(
                (next.json["items"] as? [[String: Any]])?.first?["id"] as? String != (page.json["items"] as? [[String: Any]])?.first?["id"] as? String
            )

            let first = try #require(items[0]["id"] as? String)
            let replayed = try await client.send(.post, "/api/v1/webhooks/dead_letters/\(first)/replay", token: api.admin)
            #expect(replayed.json["status"] as? String == "pending" && replayed.json["attempts"] as? Int == 0)
            try await client.send(.post, "/api/v1/webhooks/dead_letters/\(first)/replay", token: api.admin).expectProblem(.conflict)
            try await client.send(.post, "/api/v1/webhooks/dead_letters/\(first)/replay", token: api.agent).expectProblem(.forbidden)
            let range = try await client.send(.post, "/api/v1/webhooks/dead_letters/replay", token: api.admin, body: #"{"endpoint_id": "\#(id)"}"#)
            #expect(range.json["replayed"] as? Int == 1)
            let left = try await client.send(.get, "/api/v1/webhooks/dead_letters", token: api.admin)
            #expect((left.json["items"] as? [Any])?.isEmpty == true)
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisStore
import RelaisTestSupport
import SQLKit
import Testing

@Suite struct AuditTests {
    /// Refusals are audited before they are answered, with who asked, what and why; changes to
    /// tokens and integrations with who made them; and the log cannot be changed.
    @Test(arguments: Engine.available)
    func refusalsAndChangesAreWrittenToAnAppendOnlyLog(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let organization = api.services.organization.id
            let log = AuditLog(database: api.services.database)
            let before = try await log.entries(organizationID: organization, unattributed: true, limit: 1_000)

            try await client.send(.post, "/api/v1/channels/chat/token", token: api.agent).expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/tickets", token: "rls_not-a-token").expectProblem(.unauthorized)
            let issued = try await client.send(.post, "/api/v1/channels/chat/token", token: api.admin)
            #expect(issued.status == .created)
            let created = try await client.send(
                .post, "/api/v1/webhooks/endpoints", token: api.admin,
                body: #"{"url": "https://hooks.example.com/relais", "event_types": ["relais.ticket.*"]}"#)
            #expect(created.status == .created, "\(created.text)")
            let endpoint = try #require((created.json["endpoint"] as? [String: Any])?["id"] as? String)
            #expect(try await client.send(.delete, "/api/v1/webhooks/endpoints/\(endpoint)", token: api.admin).status == .noContent)

            let entries = try await log.entries(organizationID: organization, unattributed: true, limit: 1_000).dropFirst(before.count)
            #expect(entries.map(\.action) == ["access.refused", "auth.refused", "channel_token.issued", "webhook.created", "webhook.deleted"])
            let refused = try #require(entries.first)
            #expect(refused.outcome == .refused && refused.actor == "sam" && refused.target == "POST /api/v1/channels/chat/token")
            #expect(refused.detail.contains("only administrators"))
            let unknown = entries.dropFirst().first
            #expect(unknown?.organizationID == nil && unknown?.actor == "anonymous" && unknown?.target == "GET /api/v1/tickets")
            #expect(entries.dropFirst(2).allSatisfy { $0.outcome == .done && $0.actor == "ada" })
            #expect(entries.last?.target == endpoint)
            #expect(
                try await log.entries(organizationID: organization, action: "webhook", limit: 10).map(\.action) == [
                    "webhook.created", "webhook.deleted",
                ])
            #expect(try await log.entries(organizationID: organization, action: "webhook.created", limit: 10).count == 1)

            // Append-only: the database refuses to change or remove an entry.
            for statement in ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"] {
                await #expect(throws: (any Error).self) {
                    try await api.services.database.transaction { db in try await db.raw(SQLQueryString(statement)).run() }
                }
            }
            #expect(try await log.entries(organizationID: organization, unattributed: true, limit: 1_000).count == before.count + 5)

            // Administrators read it over the API, a page at a time; anyone else is refused (and audited).
            try await client.send(.get, "/api/v1/audit", token: api.agent).expectProblem(.forbidden)
            let page = try await client.send(.get, "/api/v1/audit?action=webhook&limit=1", token: api.admin)
            #expect(page.status == .ok, "\(page.text)")
            let first = try #require(page.json["items"] as? [[String: Any]])
            #expect(first.map { $0["action"] as? String } == ["webhook.created"] && first.first?["actor"] as? String == "ada")
            let cursor = try #require(page.json["next_cursor"] as? String)
            let next = try await client.send(.get, "/api/v1/audit?action=webhook&limit=1&cursor=\(cursor)", token: api.admin)
            #expect((next.json["items"] as? [[String: Any]])?.map { $0["action"] as? String } == ["webhook.deleted"])
            let refusals = try await client.send(.get, "/api/v1/audit?action=access.refused", token: api.admin)
            let listedRefusals = try #require(refusals.json["items"] as? [[String: Any]])
            #expect(listedRefusals.last?["target"] as? String == "GET /api/v1/audit" && listedRefusals.last?["outcome"] as? String == "refused")
            // Refusals of requests that named no organisation are the server operator's, not any tenant's.
            let anonymous = try await client.send(.get, "/api/v1/audit?action=auth", token: api.admin).json["items"] as? [[String: Any]]
            #expect(anonymous?.isEmpty == true)
            try await client.send(.get, "/api/v1/audit?since=yesterday", token: api.admin).expectProblem(.badRequest)
        }
    }
}

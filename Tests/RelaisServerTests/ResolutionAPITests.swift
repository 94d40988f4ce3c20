import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

/// The requester's answer to a resolution, and merging duplicates, over the API.
@Suite struct ResolutionAPITests {
    @Test(arguments: Engine.available)
    func theRequesterRefusesThenAcceptsAResolution(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let body = #"{"family":"customer_support","title":"Export fails","links":[{"kind":"account","id":"\#(api.accountID)"}]}"#
            let created = try await client.send(.post, "/api/v1/tickets", token: api.requester, body: body)
            let key = try #require(created.json["key"] as? String, "\(created.text)")
            try await client.send(.post, "/api/v1/tickets/\(key)/resolution", token: api.requester, body: #"{"accepted":true}"#)
                .expectProblem(.unprocessableContent, field: "status")
            func solve(from status: String) async throws {
                for move in (status == "new" ? [#"{"to":"open"}"#] : []) + [#"{"to":"solved","resolution_note":"Fixed in 4.3"}"#] {
                    let answer = try await client.send(.post, "/api/v1/tickets/\(key)/transitions", token: api.agent, body: move)
                    #expect(answer.status == .ok, "\(answer.text)")
                }
            }
            try await solve(from: "new")
            try await client.send(.post, "/api/v1/tickets/\(key)/resolution", token: api.requester, body: #"{"accepted":false}"#)
                .expectProblem(.unprocessableContent, field: "reason")
            let refused = try await client.send(
                .post, "/api/v1/tickets/\(key)/resolution", token: api.requester, body: #"{"accepted":false,"reason":"Still failing"}"#)
            #expect(refused.status == .ok)
            #expect(refused.json["status"] as? String == "open")
            #expect(refused.headers[.eTag] != nil)
            let comments =
                try await client.send(.get, "/api/v1/tickets/\(key)/comments", token: api.requester).json["items"] as? [[String: Any]] ?? []
            #expect(comments.last?["body"] as? String == "Still failing")
            // The refusal brought it back to the team.
            try await solve(from: "open")
            let accepted = try await client.send(.post, "/api/v1/tickets/\(key)/resolution", token: api.requester, body: #"{"accepted":true}"#)
            #expect(accepted.json["status"] as? String == "closed", "\(accepted.text)")
        }
    }

    @Test(arguments: Engine.available)
    func agentsMergeADuplicateIntoTheTicketItRepeats(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            func change(_ title: String) async throws -> String {
                let answer = try await client.send(.post, "/api/v1/tickets", token: api.agent, body: #"{"family":"change","title":"\#(title)"}"#)
                return try #require(answer.json["key"] as? String, "\(answer.text)")
            }
            let kept = try await change("Upgrade the firewall"), duplicate = try await change("Firewall upgrade")
            let merged = try await client.send(
                .post, "/api/v1/tickets/\(duplicate)/merge", token: api.agent, body: #"{"into":"\#(kept.lowercased())"}"#)
            #expect(merged.status == .ok, "\(merged.text)")
            #expect(merged.json["key"] as? String == kept)
            let closed = try await client.send(.get, "/api/v1/tickets/\(duplicate)", token: api.agent).json
            #expect(closed["status"] as? String == "cancelled")
            #expect((closed["custom_fields"] as? [String: String])?["duplicate_of"] == kept)
            try await client.send(.post, "/api/v1/tickets/\(duplicate)/merge", token: api.agent, body: #"{"into":"\#(kept)"}"#)
                .expectProblem(.unprocessableContent, field: "status")
            try await client.send(.post, "/api/v1/tickets/\(kept)/merge", token: api.agent, body: #"{"into":"\#(kept)"}"#)
                .expectProblem(.unprocessableContent, field: "into")
            try await client.send(.post, "/api/v1/tickets/\(kept)/merge", token: api.requester, body: #"{"into":"\#(duplicate)"}"#)
                .expectProblem(.forbidden)
        }
    }
}

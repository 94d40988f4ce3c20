import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisServer
import RelaisStore
import RelaisTestSupport
import Testing

/// Escalations to developers' trackers over the API, and the trackers' webhooks coming back.
@Suite struct EscalationAPITests {
    func open(_ h: APIHarness, _ client: some TestClientProtocol, title: String = "Export times out") async throws -> String {
        let created = try await client.send(.post, "/api/v1/tickets", token: h.agent, body: h.incident(title: title))
        #expect(created.status == .created, "\(created.text)")
        return created.json["key"] as? String ?? ""
    }

    func signed(_ body: String, secret: String = "gh-hook-secret", delivery: String, event: String = "issues") -> HTTPFields {
        let digest = HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        var headers = HTTPFields()
        headers[HTTPField.Name("X-GitHub-Event")!] = event
        headers[HTTPField.Name("X-GitHub-Delivery")!] = delivery
        headers[HTTPField.Name("X-Hub-Signature-256")!] = "sha256=" + digest.map { String(format: "%02x", $0) }.joined()
        return headers
    }

    func closedIssue(_ number: Int, reason: String = "completed") -> String {
        #"{"action":"closed","issue":{"number":\#(number),"html_url":"https://github.com/acme/acme-app/issues/\#(number)","state":"closed","state_reason":"\#(reason)"},"repository":{"full_name":"acme/acme-app"}}"#
    }

    @Test(arguments: Engine.available)
    func agentsEscalateAndEveryMistakeIsNamed(engine: Engine) async throws {
        try await APIHarness.with(engine) { h, client in
            // The map tells clients which trackers there are, never where their credentials are.
            let map = try await client.send(.get, "/api/v1/map", token: h.agent)
            let trackers = map.json["trackers"] as? [[String: Any]] ?? []
            #expect(
                trackers.map { $0["name"] as? String } == ["platform", "product"] && trackers.map { $0["kind"] as? String } == ["jira", "github"])
            #expect(!map.text.contains("RELAIS_GITHUB_TOKEN") && !map.text.contains("HOOK_SECRET"))
            let key = try await open(h, client)
            let other = try await open(h, client, title: "CSV export never ends")
            let accepted = try await client.send(
                .post, "/api/v1/tickets/\(key)/escalations", token: h.agent,
                body: #"{"tracker":"product","also":["\#(other)"],"steps":"1. Export\n2. Wait"}"#)
            #expect(accepted.status == .accepted, "\(accepted.text)")
            #expect(accepted.json["status"] as? String == "pending" && accepted.json["tickets"] as? [String] == [key, other])
            #expect(accepted.json["requested_by"] as? String == "sam" && accepted.json["attempts"] as? Int == 0)
            let listed = try await client.send(.get, "/api/v1/tickets/\(other)/escalations", token: h.agent)
            #expect(listed.status == .ok && (listed.json["items"] as? [[String: Any]])?.first?["id"] as? String == accepted.json["id"] as? String)

            try await client.send(.post, "/api/v1/tickets/\(key)/escalations", token: h.agent, body: #"{"tracker":"product"}"#)
                .expectProblem(.conflict)
            let unknown = try await client.send(.post, "/api/v1/tickets/\(key)/escalations", token: h.agent, body: #"{"tracker":"gitlab"}"#)
                .expectProblem(.unprocessableContent, field: "tracker")
            #expect((unknown["detail"] as? String)?.contains("platform") == true)
            try await client.send(.post, "/api/v1/tickets/\(key)/escalations", token: h.agent, body: #"{"steps":"x"}"#)
                .expectProblem(.unprocessableContent, field: "tracker")
            try await client.send(.post, "/api/v1/tickets/\(key)/escalations", token: h.agent, body: #"{"tracker":"platform","issue":" "}"#)
                .expectProblem(.unprocessableContent, field: "issue")
            try await client.send(.post, "/api/v1/tickets/INC-999/escalations", token: h.agent, body: #"{"tracker":"platform"}"#).expectProblem(
                .notFound)
            try await client.send(.post, "/api/v1/tickets/\(key)/escalations", token: h.agent, body: #"{"tracker":"platform","also":["INC-999"]}"#)
                .expectProblem(.notFound)
            try await client.send(.post, "/api/v1/tickets/\(key)/escalations", token: h.requester, body: #"{"tracker":"platform"}"#)
                .expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/tickets/\(key)/escalations", token: h.outsider).expectProblem(.unauthorized)
            // Nothing of the refused requests was stored.
            let after = try await client.send(.get, "/api/v1/tickets/\(key)/escalations", token: h.agent)
            #expect((after.json["items"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test(arguments: Engine.available)
    func aSignedDeliveryShipsTheFixOnceAndForgeriesAreRefused(engine: Engine) async throws {
        try await APIHarness.with(engine) { h, client in
            let key = try await open(h, client)
            _ = try await client.send(.post, "/api/v1/tickets/\(key)/escalations", token: h.agent, body: #"{"tracker":"product"}"#)
            // The tracker opened issue #1347 (what the dispatcher records on its answer).
            let escalations = h.services.escalations.escalations
            let work = try #require(
                try await escalations.claim(owner: "test", limit: 10, at: Date(), leaseUntil: Date().addingTimeInterval(60)).first)
            let tracker = try #require(h.services.configuration.map.trackers["product"])
            try await escalations.opened(
                work,
                issue: IssueUpdate(
                    issueID: "1347", issueKey: "#1347", state: IssueState(name: "open", done: false),
                    url: "https://github.com/acme/acme-app/issues/1347"),
                tracker: tracker, owner: "test", at: Date())

            let body = closedIssue(1347)
            let applied = try await client.send(.post, "/hooks/trackers/product", token: nil, body: body, headers: signed(body, delivery: "d-1"))
            #expect(applied.status == .ok && applied.json["outcome"] as? String == "applied", "\(applied.text)")
            let again = try await client.send(.post, "/hooks/trackers/product", token: nil, body: body, headers: signed(body, delivery: "d-1"))
            #expect(again.json["outcome"] as? String == "duplicate")
            let listed = try await client.send(.get, "/api/v1/tickets/\(key)/escalations", token: h.agent)
            let escalation = try #require((listed.json["items"] as? [[String: Any]])?.first)
            #expect(escalation["status"] as? String == "open" && escalation["issue_state"] as? String == "closed" && escalation["fixed_at"] != nil)
            let events = try await client.send(.get, "/api/v1/tickets/\(key)/events", token: h.agent)
            let kinds = (events.json["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(
                kinds.filter { ["escalated", "tracker_changed", "fix_shipped"].contains($0) } == ["escalated", "tracker_changed", "fix_shipped"])
            #expect(kinds.filter { $0 == "fix_shipped" }.count == 1)
            let rollup = try await client.send(.get, "/api/v1/accounts/\(h.accountID)/rollup", token: h.agent)
            #expect(rollup.json["fix_shipped"] as? Int == 1 && rollup.json["awaiting_fix"] as? Int == 0, "\(rollup.text)")

            // Forged, unsigned, for a tracker the map does not declare, unreadable: refused, nothing stored.
            let forged = closedIssue(1347, reason: "not_planned")
            try await client.send(
                .post, "/hooks/trackers/product", token: nil, body: forged, headers: signed(forged, secret: "guess", delivery: "d-2")
            )
            .expectProblem(.unauthorized)
            try await client.send(.post, "/hooks/trackers/product", token: nil, body: forged).expectProblem(.unauthorized)
            try await client.send(.post, "/hooks/trackers/gitlab", token: nil, body: forged, headers: signed(forged, delivery: "d-3"))
                .expectProblem(.notFound)
            try await client.send(.post, "/hooks/trackers/product", token: nil, body: "[1,", headers: signed("[1,", delivery: "d-4"))
                .expectProblem(.badRequest)
            // A ping when the hook is set up is answered and changes nothing.
            let ping = #"{"zen":"Design for failure.","hook_id":12}"#
            let pinged = try await client.send(
                .post, "/hooks/trackers/product", token: nil, body: ping, headers: signed(ping, delivery: "d-5", event: "ping"))
            #expect(pinged.status == .ok && pinged.json["outcome"] as? String == "ignored")
            let still = try await client.send(.get, "/api/v1/tickets/\(key)/escalations", token: h.agent)
            #expect((still.json["items"] as? [[String: Any]])?.first?["issue_state"] as? String == "closed")
            // The Jira tracker has its own secret: GitHub's does not open it.
            let jira =
                #"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","key":"PLAT-1","fields":{"status":{"name":"Done","statusCategory":{"key":"done"}}}}}"#
            var jiraHeaders = HTTPFields()
            jiraHeaders[HTTPField.Name("X-Atlassian-Webhook-Identifier")!] = "j-1"
            jiraHeaders[HTTPField.Name("X-Hub-Signature")!] = signed(jira, delivery: "x")[HTTPField.Name("X-Hub-Signature-256")!]
            try await client.send(.post, "/hooks/trackers/platform", token: nil, body: jira, headers: jiraHeaders).expectProblem(.unauthorized)
            jiraHeaders[HTTPField.Name("X-Hub-Signature")!] =
                signed(jira, secret: "jira-hook-secret", delivery: "x")[HTTPField.Name("X-Hub-Signature-256")!]
            let unknownIssue = try await client.send(.post, "/hooks/trackers/platform", token: nil, body: jira, headers: jiraHeaders)
            #expect(unknownIssue.json["outcome"] as? String == "unknown_issue")
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct MailAPITests {
    func raw(from: String, subject: String, id: String, extra: String = "") -> String {
        "From: \(from)\r\nTo: support@acme.example\r\nSubject: \(subject)\r\nMessage-ID: <\(id)>\r\n\(extra)\r\nHello, the export fails.\r\n"
    }

    @Test(arguments: Engine.available)
    func aGatewayHandsMailOverAndStaffWorkTheQuarantine(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let patched = try await client.send(.patch, "/api/v1/accounts/\(api.accountID)", token: api.admin, body: #"{"domain": "helix.example"}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            let opened = try await client.send(
                .post, "/api/v1/mail/messages?recipient=support@acme.example", token: api.admin,
                body: raw(from: "ana@helix.example", subject: "Export fails", id: "m1@helix.example"),
                contentType: "message/rfc822")
            #expect(opened.status == .ok && opened.json["outcome"] as? String == "opened", "\(opened.text)")
            let key = try #require(opened.json["ticket_key"] as? String)
            let ticket = try await client.send(.get, "/api/v1/tickets/\(key)", token: api.agent)
            #expect(ticket.json["channel"] as? String == "email" && ticket.json["family"] as? String == "customer_support")

            let again = try await client.send(
                .post, "/api/v1/mail/messages", token: api.admin,
                body: raw(from: "ana@helix.example", subject: "Export fails", id: "m1@helix.example"),
                contentType: "message/rfc822")
            #expect(again.json["outcome"] as? String == "duplicate" && again.json["ticket_key"] as? String == key)

            // Only administrators hand mail over; requesters do not see the quarantine.
            try await client.send(.post, "/api/v1/mail/messages", token: api.agent, body: "From: a@b\r\n\r\nx", contentType: "message/rfc822")
                .expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/mail/quarantine", token: api.requester).expectProblem(.forbidden)

            let stranger = try await client.send(
                .post, "/api/v1/mail/messages", token: api.admin,
                body: raw(from: "kim@globex.example", subject: "Hi", id: "m2@globex.example"),
                contentType: "message/rfc822")
            #expect(stranger.json["outcome"] as? String == "quarantined")
            let entry = try #require(stranger.json["quarantine_id"] as? String)
            let held = try await client.send(.get, "/api/v1/mail/quarantine", token: api.agent)
            let items = try #require(held.json["items"] as? [[String: Any]])
            #expect(
                items.count == 1 && items.first?["id"] as? String == entry && (items.first?["reason"] as? String)?.contains("globex.example") == true)

            let globex = try await client.send(.post, "/api/v1/accounts", token: api.admin, body: #"{"name": "Globex", "domain": "globex.example"}"#)
            #expect(globex.status == .created)
            let retried = try await client.send(.post, "/api/v1/mail/quarantine/\(entry)/retry", token: api.agent)
            #expect(retried.json["outcome"] as? String == "opened", "\(retried.text)")
            try await client.send(.post, "/api/v1/mail/quarantine/\(entry)/retry", token: api.agent).expectProblem(.conflict)
            let released = try await client.send(.get, "/api/v1/mail/quarantine?status=released", token: api.agent)
            #expect((released.json["items"] as? [[String: Any]])?.first?["ticket_key"] as? String == retried.json["ticket_key"] as? String)
            try await client.send(.post, "/api/v1/mail/quarantine/\(UUID().uuidString)/retry", token: api.agent).expectProblem(.notFound)
        }
    }
}

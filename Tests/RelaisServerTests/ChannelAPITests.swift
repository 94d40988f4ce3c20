import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct ChannelAPITests {
    @Test(arguments: Engine.available)
    func aChatBridgePostsWithItsChannelsTokenAndAgentsLogCalls(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let patched = try await client.send(.patch, "/api/v1/accounts/\(api.accountID)", token: api.admin, body: #"{"domain": "helix.example"}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            // Tokens: administrators issue them, one per channel of the map.
            try await client.send(.post, "/api/v1/channels/chat/token", token: api.agent).expectProblem(.forbidden)
            try await client.send(.post, "/api/v1/channels/fax/token", token: api.admin).expectProblem(.notFound, field: "channel")
            let issued = try await client.send(.post, "/api/v1/channels/chat/token", token: api.admin)
            #expect(issued.status == .created)
            let chat = try #require(issued.json["token"] as? String)
            let listed = try await client.send(.get, "/api/v1/channels", token: api.admin)
            let channels = try #require(listed.json["items"] as? [[String: Any]])
            #expect(channels.map { $0["channel"] as? String } == ["chat", "crm", "monitoring", "phone"])
            #expect(channels.first?["has_token"] as? Bool == true && channels.first?["families"] as? [String] == ["customer_support", "incident"])

            let message =
                #"{"conversation_id": "c-1", "message_id": "m-1", "sender": {"name": "Ana", "email": "ana@helix.example"}, "text": "Export fails"}"#
            // A user's token does not post channel messages; the chat token posts nothing else.
            try await client.send(.post, "/api/v1/channels/chat/messages", token: api.admin, body: message).expectProblem(.forbidden)
            try await client.send(.post, "/api/v1/channels/phone/messages", token: chat, body: message).expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/tickets", token: chat).expectProblem(.forbidden)
            try await client.send(.post, "/api/v1/channels/chat/messages", token: "rch_unknown", body: message).expectProblem(.unauthorized)

            let opened = try await client.send(.post, "/api/v1/channels/chat/messages", token: chat, body: message)
            #expect(opened.status == .created && opened.json["outcome"] as? String == "opened", "\(opened.text)")
            let key = try #require(opened.json["ticket_key"] as? String)
            let next = try await client.send(
                .post, "/api/v1/channels/chat/messages", token: chat,
                body: #"{"conversation_id": "c-1", "sender": {"email": "ana@helix.example"}, "text": "Any news?"}"#)
            #expect(next.status == .ok && next.json["outcome"] as? String == "commented" && next.json["ticket_key"] as? String == key)
            let again = try await client.send(.post, "/api/v1/channels/chat/messages", token: chat, body: message)
            #expect(again.status == .ok && again.json["outcome"] as? String == "duplicate")

            // Invalid messages are refused naming the field; valid ones that cannot be placed are kept.
            try await client.send(
                .post, "/api/v1/channels/chat/messages", token: chat,
                body: #"{"conversation_id": "c-2", "sender": {}, "text": "hi"}"#
            ).expectProblem(.unprocessableContent, field: "sender")
            try await client.send(
                .post, "/api/v1/channels/chat/messages", token: chat,
                body: #"{"conversation_id": "c-2", "sender": {"handle": "x"}}"#
            ).expectProblem(.unprocessableContent, field: "text")
            let stranger = try await client.send(
                .post, "/api/v1/channels/chat/messages", token: chat,
                body: #"{"conversation_id": "c-3", "sender": {"handle": "kim"}, "text": "hello"}"#)
            #expect(stranger.status == .accepted && stranger.json["outcome"] as? String == "quarantined", "\(stranger.text)")
            let held = try await client.send(.get, "/api/v1/mail/quarantine", token: api.agent)
            #expect((held.json["items"] as? [[String: Any]])?.first?["channel"] as? String == "chat")

            // An agent logs a phone call on the ticket; the channel must be one the family takes.
            let call = try await client.send(
                .post, "/api/v1/tickets/\(key)/comments", token: api.agent,
                body: #"{"body": "Called Ana: the export works after the fix", "public": false, "channel": "phone"}"#)
            #expect(call.status == .created && call.json["channel"] as? String == "phone", "\(call.text)")
            try await client.send(.post, "/api/v1/tickets/\(key)/comments", token: api.agent, body: #"{"body": "x", "channel": "fax"}"#)
                .expectProblem(.unprocessableContent, field: "channel")
            let comments = try await client.send(.get, "/api/v1/tickets/\(key)/comments", token: api.agent)
            #expect((comments.json["items"] as? [[String: Any]])?.compactMap { $0["channel"] as? String } == ["chat", "phone"])

            // Revoked, the token stops working.
            #expect(try await client.send(.delete, "/api/v1/channels/chat/token", token: api.admin).status == .noContent)
            try await client.send(.post, "/api/v1/channels/chat/messages", token: chat, body: message).expectProblem(.unauthorized)
        }
    }
}

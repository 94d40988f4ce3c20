import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import SQLKit
import Testing

@Suite struct ChannelIntakeTests {
    func body(
        _ conversation: String, id: String? = nil, name: String? = "Ana Dupré", email: String? = nil, phone: String? = nil, handle: String? = nil,
        text: String = "The export button does nothing", family: String? = nil, automatic: Bool? = nil
    ) -> [UInt8] {
        let message = ChannelMessage(
            conversationID: conversation, messageID: id, sender: .init(name: name, email: email, phone: phone, handle: handle),
            text: text, family: family, automatic: automatic)
        return Array(try! JSONEncoder().encode(message))
    }

    @Test(arguments: Engine.available)
    func aConversationThreadsOntoOneTicketAndTheSenderIsKnownAgainByPhone(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            let channels = ChannelIntake(mail: f.intake)
            func receive(_ channel: String, _ body: [UInt8]) async throws -> MailIntake.Outcome {
                try await channels.receive(channel: channel, body: body, organizationID: f.organization)
            }
            let first = try await receive("chat", body("c-1", id: "m-1", email: "ana@helix.example", phone: "+33 6 12 34 56 78", handle: "ana.d"))
            guard case let .opened(key) = first else {
                Issue.record("\(first)")
                return
            }
            let ticket = try await f.ticket(key)
            #expect(ticket.family == "customer_support" && ticket.channel == "chat" && ticket.title == "The export button does nothing")
            #expect(ticket.links.contains(CRMLink(kind: .account, id: f.fixture.account.id)))

            #expect(try await receive("chat", body("c-1", id: "m-2", handle: "ana.d", text: "Still nothing after a reload")) == .commented(key))
            #expect(try await receive("chat", body("c-1", id: "m-2", handle: "ana.d", text: "Still nothing after a reload")) == .duplicate(key))
            #expect(try await receive("chat", body("c-1", id: "m-3", handle: "bot", text: "Ana left the chat", automatic: true)) == .commented(key))
            let comments = try await f.fixture.service.comments(key: key, by: f.fixture.agent)
            #expect(comments.map(\.body) == ["Still nothing after a reload", "Ana left the chat"])
            #expect(comments.map(\.isPublic) == [true, false] && comments.map(\.channel) == ["chat", "chat"])

            // A call from the same number, written another way: the same contact, so the same account.
            let call = try await receive(
                "phone",
                body(
                    "call-77", name: nil, phone: "+33 6-12-34-56-78",
                    text: "Called about the export again", family: "incident"))
            guard case let .opened(callKey) = call else {
                Issue.record("\(call)")
                return
            }
            let callTicket = try await f.ticket(callKey)
            #expect(callTicket.family == "incident" && callTicket.channel == "phone")
            #expect(callTicket.links.first { $0.kind == .contact } == ticket.links.first { $0.kind == .contact })
            // The caller's one contact, beside the fixture's requester's.
            #expect(try await f.fixture.count("contacts") == 2)

            // Once the first ticket is closed, the conversation opens a new one.
            try await f.fixture.database.transaction { db in
                try await db.update("tickets").set("status", to: "closed").set("status_category", to: "closed").where("key", .equal, key).run()
            }
            guard case let .opened(newKey) = try await receive("chat", body("c-1", id: "m-9", handle: "ana.d", text: "Hello again")), newKey != key
            else {
                Issue.record("a closed ticket's conversation must open a new ticket")
                return
            }
        }
    }

    @Test(arguments: Engine.available)
    func whatCannotBeReadOrPlacedIsQuarantinedWithItsReason(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            let channels = ChannelIntake(mail: f.intake)
            func reason(_ channel: String, _ raw: [UInt8]) async throws -> String? {
                guard case let .quarantined(_, reason) = try await channels.receive(channel: channel, body: raw, organizationID: f.organization)
                else { return nil }
                return reason
            }
            #expect(try await reason("chat", Array("{not json".utf8))?.contains("not a JSON object") == true)
            #expect(try await reason("chat", Array(#"{"conversation_id": "c", "sender": {"handle": "x"}}"#.utf8)) == "'text' is missing")
            #expect(try await reason("chat", body("c", name: nil, text: "hi")) == "the sender needs an email, a phone or a handle")
            #expect(try await reason("chat", body("c", phone: "call me")) == "'sender.phone' is not a phone number: 'call me'")
            #expect(
                try await reason("chat", body("c", handle: "x", family: "change"))?.hasPrefix("family 'change' does not take the 'chat' channel")
                    == true)
            let unknown = try await reason("chat", body("c", handle: "stranger"))
            #expect(unknown == "family 'customer_support' needs an account, and the sender belongs to none")
            #expect(try await f.fixture.count("mail_quarantine") == 6)
            #expect(try await f.fixture.count("mail_messages") == 0, "nothing quarantined stays half-recorded")

            // A retry goes back through the channel's intake, not the mail parser.
            let held = try await MailIntake.quarantined(in: f.fixture.database, organizationID: f.organization, limit: 1, before: nil)
            let retried = try await f.intake.retry(try #require(held.first?.id), organizationID: f.organization)
            guard case let .quarantined(_, again) = retried else {
                Issue.record("\(retried)")
                return
            }
            #expect(again == unknown)
        }
    }

    @Test func phoneNumbersAreReducedToDigits() {
        #expect(ChannelRules.phoneNumber("+33 6 12-34.56 78") == "+33612345678")
        #expect(ChannelRules.phoneNumber("(555) 010 4477") == "5550104477")
        #expect(ChannelRules.phoneNumber("12") == nil && ChannelRules.phoneNumber("555-CALL-NOW") == nil)
    }
}

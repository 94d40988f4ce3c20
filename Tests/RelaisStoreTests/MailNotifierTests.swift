import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import SQLKit
import Testing

@Suite struct MailNotifierTests {
    /// The queued messages of a ticket, read back through the MIME parser, oldest first.
    func queued(_ f: MailFixture, key: String) async throws -> [MailMessage] {
        let notifier = MailNotifier(map: f.fixture.map, database: f.fixture.database)
        var messages: [MailMessage] = []
        for claimed in try await notifier.claim(limit: 50) {
            messages.append(try MIMEParser.parse(claimed.raw))
            try await notifier.record(claimed, .sent)
        }
        return messages.filter { $0.header("X-Relais-Ticket") == key }
    }

    @Test(arguments: Engine.available)
    func whenTheDevelopersFixShipsTheRequesterIsToldInTheBrandsLanguage(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            let notifier = MailNotifier(map: f.fixture.map, database: f.fixture.database)
            guard case let .opened(key) = try await f.receive(message(to: "support@boltline.example", id: "fix@helix.example")) else {
                Issue.record("not opened")
                return
            }
            _ = try await notifier.queue()
            _ = try await queued(f, key: key)
            let service = EscalationService(map: f.fixture.map, tickets: f.fixture.service)
            _ = try await service.escalate(key: key, tracker: "product", issue: nil, also: [], steps: nil, by: f.fixture.agent)
            let work = try #require(
                try await service.escalations.claim(owner: "t", limit: 5, at: Date(), leaseUntil: Date().addingTimeInterval(60)).first)
            let tracker = try #require(f.fixture.map.trackers["product"])
            try await service.escalations.opened(
                work, issue: IssueUpdate(issueID: "9", issueKey: "#9", state: IssueState(name: "open", done: false)),
                tracker: tracker, owner: "t", at: Date())
            // Opening the issue tells the requester nothing; the fix shipping does, once.
            #expect(try await notifier.queue().queued == 0)
            let shipped = IssueUpdate(issueID: "9", issueKey: "#9", state: IssueState(name: "closed", done: true))
            #expect(try await service.receive(shipped, deliveryID: "d", tracker: tracker, organizationID: f.organization) == .applied)
            #expect(try await notifier.queue().queued == 1)
            let notice = try #require(try await queued(f, key: key).first)
            #expect(notice.header("X-Relais-Notice") == "fix_shipped" && notice.header("Auto-Submitted") == "auto-generated")
            #expect(notice.subject == "Re: [\(key)] Invoice is wrong" && notice.from?.address == "support@boltline.example")
            #expect(notice.text.contains("Le correctif de nos développeurs pour le ticket \(key)"))
            #expect(notice.references.first == "fix@helix.example")
        }
    }

    @Test(arguments: Engine.available)
    func aMailedRequestIsAcknowledgedAnsweredAndSolvedOnItsThreadAndTheAnswersComeBack(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            let notifier = MailNotifier(map: f.fixture.map, database: f.fixture.database)
            guard case let .opened(key) = try await f.receive(message(id: "root@helix.example")) else {
                Issue.record("not opened")
                return
            }
            #expect(try await notifier.queue().queued == 1)
            let acknowledgement = try #require(try await queued(f, key: key).first)
            #expect(acknowledgement.subject == "[\(key)] Invoice is wrong")
            #expect(acknowledgement.header("Auto-Submitted") == "auto-replied")
            #expect(acknowledgement.inReplyTo == ["root@helix.example"] && acknowledgement.references == ["root@helix.example"])
            #expect(acknowledgement.from?.address == "support@acme.example" && acknowledgement.to.map(\.address) == ["ana@helix.example"])
            #expect(acknowledgement.text.contains("opened ticket \(key)"))
            let acknowledgementID = try #require(acknowledgement.messageID)

            // An internal note tells the requester nothing; a public reply does, quoting itself.
            _ = try await f.fixture.service.comment(key: key, body: "Checked the seat count", isPublic: false, by: f.fixture.agent)
            _ = try await f.fixture.service.comment(
                key: key, body: "Two seats were billed twice; a credit note follows.", isPublic: true, by: f.fixture.agent)
            #expect(try await notifier.queue().queued == 1)
            let reply = try #require(try await queued(f, key: key).first)
            #expect(reply.subject == "Re: [\(key)] Invoice is wrong" && reply.header("Auto-Submitted") == nil)
            #expect(reply.text.contains("Two seats were billed twice; a credit note follows."))
            #expect(reply.references == ["root@helix.example", acknowledgementID])

            // Solved: the requester is asked to confirm.
            _ = try await f.fixture.service.transition(key: key, to: "open", resolutionNote: nil, ifMatch: nil, by: f.fixture.agent)
            _ = try await f.fixture.service.transition(key: key, to: "solved", resolutionNote: "Credit note sent", ifMatch: nil, by: f.fixture.agent)
            #expect(try await notifier.queue().queued == 1)
            let solved = try #require(try await queued(f, key: key).first)
            #expect(solved.header("Auto-Submitted") == "auto-generated" && solved.text.contains("Credit note sent"))

            // The requester answers the solved notice with nothing but the threading headers: the
            // answer lands on the ticket, which goes back to the team.
            let answer = message(
                subject: "Re: your request", id: "again@helix.example",
                extra: ["In-Reply-To: <\(try #require(solved.messageID))>"], body: "Still two seats too many.")
            #expect(try await f.receive(answer) == .commented(key))
            let ticket = try await f.ticket(key)
            #expect(ticket.status == "open" && ticket.statusCategory == .open)
            // Nothing is mailed twice, and the requester's own comment is not echoed back.
            #expect(try await notifier.queue().queued == 0)
        }
    }

    @Test(arguments: Engine.available)
    func automaticMessagesFailingAddressesAndOldEventsGetNoNotice(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            let notifier = MailNotifier(map: f.fixture.map, database: f.fixture.database)
            let automatic = message(from: "robot@helix.example", subject: "Disk full", extra: ["Auto-Submitted: auto-generated"])
            guard case .opened = try await f.receive(automatic) else {
                Issue.record("not opened")
                return
            }
            var pass = try await notifier.queue()
            #expect(pass.queued == 0 && pass.skipped["opened by an automatic message"] == 1)

            guard case let .opened(key) = try await f.receive(message(from: "ana@helix.example")) else {
                Issue.record("not opened")
                return
            }
            try await f.fixture.database.transaction { db in
                try await db.update("contacts").set("email_failing_at", to: 1).where("email", .equal, "ana@helix.example").run()
            }
            _ = try await f.fixture.service.comment(key: key, body: "Any screenshot?", isPublic: true, by: f.fixture.agent)
            pass = try await notifier.queue()
            #expect(pass.queued == 0 && pass.skipped["address failing"] == 2)

            // A notifier turned on two hours late does not mail about the past.
            guard case .opened = try await f.receive(message(from: "bo@helix.example")) else {
                Issue.record("not opened")
                return
            }
            let late = MailNotifier(map: f.fixture.map, database: f.fixture.database, now: { Date().addingTimeInterval(7_200) })
            pass = try await late.queue()
            #expect(pass.read > 0 && pass.queued == 0)
        }
    }

    @Test(arguments: Engine.available)
    func aRelayThatDefersIsTriedAgainAndOneThatRefusesMarksTheAddress(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            var settings = MailNotifier.Settings()
            settings.retryDelays = [0, 0]
            let notifier = MailNotifier(map: f.fixture.map, database: f.fixture.database, settings: settings)
            _ = try await f.receive(message(from: "ana@helix.example"))
            _ = try await f.receive(message(from: "bo@helix.example", subject: "Another"))
            #expect(try await notifier.queue().queued == 2)
            let claimed = try await notifier.claim()
            #expect(claimed.count == 2)
            #expect(try await notifier.claim().isEmpty, "claimed messages wait for their lease")
            let ana = try #require(claimed.first { $0.recipients == ["ana@helix.example"] })
            let bo = try #require(claimed.first { $0.recipients == ["bo@helix.example"] })
            try await notifier.record(ana, .transient("451 try later"))
            try await notifier.record(bo, .permanent("550 no such user", recipients: ["bo@helix.example"]))
            let again = try await notifier.claim()
            #expect(again.map(\.id) == [ana.id] && again.first?.attempts == 1)
            try await notifier.record(try #require(again.first), .transient("451 try later"))
            try await notifier.record(try #require(try await notifier.claim().first), .transient("451 still later"))
            let outgoing = try await MailNotifier.outgoing(in: f.fixture.database, organizationID: f.organization)
            #expect(Set(outgoing.map(\.outcome)) == ["failed"], "two delays, three tries, then failed; a 550 fails at once")
            #expect(outgoing.first { $0.recipients == ["ana@helix.example"] }?.attempts == 3)
            let failing = try await f.fixture.database.read { db in
                try await db.select().column("email").from("contacts").where("email_failing_at", .isNot, SQLLiteral.null).all()
                    .map { try $0.decode(column: "email", as: String.self) }
            }
            #expect(failing == ["bo@helix.example"])
        }
    }
}

/// Brands: mail to a brand's address opens a ticket of the brand's legal entity, and the brand
/// answers in its own name, from its own address, in its language.
@Suite struct BrandMailTests {
    @Test(arguments: Engine.available)
    func mailToABrandIsTheBrandsAndIsAnsweredInItsNameAndLanguage(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            let notifier = MailNotifier(map: f.fixture.map, database: f.fixture.database)
            guard case let .opened(key) = try await f.receive(message(to: "support@boltline.example", id: "b1@helix.example")) else {
                Issue.record("not opened")
                return
            }
            let ticket = try await f.ticket(key)
            #expect(ticket.brand == "boltline" && ticket.entity == "boltline")
            let pass = try await notifier.queue()
            #expect(pass.queued == 1, "\(pass)")
            let acknowledgement = try #require(try await queued(f, key: key).first)
            #expect(acknowledgement.from?.address == "support@boltline.example" && acknowledgement.from?.name == "Boltline")
            #expect(acknowledgement.text.contains("Nous avons bien reçu votre demande et ouvert le ticket \(key)"))
            #expect(acknowledgement.text.contains("Le support Boltline"))

            // The group's own address stays the default entity's, answered in English.
            guard case let .opened(other) = try await f.receive(message(id: "a1@helix.example")) else {
                Issue.record("not opened")
                return
            }
            let acme = try await f.ticket(other)
            #expect(acme.brand == "acme" && acme.entity == "acme-sas")
            #expect(try await notifier.queue().queued == 1)
            let english = try #require(try await queued(f, key: other).first)
            #expect(english.from?.name == "Acme" && english.text.contains("We have received your request"))
        }
    }

    func queued(_ f: MailFixture, key: String) async throws -> [MailMessage] { try await MailNotifierTests().queued(f, key: key) }
}

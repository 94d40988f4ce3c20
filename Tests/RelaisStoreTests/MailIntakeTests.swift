import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

/// A message as a mail client writes it.
func message(
    from: String = "Ana Dupré <ana@helix.example>", to: String = "support@acme.example", subject: String = "Invoice is wrong",
    id: String = UUID().uuidString + "@helix.example", extra: [String] = [], body: String = "The March invoice counts two seats too many."
) -> [UInt8] {
    Array(
        (["From: \(from)", "To: \(to)", "Subject: \(subject)", "Message-ID: <\(id)>", "Date: Fri, 27 Nov 2026 10:00:00 +0100"]
            + extra + ["", body]).joined(separator: "\r\n").utf8)
}

struct MailFixture {
    let fixture: StoreFixture
    let intake: MailIntake

    static func with(_ engine: Engine, _ body: (MailFixture) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            var account = fixture.account
            account.domain = "helix.example"
            try await CRMRepository(database: database).update(account, organizationID: fixture.organization.id)
            try await body(MailFixture(fixture: fixture, intake: MailIntake(map: fixture.map, database: database, tickets: fixture.service)))
        }
    }

    var organization: UUID { fixture.organization.id }

    func receive(_ raw: [UInt8], recipients: [String] = []) async throws -> MailIntake.Outcome {
        try await intake.receive(raw, recipients: recipients, organizationID: organization)
    }

    func ticket(_ key: String) async throws -> Ticket { try await fixture.service.find(key: key, by: fixture.agent) }
}

@Suite struct MailIntakeTests {
    @Test(arguments: Engine.available)
    func aNewMessageOpensATicketForItsMailboxAndRepliesThreadOntoIt(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            let first = message(
                id: "root@helix.example",
                extra: [
                    "Content-Type: multipart/mixed; boundary=b"
                ],
                body:
                    "--b\r\nContent-Type: text/plain\r\n\r\nTwo seats too many.\r\n--b\r\nContent-Type: application/pdf; name=invoice.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjc=\r\n--b--"
            )
            let opened = try await f.receive(first)
            guard case let .opened(key) = opened else {
                Issue.record("\(opened)")
                return
            }
            let ticket = try await f.ticket(key)
            #expect(ticket.family == "customer_support" && ticket.team == "support-l1" && ticket.channel == "email")
            #expect(ticket.title == "Invoice is wrong" && ticket.description == "Two seats too many.")
            #expect(ticket.links.contains(CRMLink(kind: .account, id: f.fixture.account.id)))
            #expect(ticket.links.contains { $0.kind == .contact })
            #expect(try await f.fixture.count("mail_attachments") == 1)

            // The same message again: nothing new.
            #expect(try await f.receive(first) == .duplicate(key))
            #expect(try await f.fixture.count("tickets") == 1)

            // A reply by In-Reply-To, quoted history stripped.
            let reply = message(
                subject: "Re: Invoice is wrong", id: "r1@helix.example", extra: ["In-Reply-To: <root@helix.example>"],
                body: "Any news?\r\n\r\nOn Fri, 27 Nov 2026, Ana wrote:\r\n> Two seats too many.")
            #expect(try await f.receive(reply) == .commented(key))
            // A reply found by the key in its subject, from a colleague of the same account.
            let colleague = message(from: "bo@helix.example", subject: "RE: [\(key)] Invoice is wrong", body: "Same for us.")
            #expect(try await f.receive(colleague) == .commented(key))
            // An automatic answer threads as an internal note.
            let away = message(
                from: "bo@helix.example", subject: "Out of office: [\(key)]", extra: ["Auto-Submitted: auto-replied"], body: "Back Monday.")
            #expect(try await f.receive(away) == .commented(key))
            let comments = try await f.fixture.service.comments(key: key, by: f.fixture.agent)
            #expect(comments.map(\.body) == ["Any news?", "Same for us.", "Back Monday."])
            #expect(comments.map(\.isPublic) == [true, true, false])
            #expect(comments.first?.author == "Ana Dupré <ana@helix.example>")
        }
    }

    @Test(arguments: Engine.available)
    func whatCannotBePlacedIsQuarantinedAndCanBeRetried(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            guard case let .quarantined(_, unreadable) = try await f.receive(Array("this is not mail at all".utf8)) else {
                Issue.record("an unreadable message was not quarantined")
                return
            }
            #expect(unreadable.contains("unreadable"))
            guard case let .quarantined(_, nowhere) = try await f.receive(message(to: "sales@acme.example")) else {
                Issue.record("a message for no mailbox was not quarantined")
                return
            }
            #expect(nowhere.contains("no mailbox of the map") && nowhere.contains("sales@acme.example"))
            // A sender whose domain no account declares, for a family that needs an account.
            let stranger = message(from: "kim@globex.example", subject: "[SUP-1] please")
            guard case let .quarantined(entry, reason) = try await f.receive(stranger) else {
                Issue.record("not quarantined")
                return
            }
            #expect(reason.contains("globex.example"))
            #expect(try await f.fixture.count("tickets") == 0)
            var held = try await f.intake.quarantined(organizationID: f.organization, limit: 10, before: nil)
            #expect(held.count == 3)

            // Once an account declares the domain, the retry opens the ticket and releases the entry.
            let globex = Account(id: UUID(), name: "Globex", domain: "globex.example", createdAt: Date())
            try await CRMRepository(database: f.fixture.database).insert(globex, organizationID: f.organization)
            guard case let .opened(key) = try await f.intake.retry(entry, organizationID: f.organization) else {
                Issue.record("retry failed")
                return
            }
            #expect(try await f.ticket(key).links.contains(CRMLink(kind: .account, id: globex.id)))
            held = try await f.intake.quarantined(organizationID: f.organization, limit: 10, before: nil)
            #expect(held.count == 2)
            let released = try await f.intake.quarantined(organizationID: f.organization, status: "released", limit: 10, before: nil)
            #expect(released.map(\.ticketKey) == [key])
            await #expect(throws: StoreError.self) { _ = try await f.intake.retry(entry, organizationID: f.organization) }
            // A retry that still fails keeps the entry, counting the tries.
            let stillBad = try #require(held.first { $0.reason.contains("unreadable") })
            let again = try await f.intake.retry(stillBad.id, organizationID: f.organization)
            guard case .quarantined = again else {
                Issue.record("released: \(again)")
                return
            }
            #expect(
                try await f.intake.quarantined(organizationID: f.organization, limit: 10, before: nil).first { $0.id == stillBad.id }?.attempts == 2)
        }
    }

    @Test(arguments: Engine.available)
    func bouncesMarkTheContactsAddress(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            _ = try await f.receive(message(from: "gone@helix.example"))
            let bounce = message(
                from: "MAILER-DAEMON@mx.helix.example", subject: "Undelivered Mail",
                extra: [
                    "Content-Type: multipart/report; report-type=delivery-status; boundary=r"
                ],
                body:
                    "--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; gone@helix.example\r\nAction: failed\r\n--r--"
            )
            #expect(try await f.receive(bounce) == .bounce(["gone@helix.example"]))
            let failing = try await f.fixture.database.read { db in
                try await db.raw("SELECT email_failing_at FROM contacts WHERE email = 'gone@helix.example'").first(
                    decodingColumn: "email_failing_at", as: Int?.self)
            }
            #expect(failing != nil)
            #expect(try await f.fixture.count("tickets") == 1)
        }
    }

    @Test(arguments: Engine.available)
    func theSameMessageDeliveredTwiceAtOnceOpensOneTicket(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            let raw = message(id: "twice@helix.example")
            let reply = message(subject: "Re: Invoice is wrong", id: "twice-reply@helix.example", extra: ["In-Reply-To: <twice@helix.example>"])
            // Eight deliveries of the same message race, then eight of its reply.
            for copy in [raw, reply] {
                let outcomes = try await withThrowingTaskGroup(of: MailIntake.Outcome.self) { group in
                    for _ in 0..<8 { group.addTask { try await f.receive(copy) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let handled = outcomes.filter { if case .duplicate = $0 { false } else { true } }
                #expect(handled.count == 1, "\(outcomes)")
            }
            #expect(try await f.fixture.count("tickets") == 1)
            #expect(try await f.fixture.count("ticket_comments") == 1)
            #expect(try await f.fixture.count("mail_messages") == 2)
        }
    }

    @Test(arguments: Engine.available)
    func manyRepliesAtOnceAllLandOnTheirTicketInOneHistory(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            guard case let .opened(key) = try await f.receive(message(id: "root@helix.example")) else {
                Issue.record("not opened")
                return
            }
            let before = try await f.ticket(key)
            let outcomes = try await withThrowingTaskGroup(of: MailIntake.Outcome.self) { group in
                for number in 0..<20 {
                    group.addTask {
                        try await f.receive(
                            message(
                                subject: "Re: Invoice is wrong", id: "r\(number)@helix.example",
                                extra: ["In-Reply-To: <root@helix.example>"], body: "Reply \(number)"))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.allSatisfy { $0 == .commented(key) }, "\(outcomes)")
            let comments = try await f.fixture.service.comments(key: key, by: f.fixture.agent)
            #expect(Set(comments.map(\.body)) == Set((0..<20).map { "Reply \($0)" }))
            #expect(try await f.ticket(key).version == before.version + 20)
            let sequences = try await f.fixture.service.events(key: key, by: f.fixture.agent).map(\.sequence)
            #expect(sequences == Array(1...sequences.count), "one history, numbered without gaps")
        }
    }

    /// A new sender's contact is stored with the first ticket: several messages from them at once
    /// make one contact, in the account of their domain, that every ticket links.
    @Test(arguments: Engine.available)
    func messagesFromANewSenderAtOnceMakeOneContact(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            let outcomes = try await withThrowingTaskGroup(of: MailIntake.Outcome.self) { group in
                for index in 0..<6 {
                    group.addTask { try await f.receive(message(from: "Noa Kim <Noa.Kim@helix.example>", subject: "Question \(index)")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let keys = outcomes.compactMap { if case let .opened(key) = $0 { key } else { nil } }
            #expect(keys.count == 6, "\(outcomes)")
            let rows = try await f.fixture.database.read { db in
                try await db.raw("SELECT id, account_id, name FROM contacts WHERE email = 'noa.kim@helix.example'").all()
            }
            #expect(rows.count == 1)
            let contactID = try UUID(uuidString: #require(rows.first).decode(column: "id", as: String.self))
            #expect(try rows.first?.decode(column: "account_id", as: String?.self) == f.fixture.account.id.text)
            #expect(try rows.first?.decode(column: "name", as: String.self) == "Noa Kim")
            for key in keys {
                let links = try await f.ticket(key).links
                #expect(links.contains(CRMLink(kind: .contact, id: try #require(contactID))))
                #expect(links.contains(CRMLink(kind: .account, id: f.fixture.account.id)))
            }
            // A later message finds the stored contact.
            guard case let .opened(later) = try await f.receive(message(from: "noa.kim@helix.example", subject: "One more")) else {
                Issue.record("not opened")
                return
            }
            #expect(try await f.ticket(later).links.contains(CRMLink(kind: .contact, id: try #require(contactID))))
        }
    }

    @Test(arguments: Engine.available)
    func aKeyInTheSubjectFromAnotherAccountDoesNotThread(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            guard case let .opened(key) = try await f.receive(message()) else {
                Issue.record("not opened")
                return
            }
            let globex = Account(id: UUID(), name: "Globex", domain: "globex.example", createdAt: Date())
            try await CRMRepository(database: f.fixture.database).insert(globex, organizationID: f.organization)
            let intruder = message(from: "eve@globex.example", subject: "Re: [\(key)] Invoice is wrong", body: "Let me in")
            guard case let .opened(other) = try await f.receive(intruder) else {
                Issue.record("threaded onto another account's ticket")
                return
            }
            #expect(other != key)
            #expect(try await f.fixture.service.comments(key: key, by: f.fixture.agent).isEmpty)
        }
    }
}

extension MailIntakeTests {
    /// Message ids travel in every copy of a thread: answering one is not enough to write on a
    /// ticket, the sender must be known to it, as for a key in the subject.
    @Test(arguments: Engine.available)
    func aStrangerAnsweringTheThreadsIdsDoesNotThread(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            guard case let .opened(key) = try await f.receive(message(id: "thread-root@helix.example")) else {
                Issue.record("not opened")
                return
            }
            let globex = Account(id: UUID(), name: "Globex", domain: "globex.example", createdAt: Date())
            try await CRMRepository(database: f.fixture.database).insert(globex, organizationID: f.organization)
            let intruder = message(
                from: "eve@globex.example", subject: "Re: Invoice is wrong", extra: ["In-Reply-To: <thread-root@helix.example>"],
                body: "Let me in")
            guard case let .opened(other) = try await f.receive(intruder) else {
                Issue.record("a stranger threaded onto the ticket")
                return
            }
            #expect(other != key)
            #expect(try await f.fixture.service.comments(key: key, by: f.fixture.agent).isEmpty)
            // The requester answering the same id does thread.
            let reply = message(subject: "Re: Invoice is wrong", extra: ["In-Reply-To: <thread-root@helix.example>"], body: "Any news?")
            #expect(try await f.receive(reply) == .commented(key))
        }
    }

    /// Addresses and ids with control characters are refused where the message comes in, with
    /// the header named.
    @Test(arguments: Engine.available)
    func controlCharactersInAddressesAndIdsAreQuarantinedWithTheReason(engine: Engine) async throws {
        try await MailFixture.with(engine) { f in
            for (header, raw) in [
                ("From", message(from: "Ana\u{0}x <ana@helix.example>")),
                ("Message-ID", message(id: "a\rb@helix.example")),
                ("References", message(extra: ["References: <a@b>\u{1b}<c@d>"])),
            ] {
                guard case let .quarantined(_, reason) = try await f.receive(raw) else {
                    Issue.record("\(header): taken")
                    continue
                }
                #expect(reason.contains("the \(header) header holds a control character"), "\(reason)")
            }
        }
    }
}

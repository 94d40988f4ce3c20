import Foundation
import RelaisCore
import Testing

/// Messages written here with CRLF line ends, as they travel.
func mail(_ lines: [String]) -> [UInt8] { Array(lines.joined(separator: "\r\n").utf8) }

@Suite struct MIMEParserTests {
    @Test func plainMessageWithFoldedAndEncodedHeaders() throws {
        let message = try MIMEParser.parse(
            mail([
                "From: =?utf-8?Q?Ana=C3=AFs_Dupr=C3=A9?= <Anais.Dupre@Helix.example>",
                "To: Support <support@acme.example>, \"Desk, IT\" <it@acme.example>",
                "Subject: =?utf-8?Q?Acc=C3=A8s_VPN?=",
                " =?utf-8?B?IHJlZnVzw6k=?=",
                "Message-ID: <abc.123@helix.example>",
                "Date: Fri, 27 Nov 2026 15:04:05 +0100 (CET)",
                "",
                "Bonjour,",
                "le VPN refuse mon jeton.",
            ]))
        #expect(message.from == MailAddress(address: "anais.dupre@helix.example", name: "Anaïs Dupré"))
        #expect(message.to.map(\.address) == ["support@acme.example", "it@acme.example"])
        #expect(message.to.last?.name == "Desk, IT")
        #expect(message.subject == "Accès VPN refusé")
        #expect(message.messageID == "abc.123@helix.example")
        #expect(message.date == Date(timeIntervalSince1970: 1_795_788_245))
        #expect(message.text == "Bonjour,\r\nle VPN refuse mon jeton.")
        #expect(message.attachments.isEmpty && message.html == nil)
    }

    @Test func alternativePrefersThePlainPartAndKeepsTheHTML() throws {
        let message = try MIMEParser.parse(
            mail([
                "From: a@b.example", "Subject: Hi", "MIME-Version: 1.0",
                "Content-Type: multipart/alternative; boundary=\"=_b1\"",
                "",
                "preamble, ignored",
                "--=_b1",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: quoted-printable",
                "",
                "Caf=C3=A9 tr=C3=A8s chaud, une ligne qui est coup=",
                "=C3=A9e en deux.",
                "--=_b1",
                "Content-Type: text/html; charset=utf-8",
                "",
                "<p>Caf&eacute;</p>",
                "--=_b1--",
                "epilogue",
            ]))
        #expect(message.text == "Café très chaud, une ligne qui est coupée en deux.")
        #expect(message.html == "<p>Caf&eacute;</p>")
        #expect(message.contentType == "multipart/alternative")
    }

    @Test func anHTMLOnlyMessageIsReducedToText() throws {
        let message = try MIMEParser.parse(
            mail([
                "From: a@b.example", "Subject: Hi", "Content-Type: text/html; charset=utf-8", "",
                "<html><head><style>p{color:red}</style></head><body><p>Bonjour&nbsp;Ana,</p><p>Le serveur ne r\u{e9}pond plus.<br>Merci</p>",
                "<ul><li>un</li><li>deux</li></ul><script>alert(1)</script><!-- hidden --></body></html>",
            ]))
        #expect(message.text == "Bonjour Ana,\n\nLe serveur ne répond plus.\nMerci\n\n- un\n- deux")
    }

    @Test func attachmentsAreKeptWithNameTypeAndBytes() throws {
        let pdf: [UInt8] = [0x25, 0x50, 0x44, 0x46, 0x2D, 0x31, 0x2E, 0x37, 0x0A, 0x00, 0xFF, 0x80]
        let message = try MIMEParser.parse(
            mail([
                "From: a@b.example", "Subject: Report",
                "Content-Type: multipart/mixed; boundary=outer",
                "",
                "--outer",
                "Content-Type: multipart/alternative; boundary=inner",
                "",
                "--inner",
                "Content-Type: text/plain",
                "",
                "See attached.",
                "--inner--",
                "--outer",
                "Content-Type: application/pdf; name=\"ignored.pdf\"",
                "Content-Disposition: attachment; filename*=utf-8''rapport%20%C3%A9t%C3%A9.pdf",
                "Content-Transfer-Encoding: base64",
                "",
                String(Data(pdf).base64EncodedString().prefix(8)),
                String(Data(pdf).base64EncodedString().dropFirst(8)),
                "--outer",
                "Content-Type: text/plain; name=log.txt",
                "Content-Disposition: attachment",
                "",
                "line 1",
                "--outer--",
            ]))
        #expect(message.text == "See attached.")
        #expect(message.attachments.map(\.filename) == ["rapport été.pdf", "log.txt"])
        #expect(message.attachments.first?.contentType == "application/pdf")
        #expect(message.attachments.first?.content == pdf)
        #expect(message.attachments.last?.content == Array("line 1".utf8))
    }

    @Test(arguments: [
        ("iso-8859-1", [0x63, 0x61, 0x66, 0xE9] as [UInt8], "café"),
        ("windows-1252", [0x38, 0x30, 0x80, 0x20, 0x93, 0x6F, 0x6B, 0x94], "80€ “ok”"),
        ("iso-8859-15", [0xA4, 0x35], "€5"),
        ("utf-8", [0x63, 0x61, 0x66, 0xC3, 0xA9], "café"),
        ("utf-8", [0x63, 0x61, 0x66, 0xE9], "café"),  // mislabelled Latin-1 is still read
    ])
    func charsets(charset: String, bytes: [UInt8], expected: String) throws {
        let head = mail(["From: a@b.example", "Subject: x", "Content-Type: text/plain; charset=\(charset)", "", ""])
        #expect(try MIMEParser.parse(head + bytes).text == expected)
    }

    @Test func deliveryStatusReportsNameTheFailedRecipients() throws {
        let message = try MIMEParser.parse(
            mail([
                "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example>", "Subject: Undelivered Mail Returned to Sender",
                "Auto-Submitted: auto-replied",
                "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"",
                "",
                "--r",
                "Content-Type: text/plain",
                "",
                "Your message could not be delivered.",
                "--r",
                "Content-Type: message/delivery-status",
                "",
                "Reporting-MTA: dns; mx.example",
                "",
                "Final-Recipient: rfc822; gone@helix.example",
                "Action: failed",
                "Status: 5.1.1",
                "",
                "Final-Recipient: rfc822; slow@helix.example",
                "Action: delayed",
                "--r--",
            ]))
        #expect(message.failedRecipients == ["gone@helix.example"])
        #expect(MailRules.isBounce(message))
        #expect(MailRules.automaticReason(message) != nil)
    }

    @Test(arguments: [
        ([] as [String], "empty"),
        (["just some words", "and more"], "not a header"),
        (["X-Thing: 1", "", "body"], "not a mail message"),
        (["From: a@b.example", "Content-Type: multipart/mixed", "", "body"], "boundary"),
        (["From: a@b.example", "Content-Type: multipart/mixed; boundary=zz", "", "no parts here"], "never uses its boundary"),
        ([" folded first", "From: a@b.example"], "continuation"),
    ])
    func unreadableMessagesSayWhy(lines: [String], words: String) throws {
        let error = try #require(throws: MailParseError.self) { try MIMEParser.parse(mail(lines)) }
        #expect(error.reason.contains(words), "\(error.reason)")
    }

    @Test func bareLineFeedsAndAMissingClosingBoundaryAreTolerated() throws {
        let raw = Array("From: a@b.example\nSubject: x\nContent-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: text/plain\n\nhello\n".utf8)
        #expect(try MIMEParser.parse(raw).text == "hello\n")
    }

    @Test func referencesAndInReplyToAreRead() throws {
        let message = try MIMEParser.parse(
            mail([
                "From: a@b.example", "Subject: Re: [INC-42] Mail is down", "In-Reply-To: <out.1@relais>",
                "References: <root@helix.example>", " <out.1@relais>", "", "Thanks",
            ]))
        #expect(message.inReplyTo == ["out.1@relais"] && message.references == ["root@helix.example", "out.1@relais"])
    }

    /// Random damage to real-shaped messages: every outcome is a message or a MailParseError.
    @Test func damagedMessagesNeverCrash() {
        let seeds = [
            mail([
                "From: a@b.example", "Subject: x", "Content-Type: multipart/mixed; boundary=o", "", "--o",
                "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", "caf=C3=A9 =", "--o",
                "Content-Type: application/octet-stream; name*0*=utf-8''a%20; name*1=b.bin", "Content-Transfer-Encoding: base64", "",
                "AAEC/w==", "--o--",
            ]),
            mail([
                "From: =?utf-8?B?w6k=?= <x@y>", "Subject: =?bogus?X?abc?= =?utf-8?Q?=E2=82?=", "Content-Type: text/html", "",
                "<p>&#x1F600; &#99999999; &bogus; <b",
            ]),
        ]
        var generator = SystemRandomNumberGenerator()
        var parsed = 0, refused = 0
        for round in 0..<3_000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: index)
                default: bytes.insert(contentsOf: [0x0D, 0x0A, 0x2D, 0x2D, 0x6F], at: index)
                }
                if bytes.isEmpty { break }
            }
            do {
                _ = try MIMEParser.parse(bytes)
                parsed += 1
            } catch is MailParseError {
                refused += 1
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        #expect(parsed + refused == 3_000 && parsed > 0)
    }
}

@Suite struct MailRulesTests {
    func message(_ headers: [String]) throws -> MailMessage {
        try MIMEParser.parse(mail(["From: ana@helix.example", "Subject: x"] + headers + ["", "body"]))
    }

    @Test func automaticMessagesAreRecognised() throws {
        #expect(MailRules.automaticReason(try message([])) == nil)
        #expect(MailRules.automaticReason(try message(["Auto-Submitted: no"])) == nil)
        #expect(MailRules.automaticReason(try message(["Auto-Submitted: auto-replied"])) == "Auto-Submitted: auto-replied")
        #expect(MailRules.automaticReason(try message(["Auto-Submitted: auto-generated; owner=x"])) == "Auto-Submitted: auto-generated")
        #expect(MailRules.automaticReason(try message(["Precedence: bulk"])) == "Precedence: bulk")
        #expect(MailRules.automaticReason(try message(["Precedence: first-class"])) == nil)
        #expect(MailRules.automaticReason(try message(["X-Auto-Response-Suppress: All"])) == "X-Auto-Response-Suppress")
        let daemon = try MIMEParser.parse(mail(["From: MAILER-DAEMON@mx.example", "Subject: x", "", "b"]))
        #expect(MailRules.automaticReason(daemon)?.contains("mailer-daemon") == true)
    }

    @Test func ticketKeysInSubjects() {
        let prefixes: Set<String> = ["INC", "SUP"]
        #expect(MailRules.ticketKey(inSubject: "Re: [INC-42] Mail is down", prefixes: prefixes) == "INC-42")
        #expect(MailRules.ticketKey(inSubject: "RE: [ext] [sup-7] Invoice", prefixes: prefixes) == "SUP-7")
        #expect(MailRules.ticketKey(inSubject: "[CHG-3] window", prefixes: prefixes) == nil)
        #expect(MailRules.ticketKey(inSubject: "[INC-0] [INC-x]", prefixes: prefixes) == nil)
        #expect(MailRules.baseSubject("Re: TR: Fwd: Mail is down") == "Mail is down")
    }

    @Test func quotedHistoryIsStripped() {
        #expect(
            MailRules.newText("Thanks, it works.\n\nOn Mon, 4 Jan 2027 at 10:00, Acme Support wrote:\n> Try again\n> please") == "Thanks, it works.")
        #expect(MailRules.newText("Merci !\n\nLe lun. 4 janv. 2027 à 10:00, Support Acme a écrit :\n> Réessayez") == "Merci !")
        #expect(MailRules.newText("Still broken\n-----Original Message-----\nFrom: support") == "Still broken")
        #expect(MailRules.newText("Done\n\nFrom: Acme Support\nSent: Monday\nTo: Ana\nSubject: x") == "Done")
        #expect(MailRules.newText("Line one\n> quoted\nafter") == "Line one")
        #expect(MailRules.newText("Only text\n-- \nAna, Helix") == "Only text")
        #expect(MailRules.newText("> everything quoted") == "> everything quoted")
    }
}

@Suite struct MailboxFileTests {
    @Test func mboxIsSplitAtFromLinesAndUnescaped() throws {
        let text =
            "From ana@helix.example Fri Nov 27 10:00:00 2026\nFrom: ana@helix.example\nSubject: one\n\nHello\n>From the start\n\n"
            + "From bo@helix.example Fri Nov 27 11:00:00 2026\nFrom: bo@helix.example\nSubject: two\n\n>From here on, a body line the writer escaped\n"
        let messages = MailboxFile.mbox(Array(text.utf8))
        #expect(messages.count == 2)
        let first = try MIMEParser.parse(messages[0]), second = try MIMEParser.parse(messages[1])
        #expect(first.subject == "one" && first.text == "Hello\r\nFrom the start\r\n")
        #expect(second.subject == "two" && second.text.hasPrefix("From here on"))
        #expect(MailboxFile.mbox([]).isEmpty)
    }
}

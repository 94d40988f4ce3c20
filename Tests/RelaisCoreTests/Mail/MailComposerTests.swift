import Foundation
import RelaisCore
import Testing

@Suite struct MailComposerTests {
    func mail(subject: String = "Invoice is wrong", body: String = "Hello", name: String? = "Acme") -> OutgoingMail {
        OutgoingMail(
            from: MailAddress(address: "support@acme.example", name: name), to: [MailAddress(address: "ana@helix.example", name: "Ana Dupré")],
            subject: subject, body: body, messageID: "relais.1@acme.example", inReplyTo: "root@helix.example",
            references: (1...12).map { "message-\($0)-with-a-long-identifier@helix.example" }, autoSubmitted: "auto-replied",
            date: Date(timeIntervalSince1970: 1_795_000_000))
    }

    @Test func whatIsRenderedReadsBackThroughTheParser() throws {
        let body =
            "Première ligne, accentuée.\n.a line starting with a dot\nFrom here on\ntrailing space \n" + String(repeating: "long ", count: 40) + "€"
        let subject = "Facture erronée — deux sièges de trop pour l'équipe de Lyon et celle de Genève"
        let rendered = mail(subject: subject, body: body).rendered()
        let parsed = try MIMEParser.parse(rendered)
        #expect(parsed.subject == subject)
        #expect(parsed.text == body.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n", "\(parsed.text.debugDescription)")
        #expect(parsed.to == [MailAddress(address: "ana@helix.example", name: "Ana Dupré")])
        #expect(parsed.from == MailAddress(address: "support@acme.example", name: "Acme"))
        #expect(parsed.messageID == "relais.1@acme.example" && parsed.inReplyTo == ["root@helix.example"])
        #expect(parsed.references.count == 12 && parsed.references.last == "message-12-with-a-long-identifier@helix.example")
        #expect(parsed.header("Auto-Submitted") == "auto-replied" && parsed.header("X-Auto-Response-Suppress") == "All")
        #expect(parsed.date == Date(timeIntervalSince1970: 1_795_000_000))
        // Every line is 7-bit and within 78 characters (998 is the hard limit; 78 the advice).
        let text = String(decoding: rendered, as: UTF8.self)
        for line in text.components(separatedBy: "\r\n") {
            #expect(line.count <= 78, "\(line)")
            #expect(line.unicodeScalars.allSatisfy { $0.isASCII }, "\(line)")
        }
        #expect(!text.contains("\r\n.a line"), "a leading dot is encoded")
        #expect(!text.contains("\r\nFrom here"), "a leading From is encoded")
    }

    @Test func namesAreQuotedOrEncodedAsNeeded() {
        #expect(MailComposer.address(MailAddress(address: "a@x.example", name: "Ana")) == "Ana <a@x.example>")
        #expect(MailComposer.address(MailAddress(address: "a@x.example", name: "Dupré, Ana")).hasPrefix("=?UTF-8?B?"))
        #expect(MailComposer.address(MailAddress(address: "a@x.example", name: "Smith, \"Jo\"")) == "\"Smith, \\\"Jo\\\"\" <a@x.example>")
        #expect(MailComposer.address(MailAddress(address: "a@x.example")) == "<a@x.example>")
        #expect(MailComposer.encodedText("Line\r\nbreak") == "Line  break", "no header injection")
    }

    @Test func quotedPrintableKeepsLinesShortAndRoundTrips() {
        let text = String(repeating: "é=", count: 60) + " \nnext\tline\t"
        let encoded = QuotedPrintable.encode(text)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(String(decoding: QuotedPrintable.decode(Array(encoded.utf8)), as: UTF8.self) == text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func noticesFollowTheirEvents() {
        #expect(MailNotice.of(type: "relais.ticket.created", data: [:]) == .acknowledgement)
        #expect(MailNotice.of(type: "relais.ticket.commented", data: ["field": "public", "to": "agent"]) == .reply)
        #expect(MailNotice.of(type: "relais.ticket.commented", data: ["field": "internal", "to": "agent"]) == nil)
        #expect(MailNotice.of(type: "relais.ticket.commented", data: ["field": "public", "to": "requester"]) == nil)
        #expect(MailNotice.of(type: "relais.ticket.status_changed", data: ["status_category": "solved"]) == .solved)
        #expect(MailNotice.of(type: "relais.ticket.status_changed", data: ["status_category": "open"]) == nil)
        #expect(MailNotice.reply.subject(key: "CS-4", title: "Login") == "Re: [CS-4] Login")
    }
}

@Suite struct MailNoticeLanguageTests {
    @Test(arguments: [MailNotice.acknowledgement, .reply, .solved])
    func noticesAreWrittenInTheBrandsLanguage(notice: MailNotice) {
        let content = MailNotice.Content(
            requesterName: "Léa", key: "SUP-3", title: "Facture", organization: "Boltline",
            comment: "Avoir envoyé.", author: "Sam", resolution: "Avoir émis", language: "fr")
        let french = notice.body(content)
        #expect(french.hasPrefix("Bonjour Léa,") && french.hasSuffix("Le support Boltline") && french.contains("SUP-3"))
        var english = content
        english.language = "de"
        #expect(notice.body(english).hasPrefix("Hello Léa,") && notice.body(english).hasSuffix("Boltline service desk"))
    }
}

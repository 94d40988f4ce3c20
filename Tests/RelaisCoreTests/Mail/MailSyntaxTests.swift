import Foundation
import RelaisCore
import Testing

/// What may stand in an address or an id Relais reads and writes again.
@Suite struct MailSyntaxTests {
    @Test(arguments: [
        "ana@helix.example", "a.b+tag@sub.helix.example", "o'brien@x.example", "josé@exemple.fr",
        "x@[192.0.2.1]".replacingOccurrences(of: "[192.0.2.1]", with: "b-c.example"),
    ])
    func addressesPeopleHaveAreAccepted(address: String) {
        #expect(MailSyntax.isAddress(address), "\(address)")
    }

    @Test(arguments: [
        "a@b\r\nRCPT TO:<x@y>", "a@b,c@d", "a b@c.example", "<a@b>", "a@b@c", "@b.example", "a@", "a@b..c", "a@.b", "=?utf-8?q?a?=@b.example",
        "a@b\u{0}.example", "a\u{2028}@b.example", String(repeating: "a", count: 65) + "@b.example", "a@" + String(repeating: "b", count: 260),
    ])
    func addressesThatWouldBreakALineAreRefused(address: String) {
        #expect(!MailSyntax.isAddress(address), "\(address.debugDescription)")
    }

    @Test func idsAreVisibleASCIIWithoutBrackets() {
        #expect(MailSyntax.isMessageID("CAF=x+y@mail.example"))
        #expect(!MailSyntax.isMessageID("a b@c"))
        #expect(!MailSyntax.isMessageID("a\r\nb@c"))
        #expect(!MailSyntax.isMessageID("a>b@c"))
        #expect(!MailSyntax.isMessageID(""))
        #expect(!MailSyntax.isMessageID(String(repeating: "x", count: 251)))
    }

    @Test func namesLoseTheirControlCharacters() {
        #expect(MailSyntax.cleanName("Eve\r\nBcc: x@y") == "Eve Bcc: x@y")
        #expect(MailSyntax.cleanName("  A\u{0}\u{7f}B  ") == "A B")
    }

    @Test func encodedWordsAreDecodedInNamesOnlyOnceTheAddressIsFound() throws {
        // The encoded word holds an address and a comma: it stays the name of one sender.
        let spoof = MailAddress.list("=?utf-8?q?ceo@victim.example,?= <eve@evil.example>")
        #expect(spoof == [MailAddress(address: "eve@evil.example", name: "ceo@victim.example,")])
        let folded = MailAddress.list("=?utf-8?q?Eve=0D=0ABcc:_x@y.example?= <eve@evil.example>")
        #expect(folded == [MailAddress(address: "eve@evil.example", name: "Eve Bcc: x@y.example")])
        #expect(MailAddress.list("<a@b.example,c@d.example>").isEmpty)
        #expect(MailAddress.list("Team: a@b.example, c@d.example;").map(\.address) == ["a@b.example", "c@d.example"])
    }

    @Test func idHeadersAreNeverDecoded() throws {
        let raw = Array(
            """
            From: Ana <ana@helix.example>\r
            Subject: =?utf-8?q?Caf=C3=A9?=\r
            Message-ID: <=?us-ascii?q?x=0D=0A=0D=0Aphish?=@helix.example>\r
            References: <a@b.example> <=?us-ascii?q?r=0D=0ABcc:_v@e.example?=@helix.example>\r
            \r
            Hi\r\n
            """.utf8)
        let message = try MIMEParser.parse(raw)
        #expect(message.subject == "Café")
        #expect(message.messageID == "=?us-ascii?q?x=0D=0A=0D=0Aphish?=@helix.example")
        #expect(message.references.allSatisfy { !MailSyntax.hasControl($0) })
    }

    @Test func controlCharactersInStructuredHeadersAreRefusedByName() {
        for (header, line) in [
            ("From", "From: Ana\rx <ana@helix.example>"), ("To", "To: a@b.example\u{0}"), ("In-Reply-To", "In-Reply-To: <a\u{7f}@b>"),
        ] {
            let raw = Array("\(line)\r\nSubject: x\r\n\r\nHi\r\n".utf8)
            #expect(throws: MailParseError.self) { try MIMEParser.parse(raw) }
            do {
                _ = try MIMEParser.parse(raw)
            } catch let error as MailParseError {
                #expect(error.reason.contains("the \(header) header holds a control character"), "\(error.reason)")
            } catch {}
        }
        // A tab is white space, and unstructured headers may hold odd bytes as they always did.
        #expect(throws: Never.self) { try MIMEParser.parse(Array("From:\tAna <ana@helix.example>\r\nSubject: a\u{1}b\r\n\r\nHi\r\n".utf8)) }
    }

    @Test func aMessageWithAnAddressOrIdThatCannotBeWrittenIsNotSent() {
        let good = OutgoingMail(
            from: MailAddress(address: "support@acme.example"), to: [MailAddress(address: "ana@helix.example", name: "Ana\r\nBcc: x@y")],
            subject: "Hi\r\nBcc: x@y", body: "b", messageID: "id@acme.example", inReplyTo: "ok@helix.example", date: Date())
        #expect(good.problem == nil)
        let text = String(decoding: good.rendered(), as: UTF8.self)
        let header = text.components(separatedBy: "\r\n\r\n")[0]
        #expect(
            !header.unicodeScalars.contains { $0 == "\n" }
                || header.components(separatedBy: "\r\n").allSatisfy { !$0.contains("\n") && !$0.contains("\r") })
        #expect(!header.components(separatedBy: "\r\n").contains { $0.hasPrefix("Bcc:") }, "\(header)")
        var bad = good
        bad.to = [MailAddress(address: "ana@helix.example\r\nRCPT TO:<x@y>")]
        #expect(bad.problem?.contains("is not a mail address") == true)
        #expect(!String(decoding: bad.rendered(), as: UTF8.self).contains("RCPT"))
        bad = good
        bad.inReplyTo = "a\r\n\r\nphish@x"
        #expect(bad.problem?.contains("is not a message id") == true)
        #expect(!String(decoding: bad.rendered(), as: UTF8.self).contains("phish"))
    }
}

import Foundation
import RelaisIntegrations
import Testing

@Suite struct SMTPSessionTests {
    func session(maxSize: Int = 1_000) -> SMTPSession {
        SMTPSession(maxSize: maxSize, accepts: { $0 == "support@acme.example" })
    }

    func send(_ session: inout SMTPSession, _ line: String) -> SMTPSession.Action { session.handle(Array(line.utf8)) }

    func code(_ action: SMTPSession.Action) -> String? {
        switch action {
        case let .reply(lines), let .close(lines): lines.last.map { String($0.prefix(3)) }
        default: nil
        }
    }

    @Test func aConversationDeliversTheMessageDotUnstuffed() {
        var s = session()
        #expect(s.greeting.hasPrefix("220 "))
        #expect(code(send(&s, "EHLO client.example")) == "250")
        #expect(code(send(&s, "MAIL FROM:<ana@helix.example> SIZE=120")) == "250")
        #expect(code(send(&s, "RCPT TO:<Support@Acme.example>")) == "250")
        #expect(code(send(&s, "DATA")) == "354")
        for line in ["Subject: hi", "", "..leading dot", "body"] { #expect(send(&s, line) == .none) }
        #expect(send(&s, ".") == .deliver(message: Array("Subject: hi\r\n\r\n.leading dot\r\nbody\r\n".utf8), recipients: ["support@acme.example"]))
        #expect(s.delivered(true, reference: "opened SUP-1") == ["250 2.0.0 OK: opened SUP-1"])
        // The session is ready for the next message; a failed store asks the client to retry.
        #expect(code(send(&s, "MAIL FROM:<>")) == "250")
        #expect(code(send(&s, "RCPT TO:<support@acme.example>")) == "250")
        #expect(code(send(&s, "DATA")) == "354")
        _ = send(&s, "x")
        _ = send(&s, ".")
        #expect(s.delivered(false, reference: "").first?.hasPrefix("451") == true)
        #expect(send(&s, "QUIT") == .close(["221 2.0.0 bye"]))
    }

    @Test func outOfOrderAndUnknownRecipientsAreRefused() {
        var s = session()
        #expect(code(send(&s, "MAIL FROM:<a@b>")) == "503")
        #expect(code(send(&s, "HELO x")) == "250")
        #expect(code(send(&s, "RCPT TO:<support@acme.example>")) == "503")
        #expect(code(send(&s, "MAIL FROM:<a@b>")) == "250")
        #expect(code(send(&s, "DATA")) == "503")
        #expect(code(send(&s, "RCPT TO:<someone@elsewhere.example>")) == "550")
        #expect(code(send(&s, "RCPT TO:nonsense")) == "550")
        #expect(code(send(&s, "RCPT TO:")) == "501")
        #expect(code(send(&s, "MAIL TO:<a@b>")) == "501")
        #expect(code(send(&s, "STARTTLS")) == "500")
        #expect(code(send(&s, "NOOP")) == "250")
        #expect(code(send(&s, "RSET")) == "250")
    }

    @Test func tooLargeMessagesAreRefusedWhole() {
        var s = session(maxSize: 50)
        _ = send(&s, "EHLO x")
        #expect(code(send(&s, "MAIL FROM:<a@b> SIZE=51")) == "552")
        _ = send(&s, "MAIL FROM:<a@b>")
        _ = send(&s, "RCPT TO:<support@acme.example>")
        _ = send(&s, "DATA")
        for _ in 0..<10 { #expect(send(&s, "0123456789") == .none) }
        #expect(code(send(&s, ".")) == "552")
        #expect(code(send(&s, "MAIL FROM:<a@b>")) == "250")
    }

    @Test func aPeerThatKeepsErringIsDisconnected() {
        var s = session()
        var last = SMTPSession.Action.none
        for _ in 0..<21 { last = send(&s, "BOGUS") }
        guard case let .close(lines) = last else {
            Issue.record("still connected")
            return
        }
        #expect(lines.last?.hasPrefix("421") == true)
    }
}

extension SMTPSessionTests {
    func data(_ s: inout SMTPSession, _ line: String, _ ending: SMTPSession.LineEnding) -> SMTPSession.Action {
        s.handle(Array(line.utf8), ending: ending)
    }

    /// SMTP smuggling: a dot after a bare LF (or ended by one) is text of the message, so a second
    /// message hidden behind it is never read as commands of this session.
    @Test func onlyCRLFDotCRLFEndsTheMessage() {
        var s = session(maxSize: 10_000)
        _ = send(&s, "EHLO client.example")
        _ = send(&s, "MAIL FROM:<ana@helix.example>")
        _ = send(&s, "RCPT TO:<support@acme.example>")
        #expect(code(send(&s, "DATA")) == "354")
        #expect(data(&s, "Subject: first", .crlf) == .none)
        #expect(data(&s, "", .crlf) == .none)
        #expect(data(&s, "text", .lf) == .none)  // `text\n`
        #expect(data(&s, ".", .lf) == .none)  // `.\n`: no end
        #expect(data(&s, ".", .crlf) == .none)  // `.\r\n` after a bare LF: no end either
        #expect(data(&s, "MAIL FROM:<eve@evil.example>", .crlf) == .none)
        #expect(data(&s, "half of a long li", .none) == .none)
        #expect(data(&s, ".", .crlf) == .none)  // continues the cut line: no end
        guard case let .deliver(message, _) = data(&s, ".", .crlf) else {
            Issue.record("CRLF . CRLF after a CRLF line must end the message")
            return
        }
        #expect(
            String(decoding: message, as: UTF8.self)
                == "Subject: first\r\n\r\ntext\r\n.\r\n.\r\nMAIL FROM:<eve@evil.example>\r\nhalf of a long li.\r\n")
    }

    @Test func commandsWithControlCharactersOrTooLongAreRefused() {
        var s = session()
        _ = send(&s, "EHLO client.example")
        #expect(code(s.handle(Array("MAIL FROM:<a@b.example>\rRCPT TO:<x@y>".utf8))) == "501")
        #expect(code(s.handle(Array(repeating: UInt8(ascii: "A"), count: SMTPSession.longestCommand + 1))) == "500")
        #expect(code(s.handle(Array("NOOP".utf8), ending: .none)) == "500")
        #expect(code(send(&s, "NOOP")) == "250")
    }
}

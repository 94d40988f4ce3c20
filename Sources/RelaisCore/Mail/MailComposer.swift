import Foundation

/// A plain-text message Relais sends, rendered as RFC 5322 / MIME: UTF-8 body in
/// quoted-printable, non-ASCII header text as RFC 2047 encoded words, long headers folded.
public struct OutgoingMail: Sendable, Equatable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    public var body: String
    /// Without angle brackets.
    public var messageID: String
    public var inReplyTo: String?
    /// Oldest first, without angle brackets.
    public var references: [String]
    /// RFC 3834: `auto-replied` for an automatic answer to a message, `auto-generated` for other
    /// automatic mail; nil for mail a person wrote.
    public var autoSubmitted: String?
    public var date: Date
    /// Further headers, written as given (ASCII names, values encoded when needed).
    public var extraHeaders: [(name: String, value: String)]

    public init(
        from: MailAddress, to: [MailAddress], subject: String, body: String, messageID: String, inReplyTo: String? = nil,
        references: [String] = [], autoSubmitted: String? = nil, date: Date, extraHeaders: [(name: String, value: String)] = []
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.autoSubmitted = autoSubmitted
        self.date = date
        self.extraHeaders = extraHeaders
    }

    public static func == (lhs: OutgoingMail, rhs: OutgoingMail) -> Bool {
        lhs.rendered() == rhs.rendered()
    }

    /// What makes this message unfit to send, or nil: every address must be one
    /// `MailSyntax.isAddress` accepts and every id one `MailSyntax.isMessageID` accepts, so that
    /// nothing written into a header can end its line. Names are cleaned when written.
    public var problem: String? {
        for address in [from] + to where !MailSyntax.isAddress(address.address) {
            return "'\(address.address.prefix(100))' is not a mail address that can be written"
        }
        if to.isEmpty { return "no recipient" }
        for id in [messageID] + [inReplyTo].compactMap({ $0 }) + references where !MailSyntax.isMessageID(id) {
            return "'\(id.prefix(100))' is not a message id that can be written"
        }
        for header in extraHeaders where header.name.isEmpty || !header.name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) {
            return "'\(header.name.prefix(100))' is not a header name"
        }
        return nil
    }

    /// The message as it goes on the wire, lines ending in CRLF (before SMTP dot-stuffing). Ids
    /// that `problem` would refuse are left out and control characters of names and texts become
    /// spaces, so no value can add a line whatever the caller checked.
    public func rendered() -> [UInt8] {
        var headers: [(String, String)] = [
            ("Date", MailComposer.date(date)),
            ("From", MailComposer.address(from)),
            ("To", to.map(MailComposer.address).joined(separator: ", ")),
            ("Subject", MailComposer.encodedText(subject)),
            ("Message-ID", MailSyntax.isMessageID(messageID) ? "<\(messageID)>" : "<invalid@relais.invalid>"),
        ]
        if let inReplyTo, MailSyntax.isMessageID(inReplyTo) { headers.append(("In-Reply-To", "<\(inReplyTo)>")) }
        let references = references.filter(MailSyntax.isMessageID)
        if !references.isEmpty { headers.append(("References", references.map { "<\($0)>" }.joined(separator: " "))) }
        if let autoSubmitted {
            headers.append(("Auto-Submitted", autoSubmitted))
            // Asks Exchange and its kin not to answer with out-of-office and similar replies.
            headers.append(("X-Auto-Response-Suppress", "All"))
        }
        for header in extraHeaders where !header.name.isEmpty && header.name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) {
            headers.append((header.name, MailComposer.encodedText(header.value)))
        }
        headers += [("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=utf-8"), ("Content-Transfer-Encoding", "quoted-printable")]
        var text = headers.map { MailComposer.fold("\($0.0): \($0.1)") }.joined(separator: "\r\n")
        text += "\r\n\r\n"
        text += QuotedPrintable.encode(body)
        text += "\r\n"
        return Array(text.utf8)
    }
}

/// The pieces `OutgoingMail` is rendered with.
public enum MailComposer {
    /// `Fri, 27 Nov 2026 15:04:05 +0000`.
    public static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// `Name <address>`, the name quoted when it holds specials and encoded when it is not ASCII.
    public static func address(_ address: MailAddress) -> String {
        // An address that is not one is written as nothing a relay would deliver to.
        let written = MailSyntax.isAddress(address.address) ? address.address : "invalid@relais.invalid"
        let address = MailAddress(address: written, name: address.name)
        guard let name = address.name.map(MailSyntax.cleanName), !name.isEmpty else { return "<\(address.address)>" }
        if !name.allSatisfy({ $0.isASCII }) { return "\(encodedWords(name)) <\(address.address)>" }
        let atext = name.allSatisfy { $0.isLetter || $0.isNumber || $0 == " " || "!#$%&'*+-/=?^_`{|}~".contains($0) }
        if atext { return "\(name) <\(address.address)>" }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\" <\(address.address)>"
    }

    /// Header text as is when it is printable ASCII, else as encoded words; line breaks become spaces.
    public static func encodedText(_ text: String) -> String {
        let flat = String(String.UnicodeScalarView(text.unicodeScalars.map { MailSyntax.isControl($0) ? " " : $0 }))
        return flat.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) ? flat : encodedWords(flat)
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words of at most 75 characters, never splitting a character.
    public static func encodedWords(_ text: String) -> String {
        var words: [String] = [], chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            // 45 bytes of UTF-8 make 60 characters of base64, 72 with the `=?UTF-8?B?` `?=` frame.
            if chunk.count + bytes.count > 45, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: " ")
    }

    /// Folds a header line at spaces so that no line passes 78 characters where a space allows it.
    public static func fold(_ line: String) -> String {
        guard line.count > 78 else { return line }
        var lines: [String] = [], current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count > 78 {
                lines.append(current)
                current = " " + word
            } else {
                current += " " + word
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }
}

extension QuotedPrintable {
    /// UTF-8 text as quoted-printable: lines of at most 76 characters with soft breaks, line
    /// ends as CRLF, `=`, control bytes, bytes above 126 and a space or tab before a line end
    /// encoded; a line starting `From ` or `.` gets its first character encoded so no relay
    /// or mailbox file alters it.
    public static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            if index > 0 { output += Array("\r\n".utf8) }
            let bytes = Array(line.utf8)
            var width = 0
            for (position, byte) in bytes.enumerated() {
                let atEnd = position == bytes.count - 1
                let guarded = position == 0 && (byte == UInt8(ascii: ".") || (byte == UInt8(ascii: "F") && bytes.starts(with: Array("From ".utf8))))
                let plain = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=") && !guarded) || ((byte == 32 || byte == 9) && !atEnd)
                let piece: [UInt8] = plain ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                // A soft break leaves room for its `=` within 76 characters.
                if width + piece.count > 75 {
                    output += Array("=\r\n".utf8)
                    width = 0
                }
                output += piece
                width += piece.count
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

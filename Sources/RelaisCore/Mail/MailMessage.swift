import Foundation

/// A mail address with its display name.
public struct MailAddress: Sendable, Equatable, Hashable {
    public var address: String
    public var name: String?

    public init(address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// The part after `@`, lowercased.
    public var domain: String? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        let domain = address[address.index(after: at)...].lowercased()
        return domain.isEmpty ? nil : domain
    }

    /// Every address in a header such as `To:`: `Name <a@b>`, `"Last, First" <a@b>`, `a@b (comment)`,
    /// separated by commas outside quotes and angle brackets; groups (`team: a@b, c@d;`) are opened.
    public static func list(_ header: String) -> [MailAddress] {
        var parts: [String] = [], current = "", quoted = false, angle = 0
        // Question marks seen in the encoded word being read (`=?charset?q?text?=` has four); 0 outside one.
        var encodedMarks = 0
        for character in header {
            // Inside an encoded word a comma or a colon is text of the name, not a separator.
            if encodedMarks > 0 {
                if character == "?" { encodedMarks += 1 }
                if character == "=", current.hasSuffix("?"), encodedMarks >= 4 { encodedMarks = 0 }
                current.append(character)
                continue
            }
            if character == "?", current.hasSuffix("="), !quoted, angle == 0 {
                encodedMarks = 1
                current.append(character)
                continue
            }
            switch character {
            case "\"":
                quoted.toggle()
                current.append(character)
            case "<" where !quoted:
                angle += 1
                current.append(character)
            case ">" where !quoted:
                angle = max(0, angle - 1)
                current.append(character)
            case "," where !quoted && angle == 0, ";" where !quoted && angle == 0:
                parts.append(current)
                current = ""
            case ":" where !quoted && angle == 0 && !current.contains("@"):
                current = ""  // a group's name
            default: current.append(character)
            }
        }
        parts.append(current)
        return parts.compactMap(single)
    }

    /// One address, or nil when the text holds none that `MailSyntax.isAddress` accepts. Encoded
    /// words are decoded in the display name only, once the address is found, so a name can
    /// never bring an address, a comma or a line break of its own.
    public static func single(_ text: String) -> MailAddress? {
        var text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        if let open = text.lastIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
            let address = text[text.index(after: open)..<close].trimmingCharacters(in: .whitespaces).lowercased()
            var name = text[..<open].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 {
                name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            guard MailSyntax.isAddress(address) else { return nil }
            let shown = MailSyntax.cleanName(EncodedWords.decode(name))
            return MailAddress(address: address, name: shown.isEmpty ? nil : shown)
        }
        if let comment = text.firstIndex(of: "(") { text = String(text[..<comment]).trimmingCharacters(in: .whitespaces) }
        let address = text.lowercased()
        guard MailSyntax.isAddress(address) else { return nil }
        return MailAddress(address: address)
    }
}

/// A file that came with a message.
public struct MailAttachment: Sendable, Equatable {
    public var filename: String
    public var contentType: String
    public var content: [UInt8]
    /// `Content-ID` of an inline part, such as an image an HTML body shows.
    public var contentID: String?

    public init(filename: String, contentType: String, content: [UInt8], contentID: String? = nil) {
        self.filename = filename
        self.contentType = contentType
        self.content = content
        self.contentID = contentID
    }
}

/// A message as Relais reads it: its headers decoded, its text (from the plain part, or from the
/// HTML part reduced to text), the HTML kept as it came, and its attachments.
public struct MailMessage: Sendable, Equatable {
    /// Every header in order, names as written, values unfolded and decoded.
    public var headers: [(name: String, value: String)]
    public var from: MailAddress?
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var subject: String
    /// Without its angle brackets.
    public var messageID: String?
    public var inReplyTo: [String]
    public var references: [String]
    public var date: Date?
    public var text: String
    public var html: String?
    public var attachments: [MailAttachment]
    /// The `Content-Type` of the whole message, lowercased, without parameters.
    public var contentType: String
    /// For a delivery status notification: the recipients reported as failed.
    public var failedRecipients: [String]

    public init(
        headers: [(name: String, value: String)] = [], from: MailAddress? = nil, to: [MailAddress] = [], cc: [MailAddress] = [],
        subject: String = "", messageID: String? = nil, inReplyTo: [String] = [], references: [String] = [], date: Date? = nil,
        text: String = "", html: String? = nil, attachments: [MailAttachment] = [], contentType: String = "text/plain",
        failedRecipients: [String] = []
    ) {
        self.headers = headers
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.date = date
        self.text = text
        self.html = html
        self.attachments = attachments
        self.contentType = contentType
        self.failedRecipients = failedRecipients
    }

    /// The first header of that name (case ignored).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public static func == (lhs: MailMessage, rhs: MailMessage) -> Bool {
        lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" } && lhs.from == rhs.from
            && lhs.to == rhs.to && lhs.cc == rhs.cc && lhs.subject == rhs.subject && lhs.messageID == rhs.messageID
            && lhs.inReplyTo == rhs.inReplyTo && lhs.references == rhs.references && lhs.date == rhs.date && lhs.text == rhs.text
            && lhs.html == rhs.html && lhs.attachments == rhs.attachments && lhs.contentType == rhs.contentType
            && lhs.failedRecipients == rhs.failedRecipients
    }
}

/// Why a message could not be read.
public struct MailParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

import Foundation

/// Reads an Internet message (RFC 5322) with its MIME structure (RFC 2045–2047, 2231): header
/// folding, encoded words, nested multiparts, quoted-printable and base64, charsets, attachments
/// and delivery status reports. Lenient where mail in the wild is sloppy (bare LF line ends,
/// missing closing boundary, bad padding), strict where nothing sensible can be read.
public enum MIMEParser {
    /// Multiparts nested deeper than this are refused.
    public static let maxDepth = 16

    public static func parse(_ raw: [UInt8]) throws -> MailMessage {
        guard !raw.isEmpty else { throw MailParseError("the message is empty") }
        let (headerLines, body) = split(raw[...])
        let headers = try parseHeaders(headerLines)
        guard !headers.isEmpty else { throw MailParseError("no header block at the start of the message") }
        guard headers.contains(where: { ["from", "sender", "subject", "message-id", "to", "date"].contains($0.name.lowercased()) }) else {
            throw MailParseError("none of From, To, Subject, Date or Message-ID is present: this is not a mail message")
        }
        var message = MailMessage(headers: headers)
        func value(_ name: String) -> String? { message.header(name) }
        message.from = (value("From") ?? value("Sender")).flatMap { MailAddress.list($0).first }
        message.to = value("To").map(MailAddress.list) ?? []
        message.cc = value("Cc").map(MailAddress.list) ?? []
        message.subject = value("Subject")?.trimmingCharacters(in: .whitespaces) ?? ""
        message.messageID = value("Message-ID").flatMap { messageIDs($0).first }
        message.inReplyTo = value("In-Reply-To").map(messageIDs) ?? []
        message.references = value("References").map(messageIDs) ?? []
        message.date = value("Date").flatMap(InternetDate.parse)
        var collected = Collected()
        try entity(headers: headers, body: body, depth: 0, into: &collected)
        message.contentType = contentType(of: headers).type
        message.html = collected.html.isEmpty ? nil : collected.html.joined(separator: "\n")
        let plain = collected.text.joined(separator: "\n\n")
        message.text = plain.isEmpty ? HTMLText.text(message.html ?? "") : plain
        message.attachments = collected.attachments
        message.failedRecipients = collected.failedRecipients
        return message
    }

    // MARK: Structure

    struct Collected {
        var text: [String] = []
        var html: [String] = []
        var attachments: [MailAttachment] = []
        var failedRecipients: [String] = []
    }

    /// Header lines and body of an entity, split at the first empty line (CRLF or bare LF).
    static func split(_ bytes: ArraySlice<UInt8>) -> (lines: [ArraySlice<UInt8>], body: ArraySlice<UInt8>) {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex, index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 0x0A {
                var end = index
                if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                if end == start { return (lines, bytes[(index + 1)...]) }
                lines.append(bytes[start..<end])
                start = index + 1
            }
            index += 1
        }
        if start < bytes.endIndex { lines.append(bytes[start...]) }
        return (lines, bytes[bytes.endIndex...])
    }

    static func parseHeaders(_ lines: [ArraySlice<UInt8>]) throws -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        for line in lines {
            let text = decodeHeaderBytes(line)
            if let first = line.first, first == 0x20 || first == 0x09 {
                guard !headers.isEmpty else { throw MailParseError("the message starts with a continuation line") }
                headers[headers.count - 1].value += " " + text.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = text.firstIndex(of: ":") else {
                if headers.isEmpty { throw MailParseError("the first line is not a header ('Name: value')") }
                continue  // a stray line inside the header block is skipped
            }
            let name = text[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                if headers.isEmpty { throw MailParseError("the first line is not a header ('Name: value')") }
                continue
            }
            headers.append((name, String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        // Encoded words are text for people (RFC 2047 §5): decoded in unstructured headers such
        // as Subject, never in addresses and message ids, where a decoded comma or line break
        // would become a second address or a header line of its own. Those must hold no control
        // character at all: the message is refused, naming the header.
        for header in headers where structured.contains(header.name.lowercased()) {
            if let scalar = header.value.unicodeScalars.first(where: { MailSyntax.isControl($0) && $0 != "\t" }) {
                throw MailParseError("the \(header.name) header holds a control character (U+\(String(format: "%04X", scalar.value)))")
            }
        }
        return headers.map { header in
            let name = header.name.lowercased()
            return (header.name, name.hasPrefix("content-") || structured.contains(name) ? header.value : EncodedWords.decode(header.value))
        }
    }

    /// Headers of addresses and message ids (RFC 5322 §3.6), read as structure, not as text.
    static let structured: Set<String> = [
        "from", "sender", "reply-to", "to", "cc", "bcc", "return-path", "message-id", "in-reply-to", "references",
        "resent-from", "resent-sender", "resent-to", "resent-cc", "resent-bcc", "resent-message-id",
    ]

    /// Header bytes are ASCII by the standard, UTF-8 in practice, Latin-1 otherwise.
    static func decodeHeaderBytes(_ bytes: ArraySlice<UInt8>) -> String { Charset.decode(bytes, charset: "utf-8") }

    static func entity(headers: [(name: String, value: String)], body: ArraySlice<UInt8>, depth: Int, into collected: inout Collected) throws {
        guard depth <= maxDepth else { throw MailParseError("multiparts nested more than \(maxDepth) deep") }
        let type = contentType(of: headers)
        func header(_ name: String) -> String? { headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value }
        if type.type.hasPrefix("multipart/") {
            guard let boundary = type.parameters["boundary"], !boundary.isEmpty else {
                throw MailParseError("\(type.type) without a boundary parameter")
            }
            let parts = try multipartBodies(body, boundary: boundary)
            for part in parts {
                let (lines, partBody) = split(part)
                let partHeaders = try parseHeaders(lines)
                try entity(headers: partHeaders, body: partBody, depth: depth + 1, into: &collected)
            }
            return
        }
        let decoded = decodeTransfer(body, encoding: header("Content-Transfer-Encoding"))
        let disposition: (type: String, parameters: [String: String]) = header("Content-Disposition").map(parameters) ?? ("", [:])
        let filename = disposition.parameters["filename"] ?? type.parameters["name"]
        if type.type == "message/delivery-status" {
            collected.failedRecipients += deliveryFailures(decoded)
        }
        let isText = type.type == "text/plain" || type.type == "text/html"
        if isText && disposition.type != "attachment" && filename == nil {
            let text = Charset.decode(decoded, charset: type.parameters["charset"])
            if type.type == "text/plain" { collected.text.append(text) } else { collected.html.append(text) }
            return
        }
        let name = filename ?? defaultName(for: type.type, index: collected.attachments.count + 1)
        collected.attachments.append(
            MailAttachment(
                filename: name, contentType: type.type, content: decoded,
                contentID: header("Content-ID").flatMap { messageIDs($0).first }))
    }

    static func defaultName(for type: String, index: Int) -> String {
        switch type {
        case "message/rfc822": "message-\(index).eml"
        case "message/delivery-status": "delivery-status-\(index).txt"
        case "text/plain": "part-\(index).txt"
        case "text/html": "part-\(index).html"
        default: "part-\(index)"
        }
    }

    /// The bodies between `--boundary` lines; the preamble and epilogue are dropped. A missing
    /// closing delimiter ends the last part at the end of the message.
    static func multipartBodies(_ body: ArraySlice<UInt8>, boundary: String) throws -> [ArraySlice<UInt8>] {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        var closed = false
        while lineStart < body.endIndex {
            var lineEnd = lineStart
            while lineEnd < body.endIndex, body[lineEnd] != 0x0A { lineEnd += 1 }
            let next = lineEnd < body.endIndex ? lineEnd + 1 : lineEnd
            var contentEnd = lineEnd
            if contentEnd > lineStart, body[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let line = body[lineStart..<contentEnd]
            if line.starts(with: delimiter) {
                let rest = line.dropFirst(delimiter.count)
                let isClose = rest.starts(with: [0x2D, 0x2D])
                if isClose || rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    if let start = partStart {
                        // The line break before a delimiter belongs to the delimiter.
                        var end = lineStart
                        if end > start, body[end - 1] == 0x0A { end -= 1 }
                        if end > start, body[end - 1] == 0x0D { end -= 1 }
                        parts.append(body[start..<max(start, end)])
                    }
                    if isClose {
                        closed = true
                        break
                    }
                    partStart = next
                }
            }
            lineStart = next
        }
        if !closed, let start = partStart, start < body.endIndex { parts.append(body[start...]) }
        if partStart == nil { throw MailParseError("the multipart body never uses its boundary '\(boundary)'") }
        return parts
    }

    // MARK: Header values

    /// `type/subtype; name=value; ...`, type lowercased; text/plain when absent or unreadable.
    static func contentType(of headers: [(name: String, value: String)]) -> (type: String, parameters: [String: String]) {
        guard let value = headers.first(where: { $0.name.caseInsensitiveCompare("Content-Type") == .orderedSame })?.value else {
            return ("text/plain", [:])
        }
        let parsed = parameters(value)
        return (parsed.type.contains("/") ? parsed.type : "text/plain", parsed.parameters)
    }

    /// A header value with parameters, as in `Content-Type` and `Content-Disposition`: the value
    /// lowercased, parameter names lowercased, quoted strings and RFC 2231 forms (`name*=utf-8''…`,
    /// `name*0=…; name*1=…`) decoded.
    static func parameters(_ value: String) -> (type: String, parameters: [String: String]) {
        var pieces: [String] = [], current = "", quoted = false, escaped = false
        for character in value {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if character == "\\" && quoted {
                escaped = true
                continue
            }
            if character == "\"" {
                quoted.toggle()
                continue
            }
            if character == ";" && !quoted {
                pieces.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        pieces.append(current)
        let type = pieces.first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        var plain: [String: String] = [:]
        var extended: [String: [(Int, String, Bool)]] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let rawName = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !rawName.isEmpty else { continue }
            let isEncoded = rawName.hasSuffix("*")
            let name = isEncoded ? String(rawName.dropLast()) : rawName
            if let star = name.firstIndex(of: "*"), let index = Int(name[name.index(after: star)...]) {
                extended[String(name[..<star]), default: []].append((index, value, isEncoded))
            } else if isEncoded {
                extended[name, default: []].append((0, value, true))
            } else {
                plain[name] = EncodedWords.decode(value)
            }
        }
        for (name, sections) in extended {
            var charset = "utf-8", bytes: [UInt8] = []
            for (offset, section) in sections.sorted(by: { $0.0 < $1.0 }).enumerated() {
                var text = Substring(section.1)
                if section.2 {
                    if offset == 0, let first = text.firstIndex(of: "'"), let second = text[text.index(after: first)...].firstIndex(of: "'") {
                        charset = String(text[..<first]).isEmpty ? charset : String(text[..<first])
                        text = text[text.index(after: second)...]
                    }
                    bytes += percentDecode(text)
                } else {
                    bytes += Array(text.utf8)
                }
            }
            plain[name] = Charset.decode(bytes, charset: charset)
        }
        return (type, plain)
    }

    static func percentDecode(_ text: Substring) -> [UInt8] {
        var bytes: [UInt8] = [], utf8 = Array(text.utf8), index = 0
        while index < utf8.count {
            if utf8[index] == 0x25, index + 2 < utf8.count,
                let value = UInt8(String(decoding: utf8[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return bytes
    }

    /// Every `<id>` in a header, without brackets; a bare id when there are no brackets.
    public static func messageIDs(_ value: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[rest.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            if MailSyntax.isMessageID(id) { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        if ids.isEmpty {
            let bare = value.trimmingCharacters(in: .whitespaces)
            if MailSyntax.isMessageID(bare), bare.contains("@") { ids.append(bare) }
        }
        return ids
    }

    // MARK: Bodies

    static func decodeTransfer(_ body: ArraySlice<UInt8>, encoding: String?) -> [UInt8] {
        switch encoding?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "base64": Base64Body.decode(body)
        case "quoted-printable": QuotedPrintable.decode(body)
        default: Array(body)
        }
    }

    /// Recipients a delivery status report says failed (`Action: failed` with `Final-Recipient`).
    static func deliveryFailures(_ bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        var failed: [String] = []
        for block in text.components(separatedBy: "\n\n") {
            var recipient: String?, action: String?
            for line in block.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if name == "final-recipient" || (name == "original-recipient" && recipient == nil) {
                    let address = value.split(separator: ";", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? value
                    recipient = address.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).lowercased()
                }
                if name == "action" { action = value.lowercased() }
            }
            if let recipient, action == "failed", !failed.contains(recipient) { failed.append(recipient) }
        }
        return failed
    }
}

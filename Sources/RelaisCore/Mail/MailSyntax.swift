import Foundation

/// What may stand in a mail address or a message id that Relais reads, stores and later writes
/// into headers and SMTP commands. Anything else is refused where it comes in, so no text from a
/// message can add a header line, a recipient or an SMTP command on the way out.
///
/// Based on RFC 5322 §3.4.1 (addr-spec) and §3.6.4 (msg-id), RFC 5321 §4.5.3.1 (lengths), and
/// RFC 6531 (UTF-8 in addresses): kept lenient where real mail is (quoted local parts aside, any
/// printable character but the specials), strict on what would break a line or a command.
public enum MailSyntax {
    /// RFC 5321 §4.5.3.1.3: a path holds at most 256 octets, brackets included.
    public static let maxAddressLength = 254
    public static let maxMessageIDLength = 250

    /// Whether `text` is a control character anywhere: C0 (tab included), DEL, C1, and the
    /// Unicode line and paragraph separators.
    public static func hasControl(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }

    /// Whether `text` is one address `local@domain` fit to write into a header or an SMTP
    /// command: one `@`, non-empty parts, no control, space or special character
    /// (`<>()[],;:\"`), no encoded word, at most 254 bytes.
    public static func isAddress(_ text: String) -> Bool {
        guard text.utf8.count <= maxAddressLength, !text.contains("=?") else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64, !parts[1].isEmpty else { return false }
        let specials = Set("<>()[],;:\\\"".unicodeScalars)
        guard !text.unicodeScalars.contains(where: { isControl($0) || $0 == " " || specials.contains($0) }) else { return false }
        let domain = parts[1]
        guard !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return false }
        return domain.unicodeScalars.allSatisfy {
            !$0.isASCII || $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "." || $0 == "_"
        }
    }

    /// Whether `text` (without its angle brackets) may stand as a message id in `Message-ID`,
    /// `In-Reply-To` and `References`: printable ASCII without space or angle bracket, at most
    /// 250 bytes.
    public static func isMessageID(_ text: some StringProtocol) -> Bool {
        guard !text.isEmpty, text.utf8.count <= maxMessageIDLength else { return false }
        return text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
    }

    /// A display name as it may be shown and written again: controls become spaces, runs of
    /// spaces one, at most 200 characters.
    public static func cleanName(_ text: String) -> String {
        var result = ""
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let space = isControl(scalar) || scalar.properties.isWhitespace
            if space {
                if !lastWasSpace, !result.isEmpty { result.unicodeScalars.append(" ") }
            } else {
                result.unicodeScalars.append(scalar)
            }
            lastWasSpace = space
        }
        return String(result.trimmingCharacters(in: .whitespaces).prefix(200))
    }
}

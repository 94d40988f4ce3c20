import Foundation

/// RFC 2047 encoded words in header values: `=?charset?B?…?=` and `=?charset?Q?…?=`; whitespace
/// between two encoded words is dropped.
public enum EncodedWords {
    public static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var result = "", rest = Substring(value), pendingSpace = ""
        var lastWasEncoded = false
        while let start = rest.range(of: "=?") {
            let before = rest[..<start.lowerBound]
            guard let word = encodedWord(rest[start.lowerBound...]) else {
                result += pendingSpace + before + "=?"
                pendingSpace = ""
                lastWasEncoded = false
                rest = rest[start.upperBound...]
                continue
            }
            if lastWasEncoded && before.allSatisfy(\.isWhitespace) {
                // Whitespace between encoded words is not part of the text.
            } else {
                result += pendingSpace + before
            }
            result += word.text
            pendingSpace = ""
            lastWasEncoded = true
            rest = rest[word.end...]
        }
        return result + pendingSpace + rest
    }

    static func encodedWord(_ text: Substring) -> (text: String, end: Substring.Index)? {
        let parts = text.dropFirst(2)
        guard let charsetEnd = parts.firstIndex(of: "?") else { return nil }
        let charset = String(parts[..<charsetEnd]).split(separator: "*").first.map(String.init) ?? ""
        let afterCharset = parts[parts.index(after: charsetEnd)...]
        guard let encodingEnd = afterCharset.firstIndex(of: "?") else { return nil }
        let encoding = afterCharset[..<encodingEnd].uppercased()
        let payloadStart = afterCharset.index(after: encodingEnd)
        guard let close = afterCharset[payloadStart...].range(of: "?=") else { return nil }
        let payload = afterCharset[payloadStart..<close.lowerBound]
        guard !payload.contains(" ") else { return nil }
        let bytes: [UInt8]
        switch encoding {
        case "B": bytes = Base64Body.decode(Array(payload.utf8))
        case "Q": bytes = QuotedPrintable.decode(Array(payload.replacingOccurrences(of: "_", with: " ").utf8))
        default: return nil
        }
        return (Charset.decode(bytes, charset: charset), close.upperBound)
    }
}

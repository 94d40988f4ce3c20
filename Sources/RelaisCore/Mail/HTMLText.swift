import Foundation

/// An HTML body reduced to the text a ticket shows: scripts, styles and comments dropped, block
/// elements and `<br>` as line breaks, list items as dashes, entities decoded, blank runs folded.
public enum HTMLText {
    static let blocks: Set<String> = [
        "p", "div", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "section", "article", "header", "footer",
        "hr",
    ]

    public static func text(_ html: String) -> String {
        var out = "", index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            guard character == "<" else {
                if character == "&", let (decoded, end) = entity(html, at: index) {
                    out += decoded
                    index = end
                } else {
                    out.append(character.isNewline || character == "\t" ? " " : character)
                    index = html.index(after: index)
                }
                continue
            }
            if html[index...].hasPrefix("<!--") {
                index = html[index...].range(of: "-->")?.upperBound ?? html.endIndex
                continue
            }
            guard let close = html[index...].firstIndex(of: ">") else { break }
            let tag = html[html.index(after: index)..<close]
            let isEnd = tag.hasPrefix("/")
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            index = html.index(after: close)
            if !isEnd, name == "script" || name == "style" || name == "head" || name == "title" {
                index =
                    html[index...].range(of: "</\(name)", options: .caseInsensitive).flatMap { html[$0.upperBound...].firstIndex(of: ">") }
                    .map { html.index(after: $0) } ?? html.endIndex
                continue
            }
            if name == "br" { out += "\n" } else if name == "li" { if !isEnd { out += "\n- " } } else if blocks.contains(name) { out += "\n" }
            if name == "td" || name == "th", isEnd { out += " " }
        }
        // Fold spaces within lines and runs of blank lines.
        var lines: [String] = []
        for line in out.split(separator: "\n", omittingEmptySubsequences: false) {
            let folded = line.split(whereSeparator: { $0 == " " || $0 == "\u{00A0}" }).joined(separator: " ")
            if folded.isEmpty && (lines.last?.isEmpty ?? true) { continue }
            lines.append(folded)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "eacute": "é", "egrave": "è", "ecirc": "ê",
        "agrave": "à", "acirc": "â", "ccedil": "ç", "ocirc": "ô", "ucirc": "û", "ugrave": "ù", "icirc": "î", "iuml": "ï",
        "euml": "ë", "Eacute": "É", "euro": "€", "laquo": "«", "raquo": "»", "rsquo": "’", "lsquo": "‘", "ldquo": "“",
        "rdquo": "”", "hellip": "…", "ndash": "–", "mdash": "—", "copy": "©", "reg": "®", "oelig": "œ",
    ]

    static func entity(_ html: String, at start: String.Index) -> (String, String.Index)? {
        guard let semicolon = html[start...].prefix(12).firstIndex(of: ";") else { return nil }
        let body = html[html.index(after: start)..<semicolon]
        let end = html.index(after: semicolon)
        if body.hasPrefix("#") {
            let number = body.dropFirst()
            let value = number.hasPrefix("x") || number.hasPrefix("X") ? UInt32(number.dropFirst(), radix: 16) : UInt32(number)
            guard let value, let scalar = Unicode.Scalar(value) else { return nil }
            return (String(Character(scalar)), end)
        }
        return named[String(body)].map { ($0, end) }
    }
}

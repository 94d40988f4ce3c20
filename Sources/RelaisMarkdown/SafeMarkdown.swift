import Ink
import RelaisCore

/// Article bodies as HTML that can go into any page: Markdown is rendered by Ink, then every tag
/// of the result is checked against a short list of formatting tags, their attributes against a
/// list per tag, and links and images against a list of URL schemes. What does not pass is
/// written out as text, so `<script>` in an article is shown, never run.
public enum SafeMarkdown {
    public static func html(_ markdown: String) -> String {
        HTMLSanitizer.clean(MarkdownParser().html(from: defused(markdown)))
    }

    /// Brackets open at once beyond which a `[` is written as its entity: Ink 0.6 tries every
    /// way to read nested link texts, in time doubling with each open bracket (found by the
    /// fuzzer: twenty `[` took 44 s). Markdown needs two (an image inside a link).
    static let openBrackets = 3

    /// The text as Ink can read it in bounded time and memory, rendering the same but for what
    /// is said here:
    /// - Ink 0.6 never returns from a `<p` (or `<P`) that no `>` follows anywhere after it: its
    ///   text reader stops there for an HTML element, which cannot be read, and starts again at
    ///   the same place, using memory without end (found by the fuzzer: a 78-byte article). Such a
    ///   `<` is written as its entity.
    /// - A `[` past `openBrackets` open ones is written as its entity; a blank line closes them.
    /// - Spaces and tabs at the very end are left out: Ink 0.6 reads a list line that starts
    ///   with them as a nested list and reads a character past the end of the text, a trap that
    ///   would take the server down (found by the fuzzer: `1. a` followed by a line holding one
    ///   space). They render as nothing anywhere else.
    /// Code is not told apart (guessing where Ink sees code wrongly would let the slow input
    /// through): a code block nesting four brackets shows the fourth as `&#91;`.
    static func defused(_ markdown: String) -> String {
        let lastClose = markdown.lastIndex(of: ">")
        var result = ""
        result.reserveCapacity(markdown.utf8.count)
        var open = 0, previousWasLineEnd = false
        var index = markdown.startIndex
        while index < markdown.endIndex {
            let character = markdown[index]
            let next = markdown.index(after: index)
            let lineEnd = character == "\n" || character == "\r\n"
            if lineEnd && previousWasLineEnd { open = 0 }
            previousWasLineEnd = lineEnd
            if character == "<", next < markdown.endIndex, markdown[next] == "p" || markdown[next] == "P", lastClose.map({ index > $0 }) ?? true {
                result += "&lt;"
            } else if character == "[" {
                open += 1
                result += open > openBrackets ? "&#91;" : "["
            } else {
                if character == "]" { open = max(0, open - 1) }
                result.append(character)
            }
            index = next
        }
        while let last = result.last, last.isWhitespace, !last.isNewline { result.removeLast() }
        return result
    }
}

/// Keeps the formatting tags Markdown produces and escapes everything else.
enum HTMLSanitizer {
    /// Tags kept, each with the attributes it may carry.
    static let allowed: [String: Set<String>] = [
        "p": [], "br": [], "hr": [], "h1": [], "h2": [], "h3": [], "h4": [], "h5": [], "h6": [],
        "strong": [], "em": [], "b": [], "i": [], "s": [], "del": [], "code": [], "pre": [], "blockquote": [],
        "ul": [], "ol": ["start"], "li": [], "table": [], "thead": [], "tbody": [], "tr": [], "th": ["align"], "td": ["align"],
        "a": ["href", "title"], "img": ["src", "alt", "title"],
    ]
    static let void: Set<String> = ["br", "hr", "img"]
    static let urlAttributes: Set<String> = ["href", "src"]

    /// The HTML is read scalar by scalar, as browsers read it, never as Swift characters: a
    /// character is a grapheme cluster, and a prepended mark such as U+0600 folds the `<` after
    /// it into one character that compares unequal to `<`, which would let a tag through.
    typealias Scalars = Substring.UnicodeScalarView

    static func clean(_ html: String) -> String {
        var output = ""
        output.reserveCapacity(html.utf8.count + 64)
        var open: [String] = []
        var rest = Substring(html).unicodeScalars
        while let lt = rest.firstIndex(of: "<") {
            output += text(rest[rest.startIndex..<lt])
            let candidate = rest[lt...]
            if let (tag, length) = parseTag(candidate) {
                if tag.closing {
                    // A closing tag closes what is open up to it; one that closes nothing is text.
                    if let position = open.lastIndex(of: tag.name) {
                        for name in open[position...].reversed() { output += "</\(name)>" }
                        open.removeSubrange(position...)
                    }
                } else {
                    output += "<" + tag.name
                    for (name, value) in tag.attributes { output += " \(name)=\"\(Markup.escape(value))\"" }
                    output += ">"
                    if !void.contains(tag.name) { open.append(tag.name) }
                }
                rest = candidate.dropFirst(length)
            } else {
                output += "&lt;"
                rest = candidate.dropFirst()
            }
        }
        output += text(rest)
        for name in open.reversed() { output += "</\(name)>" }
        return output
    }

    struct Tag {
        var name: String
        var closing: Bool
        var attributes: [(String, String)]
    }

    static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace }

    static func string(_ scalars: Scalars.SubSequence) -> String {
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        return text
    }

    /// Reads `<name attr="v" ...>` or `</name>` at the start of `text`: the tag when it is one of
    /// the allowed ones (with only its allowed attributes and safe URLs), and its length in
    /// scalars. Anything else, allowed name or not, gives nil and is escaped.
    static func parseTag(_ text: Scalars) -> (Tag, Int)? {
        var index = text.index(after: text.startIndex)
        var closing = false
        if index < text.endIndex, text[index] == "/" {
            closing = true
            index = text.index(after: index)
        }
        let nameStart = index
        while index < text.endIndex, isASCIIAlphanumeric(text[index]) { index = text.index(after: index) }
        let name = string(text[nameStart..<index]).lowercased()
        guard !name.isEmpty, let permitted = allowed[name] else { return nil }
        var attributes: [(String, String)] = []
        while true {
            while index < text.endIndex, isSpace(text[index]) { index = text.index(after: index) }
            guard index < text.endIndex else { return nil }
            if text[index] == ">" {
                index = text.index(after: index)
                break
            }
            if text[index] == "/", text.index(after: index) < text.endIndex, text[text.index(after: index)] == ">" {
                index = text.index(index, offsetBy: 2)
                break
            }
            guard !closing else { return nil }
            let attributeStart = index
            while index < text.endIndex, !isSpace(text[index]), !"=>/\"'<".unicodeScalars.contains(text[index]) { index = text.index(after: index) }
            let attributeName = string(text[attributeStart..<index]).lowercased()
            guard !attributeName.isEmpty else { return nil }
            var value = ""
            if index < text.endIndex, text[index] == "=" {
                index = text.index(after: index)
                guard index < text.endIndex else { return nil }
                let quote = text[index]
                if quote == "\"" || quote == "'" {
                    let valueStart = text.index(after: index)
                    guard let end = text[valueStart...].firstIndex(of: quote) else { return nil }
                    value = string(text[valueStart..<end])
                    index = text.index(after: end)
                } else {
                    let valueStart = index
                    while index < text.endIndex, !isSpace(text[index]), text[index] != ">" { index = text.index(after: index) }
                    value = string(text[valueStart..<index])
                }
            }
            let decoded = decodeEntities(value)
            guard permitted.contains(attributeName) else { continue }
            if urlAttributes.contains(attributeName) {
                guard let url = safeURL(decoded, image: name == "img") else { continue }
                attributes.append((attributeName, url))
            } else {
                attributes.append((attributeName, decoded))
            }
        }
        return (Tag(name: name, closing: closing, attributes: attributes), text.distance(from: text.startIndex, to: index))
    }

    /// The URL when browsers would load it as http(s), mail or a place in this site; nil for
    /// `javascript:`, `data:`, `vbscript:` and anything else, however it is disguised (entities,
    /// tabs and line breaks inside the scheme, upper case).
    static func safeURL(_ value: String, image: Bool) -> String? {
        var url = ""
        url.unicodeScalars.append(contentsOf: value.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F })
        if url.unicodeScalars.contains("&") { return nil }  // an entity left undecoded could spell a scheme
        guard let colon = url.unicodeScalars.firstIndex(of: ":") else { return url }
        let beforeColon = url.unicodeScalars[..<colon]
        if beforeColon.contains(where: { "/?#".unicodeScalars.contains($0) }) { return url }  // a relative path with a colon further on
        var scheme = ""
        scheme.unicodeScalars.append(contentsOf: beforeColon)
        scheme = scheme.lowercased()
        let permitted: Set<String> = image ? ["http", "https"] : ["http", "https", "mailto"]
        return permitted.contains(scheme) ? url : nil
    }

    /// Text between tags: entities already written are kept, `<` `>` and stray `&` escaped.
    static func text(_ text: Scalars) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let scalar = text[index]
            switch scalar {
            case "&":
                if let end = entityEnd(text, from: index) {
                    output.unicodeScalars.append(contentsOf: text[index...end])
                    index = text.index(after: end)
                    continue
                }
                output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            default: output.unicodeScalars.append(scalar)
            }
            index = text.index(after: index)
        }
        return output
    }

    /// The `;` of a well-formed entity starting at `start` (`&amp;`, `&#39;`, `&#x27;`).
    static func entityEnd(_ text: Scalars, from start: Scalars.Index) -> Scalars.Index? {
        var index = text.index(after: start)
        var length = 0
        while index < text.endIndex, length <= 32 {
            let scalar = text[index]
            if scalar == ";" { return length > 0 ? index : nil }
            guard isASCIIAlphanumeric(scalar) || scalar == "#" else { return nil }
            length += 1
            index = text.index(after: index)
        }
        return nil
    }

    /// Numeric entities and the five of XML decoded; others are left for `safeURL` to refuse.
    static func decodeEntities(_ value: String) -> String {
        guard value.contains("&") else { return value }
        var output = ""
        var rest = Substring(value)
        while let amp = rest.firstIndex(of: "&") {
            output += rest[rest.startIndex..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semicolon = after.prefix(12).firstIndex(of: ";") else {
                output += "&"
                rest = after
                continue
            }
            let name = after[after.startIndex..<semicolon]
            var decoded: String?
            switch name.lowercased() {
            case "amp": decoded = "&"
            case "lt": decoded = "<"
            case "gt": decoded = ">"
            case "quot": decoded = "\""
            case "apos": decoded = "'"
            default:
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if name.hasPrefix("#") {
                    decoded = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                }
            }
            if let decoded {
                output += decoded
                rest = after[after.index(after: semicolon)...]
            } else {
                output += "&"
                rest = after
            }
        }
        return output + rest
    }
}

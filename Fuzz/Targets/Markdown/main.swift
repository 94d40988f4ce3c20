import Foundation
import FuzzDriver
import RelaisMarkdown

/// Tags SafeMarkdown may write, with the attributes each may carry; anything else must have come
/// out as text.
let allowed: [String: Set<String>] = [
    "p": [], "br": [], "hr": [], "h1": [], "h2": [], "h3": [], "h4": [], "h5": [], "h6": [],
    "strong": [], "em": [], "b": [], "i": [], "s": [], "del": [], "code": [], "pre": [], "blockquote": [],
    "ul": [], "ol": ["start"], "li": [], "table": [], "thead": [], "tbody": [], "tr": [], "th": ["align"], "td": ["align"],
    "a": ["href", "title"], "img": ["src", "alt", "title"],
]

/// An article body: whatever it holds, only formatting tags come out, with their own attributes
/// and no script URL in a link or an image (an image's `alt` or a link's `title` may say
/// `javascript:` as text).
func fuzzMarkdown(_ input: UnsafeRawBufferPointer) {
    let html = SafeMarkdown.html(String(decoding: input, as: UTF8.self))
    var rest = Substring(html)
    while let open = rest.firstIndex(of: "<") {
        var tag = rest[rest.index(after: open)...].prefix { $0 != ">" }
        rest = rest[rest.index(after: open)...]
        if tag.hasPrefix("/") { tag = tag.dropFirst() }
        let name = String(tag.prefix { $0.isLetter || $0.isNumber })
        guard let attributes = allowed[name] else { fatalError("a tag '\(name)' came out: \(html.prefix(300).debugDescription)") }
        var inside = tag.dropFirst(name.count)
        // Written as ` name="value"`, the value escaped.
        while inside.hasPrefix(" ") {
            let attribute = String(inside.dropFirst().prefix { $0 != "=" })
            guard attributes.contains(attribute), inside.dropFirst(attribute.count + 1).hasPrefix("=\"") else {
                fatalError("an attribute '\(attribute)' came out on <\(name)>: \(tag.prefix(200).debugDescription)")
            }
            let valueStart = inside.dropFirst(attribute.count + 3)
            let value = valueStart.prefix { $0 != "\"" }
            let scheme = value.lowercased().filter { !$0.isWhitespace }
            if ["href", "src"].contains(attribute), ["javascript:", "vbscript:", "data:text"].contains(where: { scheme.hasPrefix($0) }) {
                fatalError("a script URL came out: \(value.prefix(200).debugDescription)")
            }
            inside = valueStart.dropFirst(value.count + 1)
        }
    }
}

runFuzzer(fuzzMarkdown)

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
    // Read as browsers read it: scalar by scalar (a Swift character can hide a `<` or a quote
    // inside a grapheme cluster).
    var rest = Substring(html).unicodeScalars
    func text(_ scalars: Substring.UnicodeScalarView) -> String {
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }
    while let open = rest.firstIndex(of: "<") {
        var tag = rest[rest.index(after: open)...].prefix { $0 != ">" }
        rest = rest[rest.index(after: open)...]
        if tag.first == "/" { tag = tag.dropFirst() }
        let name = text(tag.prefix { $0.isASCII && $0.properties.isAlphabetic || ("0"..."9").contains($0) })
        guard let attributes = allowed[name] else { fatalError("a tag '\(name)' came out: \(html.prefix(300).debugDescription)") }
        var inside = tag.dropFirst(name.unicodeScalars.count)
        // Written as ` name="value"`, the value escaped.
        while inside.first == " " {
            let attribute = text(inside.dropFirst().prefix { $0 != "=" })
            let afterName = inside.dropFirst(attribute.unicodeScalars.count + 1)
            guard attributes.contains(attribute), afterName.starts(with: "=\"".unicodeScalars) else {
                fatalError("an attribute '\(attribute)' came out on <\(name)>: \(text(tag.prefix(200)).debugDescription)")
            }
            let valueStart = afterName.dropFirst(2)
            let value = valueStart.prefix { $0 != "\"" }
            let scheme = text(value).lowercased().unicodeScalars.filter { !$0.properties.isWhitespace }
            if ["href", "src"].contains(attribute),
                ["javascript:", "vbscript:", "data:text"].contains(where: { scheme.starts(with: $0.unicodeScalars) })
            {
                fatalError("a script URL came out: \(text(value.prefix(200)).debugDescription)")
            }
            inside = valueStart.dropFirst(value.count + 1)
        }
    }
}

runFuzzer(fuzzMarkdown)

import Foundation
import Testing

@testable import RelaisMarkdown

@Suite struct SafeMarkdownTests {
    @Test func formattingSurvives() {
        let html = SafeMarkdown.html(
            """
            # Reset the VPN token

            Open **Settings**, then *Security*; see [the guide](https://intranet.example/vpn) or [help](/kb/42).

            - one
            - two

            ```
            vpn --reset <token>
            ```
            """)
        #expect(html.contains("<h1>Reset the VPN token</h1>"))
        #expect(html.contains("<strong>Settings</strong>"))
        #expect(html.contains("<em>Security</em>"))
        #expect(html.contains("<a href=\"https://intranet.example/vpn\">the guide</a>"))
        #expect(html.contains("<a href=\"/kb/42\">help</a>"))
        #expect(html.contains("<li>one</li>"))
        #expect(html.contains("vpn --reset &lt;token&gt;"))
    }

    static let attacks = [
        "<script>alert(1)</script>",
        "Hello <script src=https://evil.example/x.js></script>",
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=\"javascript:alert('XSS')\">",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](jav&#x61;script:alert(1))",
        "[click](javascript&colon;alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
        "[x](https://ok.example\"onmouseover=\"alert(1))",
        "<a href=\"https://ok.example\" onclick=\"alert(1)\">x</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<svg/onload=alert(1)>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<p onmouseover='alert(1)'>hover</p>",
        "<<script>script>alert(1)<</script>/script>",
        "<!-- <script>alert(1)</script> -->",
        "`code` <style>body{display:none}</style>",
        "</p></blockquote></body><script>alert(1)</script>",
        "<a href=vbscript:msgbox(1)>x</a>",
        "<form action=https://evil.example><input name=password></form>",
        "<object data=x></object><embed src=x>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        // A prepended mark (U+0600) or a combining one makes one Swift character with the `<`,
        // `>` or quote beside it; browsers read scalars (found by the fuzzer).
        "\u{600}<script>alert(1)</script>",
        "x \u{600}<img src=x onerror=alert(1)>",
        "<a href=\"https://ok.example\"\u{301} onclick=\"alert(1)\">x</a>",
        "<a href=\"\u{483}https://ok.example\">x</a>\u{600}<iframe src=https://evil.example>",
        "[x](\u{600}javascript:alert(1))",
    ]

    /// Every live tag of the output, as its name and attributes.
    static func tags(_ html: String) -> [(name: String, attributes: [(String, String)])] {
        let tag = try! Regex(#"<(/?)([a-zA-Z0-9]+)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*/?>"#).matchingSemantics(.unicodeScalar)
        let attribute = try! Regex(#"([^\s=>]+)(?:="([^"]*)")?"#).matchingSemantics(.unicodeScalar)
        return html.matches(of: tag).map { match in
            let name = String(match.output[2].substring ?? "")
            let rest = String(match.output[3].substring ?? "")
            let attributes = rest.matches(of: attribute).map { (String($0.output[1].substring ?? ""), String($0.output[2].substring ?? "")) }
            return (name.lowercased(), attributes)
        }
    }

    @Test(arguments: attacks)
    func nothingRunnableGetsThrough(markdown: String) {
        let html = SafeMarkdown.html(markdown)
        // Every `<` left in the page starts a tag of the short list.
        #expect(html.unicodeScalars.filter { $0 == "<" }.count == Self.tags(html).count, "a stray < in \(html)")
        for tag in Self.tags(html) {
            #expect(HTMLSanitizer.allowed[tag.name] != nil, "<\(tag.name)> in \(html)")
            for (name, value) in tag.attributes {
                #expect(HTMLSanitizer.allowed[tag.name]?.contains(name) == true, "\(name) on <\(tag.name)> in \(html)")
                if name == "href" || name == "src" {
                    let scheme = value.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
                    #expect(!value.contains(":") || ["http", "https", "mailto"].contains(scheme), "\(value) in \(html)")
                }
            }
        }
        // Whatever was refused is still shown as text.
        if markdown.contains("<script>") { #expect(Array(html.utf8).firstRange(of: Array("&lt;script&gt;".utf8)) != nil, "\(html)") }
    }

    @Test func everyOpenedTagIsClosedAndStrayClosingTagsDoNothing() {
        let html = HTMLSanitizer.clean("<blockquote><p>quoted</blockquote></div></p><em>open")
        #expect(html == "<blockquote><p>quoted</p></blockquote>&lt;/div&gt;<em>open</em>")
    }
}

extension SafeMarkdownTests {
    /// Inputs that made the Markdown library run without end (found by the fuzzer) render.
    @Test(arguments: ["<p", "x<p", "# <p\n", "a | b\n|---|\n|   t<po\n", "<pre", "text <P and more", "<p>\n<p"])
    func anUnclosedParagraphTagRendersAsText(markdown: String) {
        let html = SafeMarkdown.html(markdown)
        #expect(html.contains("&lt;"), "\(html)")
    }

    /// Brackets open at once cost Ink time doubling with each: past three, they are text.
    @Test func manyOpenBracketsRenderAsTextQuickly() {
        let started = ContinuousClock.now
        let html = SafeMarkdown.html("| a | b" + String(repeating: "[", count: 40) + " | # T\n\n" + String(repeating: "![a", count: 40))
        #expect(ContinuousClock.now - started < .seconds(20), "it finishes")
        #expect(html.contains("[[[") && html.contains("&#91;"), "\(html.prefix(200))")
        // Links, images in links and brackets three deep are as they were.
        #expect(
            SafeMarkdown.html("[![logo](/logo.png)](https://example.com)").contains(
                #"<a href="https://example.com"><img src="/logo.png" alt="logo"></a>"#))
        #expect(SafeMarkdown.html("```\n[[[1]]]\n```").contains("[[[1]]]"))
        #expect(SafeMarkdown.html("Use `[[[x]]]` here").contains("[[[x]]]"))
    }

    /// A list line holding only spaces or tabs at the very end made Ink read past the text (a
    /// trap, found by the fuzzer: the first argument is its input, kept in `Fuzz/Findings`).
    @Test(arguments: [
        "| a \n|[-]|:-:uote\n\n1. =\u{0}\u{0}:onc\n``:text```\nco| a de\n``| b |-|\n--`\u{0}|:-:|\n|\n ",
        "1. a\n ", "- a\n  ", "* a\n\t", "1. a\n   b\n  ", "- a\n\u{A0}",
    ])
    func aListEndingInSpacesRenders(markdown: String) {
        let html = SafeMarkdown.html(markdown)
        #expect(html.contains("<li>"), "\(html)")
    }
}

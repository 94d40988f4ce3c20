import Foundation
import Testing

/// Every page the code renders has its template, and every template is rendered by some page.
@Suite struct WebTemplateTests {
    static let server = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/RelaisServer")

    @Test func everyRenderedPageHasItsTemplateAndNoneIsLeftOver() throws {
        let web = Self.server.appendingPathComponent("Web")
        var named: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: web.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: web.appendingPathComponent(file), encoding: .utf8)
            named.formUnion(text.matches(of: #/"pages/([a-z0-9-]+)"/#).map { String($0.output.1) })
        }
        let folder = Self.server.appendingPathComponent("Resources/web/pages")
        let templates = Set(
            try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }
                .map { String($0.dropLast(".mustache".count)) })
        #expect(named.count >= 15, "the pages were found: \(named.sorted())")
        #expect(named.subtracting(templates).isEmpty, "rendered without a template: \(named.subtracting(templates).sorted())")
        // Partials (names starting with `_`) are included by other templates.
        let unused = templates.subtracting(named).filter { !$0.hasPrefix("_") }
        #expect(unused.isEmpty, "templates no page renders: \(unused.sorted())")
    }
}

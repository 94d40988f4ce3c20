import Foundation
import RelaisProcess
import Testing

/// Graphviz runs as a subprocess whose input, drawing and complaints travel at once.
@Suite(.enabled(if: Graphviz.executable != nil, "Graphviz's dot is not installed (CI installs it)"))
struct GraphvizTests {
    @Test func aGraphIsDrawnAndABrokenOneIsRefusedWithDotsWords() async throws {
        let svg = try await Graphviz.svg("digraph { a -> b }")
        #expect(svg.contains("<svg") && svg.contains(">a</text>"))
        await #expect {
            try await Graphviz.svg("digraph { a -> }")
        } throws: { error in
            guard case let .failed(_, message) = error as? Graphviz.Failure else { return false }
            return message.contains("syntax error")
        }
    }

    /// A graph whose drawing is large (8,000 nodes, several megabytes of SVG) comes back whole:
    /// no pipe is left full while another is waited on.
    @Test func aLargeDrawingComesBackWhole() async throws {
        let nodes = (0..<8_000).map { "n\($0) -> n\($0 + 1);" }.joined(separator: " ")
        let svg = try await Graphviz.svg("digraph { rankdir=LR; \(nodes) }", seconds: 600)
        #expect(svg.utf8.count > 1 << 20)
        #expect(svg.hasSuffix("</svg>\n"))
    }
}

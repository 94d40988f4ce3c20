import Foundation
import RelaisCore

/// The few Markdown blocks Relais writes in issues (headings, paragraphs, bullet lists, pipe
/// tables, a rule), read back into parts so that trackers that do not take Markdown get the same
/// structure in their own format: Atlassian Document Format for Jira, HTML for Azure DevOps.
enum MarkdownBlock: Equatable {
    case heading(level: Int, text: String)
    case paragraph(lines: [String])
    case list(items: [String])
    case table(header: [String], rows: [[String]])
    case rule

    static func blocks(of markdown: String) -> [MarkdownBlock] {
        var blocks: [MarkdownBlock] = []
        for chunk in markdown.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n") {
            var lines = chunk.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            while let first = lines.first {
                if first == "---" {
                    blocks.append(.rule)
                    lines.removeFirst()
                } else if let level = headingLevel(first) {
                    blocks.append(.heading(level: level, text: String(first.dropFirst(level + 1))))
                    lines.removeFirst()
                } else if lines.allSatisfy({ $0.hasPrefix("- ") }) {
                    blocks.append(.list(items: lines.map { String($0.dropFirst(2)) }))
                    lines = []
                } else if lines.count >= 2, lines.allSatisfy({ $0.hasPrefix("|") }) {
                    let cells = lines.map(cells(of:))
                    blocks.append(
                        .table(header: cells[0], rows: cells.dropFirst().filter { !$0.allSatisfy { $0.allSatisfy { "-: ".contains($0) } } }))
                    lines = []
                } else {
                    blocks.append(.paragraph(lines: lines))
                    lines = []
                }
            }
        }
        return blocks
    }

    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        return (1...6).contains(hashes) && line.dropFirst(hashes).hasPrefix(" ") ? hashes : nil
    }

    /// `| a | b \| c |` gives `a` and `b | c`.
    static func cells(of line: String) -> [String] {
        var cells: [String] = [], current = "", escaped = false
        for character in line.trimmingCharacters(in: .whitespaces).dropFirst() {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if character == "\\" {
                escaped = true
                continue
            }
            if character == "|" {
                cells.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            }
            current.append(character)
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { cells.append(current.trimmingCharacters(in: .whitespaces)) }
        return cells
    }
}

extension DocumentFormat {
    /// An Atlassian Document Format document (version 1) with the blocks of `markdown`.
    public static func document(fromMarkdown markdown: String) -> [String: Any] {
        func text(_ value: String) -> [[String: Any]] { value.isEmpty ? [] : [["type": "text", "text": value]] }
        func paragraph(_ value: String) -> [String: Any] { ["type": "paragraph", "content": text(value)] }
        let content: [[String: Any]] = MarkdownBlock.blocks(of: markdown).map { block in
            switch block {
            case let .heading(level, value):
                return ["type": "heading", "attrs": ["level": level], "content": text(value)]
            case let .paragraph(lines):
                var parts: [[String: Any]] = []
                for (index, line) in lines.enumerated() {
                    if index > 0 { parts.append(["type": "hardBreak"]) }
                    parts += text(line)
                }
                return ["type": "paragraph", "content": parts]
            case let .list(items):
                return ["type": "bulletList", "content": items.map { ["type": "listItem", "content": [paragraph($0)]] }]
            case let .table(header, rows):
                func row(_ cells: [String], kind: String) -> [String: Any] {
                    ["type": "tableRow", "content": cells.map { ["type": kind, "content": [paragraph($0)]] }]
                }
                return ["type": "table", "content": [row(header, kind: "tableHeader")] + rows.map { row($0, kind: "tableCell") }]
            case .rule:
                return ["type": "rule"]
            }
        }
        return ["type": "doc", "version": 1, "content": content]
    }
}

/// HTML for trackers whose rich text fields take it (Azure DevOps), every text escaped.
enum HTMLBlocks {
    static func html(fromMarkdown markdown: String) -> String {
        MarkdownBlock.blocks(of: markdown).map { block in
            switch block {
            case let .heading(level, text): "<h\(level)>\(escape(text))</h\(level)>"
            case let .paragraph(lines): "<p>" + lines.map(escape).joined(separator: "<br>") + "</p>"
            case let .list(items): "<ul>" + items.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
            case let .table(header, rows): table(header, rows)
            case .rule: "<hr>"
            }
        }.joined(separator: "\n")
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var html = "<table><tr>"
        for cell in header { html += "<th>" + escape(cell) + "</th>" }
        html += "</tr>"
        for row in rows {
            html += "<tr>"
            for cell in row { html += "<td>" + escape(cell) + "</td>" }
            html += "</tr>"
        }
        return html + "</table>"
    }

    static func escape(_ text: String) -> String { Markup.escape(text) }
}

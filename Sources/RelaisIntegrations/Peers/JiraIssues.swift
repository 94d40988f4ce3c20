import Foundation
import RelaisCore

/// Issues of Jira's REST API v3 (`GET /rest/api/3/search?expand=changelog`, or a list of issues):
/// `key`, `fields` (summary, description in Atlassian Document Format, status with its category,
/// issue type, priority, created, updated) and `changelog.histories`, whose status items become
/// the ticket's history at Jira's times.
public enum JiraIssues: PeerTool {
    public static let source = "jira"
    /// Local fields the mappings translate and the coverage report lists.
    public static let referentialFields = ["issuetype", "status", "statusCategory", "priority", "project", "labels"]

    public static func read(_ data: Data) throws -> [PeerInput] {
        try PeerJSON.records(data, under: "issues", noun: "issue", tool: "Jira", read: record)
    }

    static func record(_ issue: [String: Any]) -> Result<PeerRecord, PeerRecordProblem.Reason> {
        guard let key = issue["key"] as? String, !key.isEmpty else { return .failure(.init("no key")) }
        guard let fields = issue["fields"] as? [String: Any] else { return .failure(.init("no fields")) }
        func name(_ field: String) -> String? { (fields[field] as? [String: Any])?["name"] as? String }
        guard let created = fields["created"] as? String else { return .failure(.init("fields.created: missing")) }
        guard let createdAt = ColumnMapping.time(created) else { return .failure(.init("fields.created: '\(created)' is not a time")) }
        var updatedAt = createdAt
        if let updated = fields["updated"] as? String {
            guard let time = ColumnMapping.time(updated) else { return .failure(.init("fields.updated: '\(updated)' is not a time")) }
            updatedAt = max(time, createdAt)
        }
        var values: [String: String] = [:]
        values["issuetype"] = name("issuetype")
        values["status"] = name("status")
        values["statusCategory"] = ((fields["status"] as? [String: Any])?["statusCategory"] as? [String: Any])?["key"] as? String
        values["priority"] = name("priority")
        values["project"] = (fields["project"] as? [String: Any])?["key"] as? String
        if let labels = fields["labels"] as? [String], !labels.isEmpty { values["labels"] = labels.sorted().joined(separator: ",") }
        var history: [PeerRecord.Change] = []
        let histories = ((issue["changelog"] as? [String: Any])?["histories"] as? [[String: Any]]) ?? []
        for entry in histories {
            guard let stamp = entry["created"] as? String else { continue }
            guard let at = ColumnMapping.time(stamp) else { return .failure(.init("changelog: '\(stamp)' is not a time")) }
            let actor = ((entry["author"] as? [String: Any])?["displayName"] as? String) ?? source
            for item in (entry["items"] as? [[String: Any]]) ?? [] where (item["field"] as? String) == "status" {
                history.append(
                    PeerRecord.Change(at: at, actor: actor, field: "status", from: item["fromString"] as? String, to: item["toString"] as? String))
            }
        }
        let description: String = if let text = fields["description"] as? String { text } else { DocumentFormat.text(fields["description"]) }
        return .success(
            PeerRecord(
                source: source, externalID: key, title: (fields["summary"] as? String) ?? key, description: description,
                values: values, createdAt: createdAt, updatedAt: updatedAt, history: history))
    }
}

/// Atlassian Document Format (the JSON tree of Jira's rich text) turned into plain text: text
/// nodes joined, paragraphs and headings on their own lines, list items as `- `, code as is,
/// mentions by name, hard breaks kept.
public enum DocumentFormat {
    public static func text(_ node: Any?) -> String {
        var lines: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty || !(lines.last?.isEmpty ?? true) { lines.append(current) }
            current = ""
        }
        func walk(_ node: Any?, prefix: String) {
            guard let node = node as? [String: Any] else { return }
            let type = node["type"] as? String ?? ""
            let children = node["content"] as? [Any] ?? []
            switch type {
            case "text": current += node["text"] as? String ?? ""
            case "hardBreak": flush()
            case "mention", "emoji": current += ((node["attrs"] as? [String: Any])?["text"] as? String) ?? ""
            case "paragraph", "heading", "codeBlock":
                if current.isEmpty { current = prefix }
                for child in children { walk(child, prefix: prefix) }
                flush()
            case "listItem":
                for (index, child) in children.enumerated() { walk(child, prefix: index == 0 ? prefix + "- " : prefix + "  ") }
            case "bulletList", "orderedList", "blockquote", "doc", "table", "tableRow", "tableCell", "tableHeader", "panel":
                for child in children { walk(child, prefix: type == "blockquote" ? prefix + "> " : prefix) }
            default:
                for child in children { walk(child, prefix: prefix) }
            }
        }
        walk(node, prefix: "")
        flush()
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

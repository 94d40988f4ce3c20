import Foundation
import RelaisCore

/// Incident records of ServiceNow's Table API (`GET /api/now/table/incident`): a JSON object whose
/// `result` holds the records, each field a string, or for reference fields an object with
/// `value` (a sys_id) and, when asked for (`sysparm_display_value=all`), `display_value`.
/// Times are `yyyy-MM-dd HH:mm:ss` in UTC.
public enum ServiceNowRecords: PeerTool {
    public static let source = "servicenow"
    /// The local fields the map's mappings translate, and the coverage report lists; `table` is
    /// the table read (`incident`), for mappings that give the family.
    public static let referentialFields = [
        "table", "state", "impact", "urgency", "priority", "category", "subcategory", "assignment_group", "contact_type",
    ]

    /// Every record of `data`, read or refused with its position.
    public static func read(_ data: Data) throws -> [PeerInput] {
        try PeerJSON.records(data, under: "result", noun: "record", tool: "incident", read: record)
    }

    static func record(_ fields: [String: Any]) -> Result<PeerRecord, PeerRecordProblem.Reason> {
        func refuse(_ reason: String) -> Result<PeerRecord, PeerRecordProblem.Reason> { .failure(.init(reason)) }
        func text(_ name: String) -> String? {
            let value: String? =
                if let string = fields[name] as? String {
                    string
                } else if let reference = fields[name] as? [String: Any] {
                    (reference["display_value"] as? String) ?? (reference["value"] as? String)
                } else {
                    nil
                }
            return value.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let id = text("sys_id") else { return refuse("no sys_id") }
        guard let opened = text("opened_at") ?? text("sys_created_on") else { return refuse("no opened_at") }
        guard let createdAt = ColumnMapping.time(opened) else { return refuse("opened_at: '\(opened)' is not a time (yyyy-MM-dd HH:mm:ss)") }
        var updatedAt = createdAt
        if let updated = text("sys_updated_on") {
            guard let time = ColumnMapping.time(updated) else { return refuse("sys_updated_on: '\(updated)' is not a time (yyyy-MM-dd HH:mm:ss)") }
            updatedAt = time
        }
        var values: [String: String] = ["table": "incident"]
        for field in referentialFields where field != "table" { values[field] = text(field) }
        let actor = text("sys_updated_by") ?? source
        var history: [PeerRecord.Change] = []
        for (field, state) in [("resolved_at", "6"), ("closed_at", "7")] {
            guard let stamp = text(field) else { continue }
            guard let at = ColumnMapping.time(stamp) else { return refuse("\(field): '\(stamp)' is not a time (yyyy-MM-dd HH:mm:ss)") }
            history.append(PeerRecord.Change(at: at, actor: actor, field: "state", to: state))
        }
        let number = text("number")
        return .success(
            PeerRecord(
                source: source, externalID: id, title: text("short_description") ?? number ?? id,
                description: text("description") ?? "", values: values, createdAt: createdAt,
                updatedAt: max(updatedAt, createdAt), history: history))
    }

}

import Foundation
import RelaisCore
import SQLKit

extension CMDBService {
    public enum ImportKind: String, Sendable, CaseIterable { case items, relations }

    /// Imports an inventory export. Items are upserted by `external_id` (other columns than the
    /// item's fields become attributes); relations name their ends by `source` and `target`
    /// external ids (or `source_id`/`target_id`) and a `type` the map declares. A row that fails is
    /// reported with its line and skipped; the others are applied, 500 to a transaction.
    public func importRows(_ rows: [ImportRow], kind: ImportKind, by principal: Principal) async throws -> ImportReport {
        try requireStaff(principal, writing: true)
        return try await CRMImporter.inBatches(rows, database: repository.database, now: now) { row, time, db in
            kind == .items
                ? try await importItem(row, organizationID: principal.organizationID, at: time, on: db)
                : try await importRelation(row, organizationID: principal.organizationID, at: time, on: db)
        }
    }

    /// True when the item was created.
    func importItem(_ row: ImportRow, organizationID: UUID, at time: Date, on db: any SQLDatabase) async throws -> Bool {
        guard let external = row.values["external_id"]?.trimmingCharacters(in: .whitespaces), !external.isEmpty else {
            throw StoreError.invalidValue(field: "external_id", reason: "an imported item needs the inventory's id")
        }
        if var item = try await CMDBRepository.item(organizationID: organizationID, where: "external_id", is: external, on: db) {
            var values = row.values
            // A column left empty in an export says nothing about the type or name.
            for field in ["type", "name"] where values[field]?.isEmpty ?? false { values[field] = nil }
            let before = item
            try await apply(values, to: &item, organizationID: organizationID, on: db)
            if item != before {
                item.updatedAt = time
                try await CMDBRepository.update(item, organizationID: organizationID, on: db)
            }
            return false
        }
        var item = ConfigItem(id: UUID.timeOrdered(at: time), type: "", name: "", createdAt: time)
        try await apply(row.values, to: &item, organizationID: organizationID, on: db)
        try await CMDBRepository.insert(item, organizationID: organizationID, on: db)
        return true
    }

    /// True when the relation was new.
    func importRelation(_ row: ImportRow, organizationID: UUID, at time: Date, on db: any SQLDatabase) async throws -> Bool {
        func end(_ name: String) async throws -> (UUID, String) {
            if let text = row.values["\(name)_id"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
                guard let id = UUID(uuidString: text) else { throw StoreError.invalidValue(field: "\(name)_id", reason: "'\(text)' is not a UUID") }
                return (id, "\(name)_id")
            }
            guard let external = row.values[name]?.trimmingCharacters(in: .whitespaces), !external.isEmpty else {
                throw StoreError.invalidValue(field: name, reason: "name the \(name) item by its external id")
            }
            guard let item = try await CMDBRepository.item(organizationID: organizationID, where: "external_id", is: external, on: db) else {
                throw StoreError.invalidValue(field: name, reason: "no configuration item with external id '\(external)'")
            }
            return (item.id, name)
        }
        let (source, sourceField) = try await end("source")
        let (target, targetField) = try await end("target")
        let type = row.values["type"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let relation = ConfigRelation(id: UUID.timeOrdered(at: time), sourceID: source, type: type, targetID: target, createdAt: time)
        try await checkRelation(relation, organizationID: organizationID, on: db, fields: (sourceField, targetField))
        return try await CMDBRepository.insert(relation, organizationID: organizationID, on: db)
    }
}

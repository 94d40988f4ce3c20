import Crypto
import Foundation
import RelaisCore
import SQLKit

/// How a `CRMRecord` maps onto a row of `crm_records`.
enum CRMRecordRow {
    static let columns = [
        "id", "organization_id", "kind", "account_id", "external_id", "name", "number", "product", "stage", "status",
        "sla_level", "serial_number", "amount_cents", "currency", "quantity", "start_date", "end_date", "renewal_date",
        "close_date", "due_date", "created_at", "updated_at",
    ]

    static func select(on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().columns(columns.map { SQLColumn($0) }).from("crm_records")
    }

    static func row(_ record: CRMRecord, organizationID: UUID) -> RowInsert.Row {
        [
            record.id.text, organizationID.text, record.kind.rawValue, record.accountID?.text, record.externalID,
            record.name, record.number, record.product, record.stage, record.status, record.slaLevel, record.serialNumber,
            record.amountCents, record.currency, record.quantity, record.startDate?.description, record.endDate?.description,
            record.renewalDate?.description, record.closeDate?.description, record.dueDate?.description,
            Millis.from(record.createdAt), Millis.from(record.updatedAt),
        ]
    }

    static func decode(_ row: any SQLRow) throws -> CRMRecord {
        func text(_ column: String) throws -> String? { try row.decode(column: column, as: String?.self) }
        func date(_ column: String) throws -> CivilDate? { try text(column).flatMap { CivilDate(iso: $0) } }
        let kindText = try row.decode(column: "kind", as: String.self)
        guard let kind = CRMObjectKind(rawValue: kindText) else {
            throw StoreError.invalidValue(field: "kind", reason: "'\(kindText)' is not a CRM object kind")
        }
        var record = CRMRecord(
            id: try row.uuid("id"), kind: kind, accountID: try row.optionalUUID("account_id"),
            externalID: try text("external_id"), createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)))
        record.name = try text("name")
        record.number = try text("number")
        record.product = try text("product")
        record.stage = try text("stage")
        record.status = try text("status")
        record.slaLevel = try text("sla_level")
        record.serialNumber = try text("serial_number")
        record.amountCents = try row.decode(column: "amount_cents", as: Int?.self)
        record.currency = try text("currency")
        record.quantity = try row.decode(column: "quantity", as: Int?.self)
        record.startDate = try date("start_date")
        record.endDate = try date("end_date")
        record.renewalDate = try date("renewal_date")
        record.closeDate = try date("close_date")
        record.dueDate = try date("due_date")
        record.updatedAt = Millis.date(try row.decode(column: "updated_at", as: Int.self))
        return record
    }
}

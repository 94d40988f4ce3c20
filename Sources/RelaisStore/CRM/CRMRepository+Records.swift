import Crypto
import Foundation
import RelaisCore
import SQLKit

/// Opportunities, contracts, invoices, subscriptions and assets: the records tied to accounts.
extension CRMRepository {
    // MARK: Opportunities, contracts, invoices, subscriptions, assets

    /// Stores a new record after checking it and the account it names.
    public func insert(_ record: CRMRecord, organizationID: UUID) async throws {
        try record.validate()
        try await database.transaction { db in
            try await Self.checkAccount(record.accountID, organizationID: organizationID, on: db)
            try await Self.insert(record, organizationID: organizationID, on: db)
        }
    }

    static func insert(_ record: CRMRecord, organizationID: UUID, on db: any SQLDatabase) async throws {
        try await checkExternalID(record.externalID, of: record.id, in: "crm_records", kind: record.kind, organizationID: organizationID, on: db)
        try await db.insert(into: "crm_records").columns(CRMRecordRow.columns)
            .values(CRMRecordRow.row(record, organizationID: organizationID).map { SQLBind($0) }).run()
    }

    /// Saves an existing record's fields.
    public func update(_ record: CRMRecord, organizationID: UUID) async throws {
        try record.validate()
        try await database.transaction { db in
            try await Self.checkAccount(record.accountID, organizationID: organizationID, on: db)
            try await Self.update(record, organizationID: organizationID, on: db)
        }
    }

    static func update(_ record: CRMRecord, organizationID: UUID, on db: any SQLDatabase) async throws {
        try await checkExternalID(record.externalID, of: record.id, in: "crm_records", kind: record.kind, organizationID: organizationID, on: db)
        var update = db.update("crm_records")
        for (column, value) in zip(CRMRecordRow.columns, CRMRecordRow.row(record, organizationID: organizationID))
        where !["id", "organization_id", "kind", "created_at"].contains(column) {
            update = update.set(column, to: value)
        }
        try await update.where("organization_id", .equal, organizationID.text).where("id", .equal, record.id.text).run()
    }

    /// Deletes a record no ticket links to; one that is linked is kept, with the count of tickets.
    public func delete(kind: CRMObjectKind, id: UUID, organizationID: UUID) async throws {
        try await database.transaction { db in
            guard try await Self.record(organizationID: organizationID, kind: kind, where: "id", is: id.text, on: db) != nil else {
                throw StoreError.notFound(what: kind.rawValue, id: id.text)
            }
            let linked =
                try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "linked").from("ticket_links")
                .where("organization_id", .equal, organizationID.text).where("kind", .equal, kind.rawValue)
                .where("object_id", .equal, id.text).first(decodingColumn: "linked", as: Int.self) ?? 0
            if linked > 0 {
                throw StoreError.inUse(what: "\(kind.rawValue) '\(id.text)'", reason: "\(linked) ticket(s) link to it; unlink them first")
            }
            try await db.delete(from: "crm_records").where("organization_id", .equal, organizationID.text).where("id", .equal, id.text).run()
        }
    }

    public func record(organizationID: UUID, kind: CRMObjectKind, id: UUID) async throws -> CRMRecord? {
        try await database.read { db in try await Self.record(organizationID: organizationID, kind: kind, where: "id", is: id.text, on: db) }
    }

    public func record(organizationID: UUID, kind: CRMObjectKind, externalID: String) async throws -> CRMRecord? {
        try await database.read { db in
            try await Self.record(organizationID: organizationID, kind: kind, where: "external_id", is: externalID, on: db)
        }
    }

    static func record(
        organizationID: UUID, kind: CRMObjectKind, where column: String, is value: String, on db: any SQLDatabase
    ) async throws -> CRMRecord? {
        try await CRMRecordRow.select(on: db).where("organization_id", .equal, organizationID.text).where("kind", .equal, kind.rawValue)
            .where(SQLColumn(column), .equal, SQLBind(value)).first().map(CRMRecordRow.decode)
    }

    /// Records of one kind, oldest first, optionally of one account.
    /// A page of the records of `kind` whose account `scope` reaches (by entity), and those of no account.
    public func records(
        organizationID: UUID, kind: CRMObjectKind, accountID: UUID?, scope: AccessScope = .everything,
        limit: Int, after cursor: PageCursor?
    ) async throws -> Page<CRMRecord> {
        let rows = try await database.read { db in
            var select = CRMRecordRow.select(on: db).where("organization_id", .equal, organizationID.text).where("kind", .equal, kind.rawValue)
            if let accountID { select = select.where("account_id", .equal, accountID.text) }
            if scope.entities != nil { select = select.where(AccessFilter.accountCondition(scope)) }
            if let cursor {
                select = select.where(
                    SQLQueryString("(created_at > \(bind: cursor.value) OR (created_at = \(bind: cursor.value) AND id > \(bind: cursor.id)))"))
            }
            return try await select.orderBy("created_at").orderBy("id").limit(limit + 1).all()
        }
        return Page(fetched: try rows.map(CRMRecordRow.decode), limit: limit) { PageCursor(value: Millis.from($0.createdAt), id: $0.id.text) }
    }

    /// Every record of an account, for its overview and for signals.
    public func records(organizationID: UUID, accountID: UUID) async throws -> [CRMRecord] {
        try await database.read { db in
            try await CRMRecordRow.select(on: db).where("organization_id", .equal, organizationID.text)
                .where("account_id", .equal, accountID.text).orderBy("created_at").all()
        }.map(CRMRecordRow.decode)
    }

    /// Refuses an external id that another row of `table` (of `kind`, for records) already holds.
    static func checkExternalID(
        _ externalID: String?, of id: UUID, in table: String, kind: CRMObjectKind? = nil,
        organizationID: UUID, on db: any SQLDatabase
    ) async throws {
        guard let externalID else { return }
        var select = db.select().column("id").from(table).where("organization_id", .equal, organizationID.text).where(
            "external_id", .equal, externalID)
        if let kind { select = select.where("kind", .equal, kind.rawValue) }
        if let holder = try await select.first(decodingColumn: "id", as: String.self), holder != id.text {
            throw StoreError.duplicate(field: "external_id", value: externalID)
        }
    }

    static func checkAccount(_ accountID: UUID?, organizationID: UUID, on db: any SQLDatabase) async throws {
        guard let accountID else { return }
        guard try await account(organizationID: organizationID, where: "id", is: accountID.text, on: db) != nil else {
            throw StoreError.invalidValue(field: "account_id", reason: "no account '\(accountID.text)'")
        }
    }

    func page(
        table: String, columns: [String], organizationID: UUID, condition: SQLQueryString? = nil,
        limit: Int, after cursor: PageCursor?
    ) async throws -> [any SQLRow] {
        try await database.read { db in
            var select = db.select().columns(columns.map { SQLColumn($0) }).from(table).where("organization_id", .equal, organizationID.text)
            if let condition { select = select.where(condition) }
            if let cursor {
                select = select.where(
                    SQLQueryString("(created_at > \(bind: cursor.value) OR (created_at = \(bind: cursor.value) AND id > \(bind: cursor.id)))"))
            }
            return try await select.orderBy("created_at").orderBy("id").limit(limit + 1).all()
        }
    }

    static func accountValues(_ account: Account, organizationID: UUID) -> [any SQLExpression] {
        let values: [any Encodable & Sendable] = [
            organizationID.text, Millis.from(account.createdAt), account.id.text, account.name, account.externalID,
            account.domain, account.tier, account.segment, account.region, account.owner, account.annualRevenue,
            account.currency, account.entity, Millis.from(account.createdAt),
        ]
        return values.map { SQLBind($0) }
    }

    static func decodeAccount(_ row: any SQLRow) throws -> Account {
        Account(
            id: try row.uuid("id"),
            name: try row.decode(column: "name", as: String.self), externalID: try row.decode(column: "external_id", as: String?.self),
            domain: try row.decode(column: "domain", as: String?.self), tier: try row.decode(column: "tier", as: String?.self),
            segment: try row.decode(column: "segment", as: String?.self), region: try row.decode(column: "region", as: String?.self),
            owner: try row.decode(column: "owner", as: String?.self), annualRevenue: try row.decode(column: "annual_revenue", as: Int?.self),
            currency: try row.decode(column: "currency", as: String?.self), entity: try row.decode(column: "entity", as: String?.self),
            createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)))
    }

    static func decodeContact(_ row: any SQLRow) throws -> Contact {
        Contact(
            id: try row.uuid("id"),
            accountID: try row.optionalUUID("account_id"),
            name: try row.decode(column: "name", as: String.self), email: try row.decode(column: "email", as: String?.self),
            externalID: try row.decode(column: "external_id", as: String?.self),
            createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)))
    }
}

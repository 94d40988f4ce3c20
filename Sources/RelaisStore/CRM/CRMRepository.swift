import Crypto
import Foundation
import RelaisCore
import SQLKit

/// A customer organisation in the CRM.
public struct Account: Sendable, Equatable {
    public var id: UUID
    public var name: String
    /// The CRM's own id for it, to mirror an existing CRM.
    public var externalID: String?
    /// E-mail domain of its people, used to match contacts.
    public var domain: String?
    /// standard, key, strategic ...; routing rules read it as `account.tier`.
    public var tier: String?
    public var segment: String?
    public var region: String?
    /// Who owns the relationship (an account manager's name).
    public var owner: String?
    /// Yearly revenue in whole units of `currency`.
    public var annualRevenue: Int?
    public var currency: String?
    /// The legal entity of the organisation the account is a customer of; nil when the map
    /// declares none. Tickets linked to the account belong to it unless they name another.
    public var entity: String?
    public var createdAt: Date

    public init(
        id: UUID, name: String, externalID: String? = nil, domain: String? = nil, tier: String? = nil, segment: String? = nil,
        region: String? = nil, owner: String? = nil, annualRevenue: Int? = nil, currency: String? = nil, entity: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.entity = entity
        self.name = name
        self.externalID = externalID
        self.domain = domain
        self.tier = tier
        self.segment = segment
        self.region = region
        self.owner = owner
        self.annualRevenue = annualRevenue
        self.currency = currency
        self.createdAt = createdAt
    }

    /// Refuses what an account cannot hold: an empty name, a negative revenue, a currency that is
    /// not an ISO 4217 code.
    public func validate() throws {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw StoreError.invalidValue(field: "name", reason: "must not be empty")
        }
        if let annualRevenue, annualRevenue < 0 {
            throw StoreError.invalidValue(field: "annual_revenue", reason: "must not be negative")
        }
        if let currency { try Money.checkCurrency(currency) }
    }

    /// The attributes routing rules read, as `account.tier`.
    public var routingContext: [String: String] {
        var context: [String: String] = ["account.id": id.text, "account.name": name]
        context["account.tier"] = tier
        context["account.segment"] = segment
        context["account.domain"] = domain
        context["account.region"] = region
        context["account.owner"] = owner
        context["account.annual_revenue"] = annualRevenue.map(String.init)
        context["account.entity"] = entity
        return context
    }
}

/// A person at a customer.
public struct Contact: Sendable, Equatable {
    public var id: UUID
    public var accountID: UUID?
    public var name: String
    public var email: String?
    public var externalID: String?
    public var createdAt: Date

    public init(id: UUID, accountID: UUID?, name: String, email: String? = nil, externalID: String? = nil, createdAt: Date) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.email = email
        self.externalID = externalID
        self.createdAt = createdAt
    }
}

/// The CRM objects tickets link to: accounts, contacts and the records of `crm_records`.
public struct CRMRepository: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    static let accountColumns = [
        "id", "name", "external_id", "domain", "tier", "segment", "region", "owner", "annual_revenue", "currency", "entity", "created_at",
    ]
    static let contactColumns = ["id", "account_id", "name", "email", "external_id", "created_at"]

    // MARK: Accounts

    public func insert(_ account: Account, organizationID: UUID) async throws {
        try account.validate()
        try await database.transaction { db in try await Self.insert(account, organizationID: organizationID, on: db) }
    }

    static func insert(_ account: Account, organizationID: UUID, on db: any SQLDatabase) async throws {
        try await checkExternalID(account.externalID, of: account.id, in: "accounts", organizationID: organizationID, on: db)
        try await db.insert(into: "accounts").columns(["organization_id", "updated_at"] + accountColumns)
            .values(accountValues(account, organizationID: organizationID)).run()
    }

    /// Saves an existing account's fields.
    public func update(_ account: Account, organizationID: UUID) async throws {
        try account.validate()
        try await database.transaction { db in try await Self.update(account, organizationID: organizationID, on: db) }
    }

    static func update(_ account: Account, organizationID: UUID, on db: any SQLDatabase) async throws {
        try await checkExternalID(account.externalID, of: account.id, in: "accounts", organizationID: organizationID, on: db)
        let values: [(String, any Encodable & Sendable)] = [
            ("name", account.name), ("external_id", account.externalID), ("domain", account.domain), ("tier", account.tier),
            ("segment", account.segment), ("region", account.region), ("owner", account.owner),
            ("annual_revenue", account.annualRevenue), ("currency", account.currency), ("entity", account.entity), ("updated_at", Millis.now()),
        ]
        var update = db.update("accounts")
        for (column, value) in values { update = update.set(column, to: value) }
        try await update.where("organization_id", .equal, organizationID.text).where("id", .equal, account.id.text).run()
    }

    public func account(organizationID: UUID, id: UUID) async throws -> Account? {
        try await database.read { db in try await Self.account(organizationID: organizationID, where: "id", is: id.text, on: db) }
    }

    public func account(organizationID: UUID, externalID: String) async throws -> Account? {
        try await database.read { db in try await Self.account(organizationID: organizationID, where: "external_id", is: externalID, on: db) }
    }

    static func account(organizationID: UUID, where column: String, is value: String, on db: any SQLDatabase) async throws -> Account? {
        try await db.select().columns(accountColumns.map { SQLColumn($0) }).from("accounts")
            .where("organization_id", .equal, organizationID.text).where(SQLColumn(column), .equal, SQLBind(value)).first()
            .map(decodeAccount)
    }

    /// The names of the accounts among `ids` that exist.
    public func accountNames(organizationID: UUID, ids: [UUID]) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        return try await database.read { db in
            let rows = try await RowsByID.select(["id", "name"], from: "accounts", ids: ids.map(\.text), organizationID: organizationID, on: db)
            return Dictionary(try rows.map { (try $0.uuid("id"), try $0.decode(column: "name", as: String.self)) }) { first, _ in first }
        }
    }

    /// The account that declares the domain of `email`, when exactly one does.
    public func account(organizationID: UUID, forEmail email: String) async throws -> Account? {
        guard let domain = emailDomain(email) else { return nil }
        let matches = try await database.read { db in
            try await db.select().columns(Self.accountColumns.map { SQLColumn($0) }).from("accounts")
                .where("organization_id", .equal, organizationID.text).where("domain", .equal, domain).limit(2).all()
        }
        return matches.count == 1 ? try Self.decodeAccount(matches[0]) : nil
    }

    /// A page of the accounts `scope` reaches (by entity).
    public func accounts(
        organizationID: UUID, scope: AccessScope = .everything, limit: Int, after cursor: PageCursor?
    ) async throws -> Page<Account> {
        let rows = try await page(
            table: "accounts", columns: Self.accountColumns, organizationID: organizationID,
            condition: scope.entities == nil ? nil : AccessFilter.entityCondition(scope), limit: limit, after: cursor)
        return Page(fetched: try rows.map(Self.decodeAccount), limit: limit) { PageCursor(value: Millis.from($0.createdAt), id: $0.id.text) }
    }

    /// Accounts whose name starts with `prefix` (any case), by name; `%` and `_` match themselves.
    public func accounts(organizationID: UUID, named prefix: String, scope: AccessScope = .everything, limit: Int) async throws -> [Account] {
        let escaped = prefix.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        let columns = Self.accountColumns.joined(separator: ", ")
        return try await database.read { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: columns) FROM accounts
                WHERE organization_id = \(bind: organizationID.text) AND LOWER(name) LIKE \(bind: escaped + "%") ESCAPE '\\'
                AND \(AccessFilter.entityCondition(scope))
                ORDER BY name LIMIT \(literal: max(1, min(limit, 50)))
                """
            ).all().map(Self.decodeAccount)
        }
    }

    // MARK: Contacts

    public func insert(_ contact: Contact, organizationID: UUID) async throws {
        try contact.validate()
        try await database.transaction { db in try await Self.insert(contact, organizationID: organizationID, on: db) }
    }

    static func insert(_ contact: Contact, organizationID: UUID, on db: any SQLDatabase) async throws {
        try await checkExternalID(contact.externalID, of: contact.id, in: "contacts", organizationID: organizationID, on: db)
        try await db.insert(into: "contacts")
            .columns("id", "organization_id", "account_id", "name", "email", "external_id", "created_at")
            .values(
                SQLBind(contact.id.text), SQLBind(organizationID.text), SQLBind(contact.accountID?.text), SQLBind(contact.name),
                SQLBind(contact.email), SQLBind(contact.externalID), SQLBind(Millis.from(contact.createdAt))
            )
            .run()
    }

    static func update(_ contact: Contact, organizationID: UUID, on db: any SQLDatabase) async throws {
        try await db.update("contacts").set("account_id", to: contact.accountID?.text).set("name", to: contact.name)
            .set("email", to: contact.email).set("external_id", to: contact.externalID)
            .where("organization_id", .equal, organizationID.text).where("id", .equal, contact.id.text).run()
    }

    public func contact(organizationID: UUID, id: UUID) async throws -> Contact? {
        try await database.read { db in try await Self.contact(organizationID: organizationID, where: "id", is: id.text, on: db) }
    }

    static func contact(organizationID: UUID, where column: String, is value: String, on db: any SQLDatabase) async throws -> Contact? {
        try await db.select().columns(contactColumns.map { SQLColumn($0) }).from("contacts")
            .where("organization_id", .equal, organizationID.text).where(SQLColumn(column), .equal, SQLBind(value)).first()
            .map(decodeContact)
    }

    /// The contact with this address, if there is one.
    public func contact(organizationID: UUID, email: String) async throws -> Contact? {
        let address = email.trimmingCharacters(in: .whitespaces).lowercased()
        return try await database.read { db in try await Self.contact(organizationID: organizationID, where: "email", is: address, on: db) }
    }

    /// The contact with this address, created when there is none yet (for channel intake).
    /// A new contact joins the account that declares its address's domain, if exactly one does.
    public func contact(organizationID: UUID, email: String, name: String?, now: Date) async throws -> Contact {
        let found = try await intakeContact(organizationID: organizationID, email: email, name: name, now: now)
        if found.isNew {
            try await database.transaction { db in try await Self.insertIfAbsent([found.contact], organizationID: organizationID, on: db) }
        }
        return found.contact
    }

    /// The contact for a sender as intake needs it: the stored one (with its account), else a new
    /// one, not yet stored, in the account that declares the address's domain. A new contact's id
    /// is derived from the organisation and the address, so messages from a new sender written at
    /// once (each storing it with `insertIfAbsent`) make one contact.
    public func intakeContact(
        organizationID: UUID, email: String, name: String?, now: Date
    ) async throws -> (contact: Contact, account: Account?, isNew: Bool) {
        let address = email.trimmingCharacters(in: .whitespaces).lowercased()
        if var known = try await database.read({ db in try await Self.contact(organizationID: organizationID, where: "email", is: address, on: db) })
        {
            if let accountID = known.accountID { return (known, try await account(organizationID: organizationID, id: accountID), false) }
            // A contact first seen before any account declared its domain joins the account now.
            guard let account = try await account(organizationID: organizationID, forEmail: address) else { return (known, nil, false) }
            known.accountID = account.id
            let joined = known
            try await database.transaction { db in try await Self.update(joined, organizationID: organizationID, on: db) }
            return (joined, account, false)
        }
        let account = try await account(organizationID: organizationID, forEmail: address)
        let contact = Contact(
            id: Self.intakeContactID(organizationID: organizationID, email: address), accountID: account?.id,
            name: name.flatMap(CRMText.value) ?? address, email: address, createdAt: now)
        return (contact, account, true)
    }

    /// Stores contacts made by `intakeContact`, inside the caller's transaction, but for those a
    /// message written before already stored.
    static func insertIfAbsent(_ contacts: [Contact], organizationID: UUID, on db: any SQLDatabase) async throws {
        var rows: [String: RowInsert.Row] = [:]
        for contact in contacts {
            rows[contact.id.text] = [
                contact.id.text, organizationID.text, contact.accountID?.text, contact.name, contact.email,
                contact.externalID, Millis.from(contact.createdAt),
            ]
        }
        try await RowInsert.run(
            "contacts", columns: ["id", "organization_id", "account_id", "name", "email", "external_id", "created_at"],
            rows: rows.keys.sorted().map { rows[$0]! }, ignoringConflicts: true, on: db)
    }

    static func intakeContactID(organizationID: UUID, email: String) -> UUID {
        var bytes = Array(SHA256.hash(data: Data("\(organizationID.text)|contact|\(email)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: made by the application
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// A page of the contacts whose account `scope` reaches (by entity), and those of no account.
    public func contacts(
        organizationID: UUID, scope: AccessScope = .everything, limit: Int, after cursor: PageCursor?
    ) async throws -> Page<Contact> {
        let rows = try await page(
            table: "contacts", columns: Self.contactColumns, organizationID: organizationID,
            condition: scope.entities == nil ? nil : AccessFilter.accountCondition(scope), limit: limit, after: cursor)
        return Page(fetched: try rows.map(Self.decodeContact), limit: limit) { PageCursor(value: Millis.from($0.createdAt), id: $0.id.text) }
    }

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

    private func page(
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

extension CRMRepository {
    /// Stores records in one transaction, without checks: for generated and already checked data.
    public func insertMany(_ records: [CRMRecord], organizationID: UUID) async throws {
        try await database.transaction { db in
            try await RowInsert.run(
                "crm_records", columns: CRMRecordRow.columns,
                rows: records.map { CRMRecordRow.row($0, organizationID: organizationID) }, on: db)
        }
    }

    /// Stores accounts with their contacts in one transaction.
    public func insertMany(_ accounts: [(Account, [Contact])], organizationID: UUID) async throws {
        try await database.transaction { db in
            for chunk in accounts.indices.chunks(500) {
                var insert = db.insert(into: "accounts").columns(["organization_id", "updated_at"] + Self.accountColumns)
                for index in chunk { insert = insert.values(Self.accountValues(accounts[index].0, organizationID: organizationID)) }
                try await insert.run()
            }
            let contacts = accounts.flatMap(\.1)
            for chunk in contacts.indices.chunks(1_000) {
                var insert = db.insert(into: "contacts").columns("id", "organization_id", "account_id", "name", "email", "external_id", "created_at")
                for index in chunk {
                    let contact = contacts[index]
                    insert = insert.values(
                        SQLBind(contact.id.text), SQLBind(organizationID.text), SQLBind(contact.accountID?.text),
                        SQLBind(contact.name), SQLBind(contact.email), SQLBind(contact.externalID), SQLBind(Millis.from(contact.createdAt)))
                }
                try await insert.run()
            }
        }
    }
}

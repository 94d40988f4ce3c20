import Crypto
import Foundation
import RelaisCore
import SQLKit

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

import Foundation
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
    public var createdAt: Date

    public init(
        id: UUID, name: String, externalID: String? = nil, domain: String? = nil, tier: String? = nil, segment: String? = nil,
        region: String? = nil, owner: String? = nil, annualRevenue: Int? = nil, currency: String? = nil, createdAt: Date
    ) {
        self.id = id
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
        if let currency, currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            throw StoreError.invalidValue(field: "currency", reason: "'\(currency)' is not an ISO 4217 code such as EUR")
        }
    }

    /// The attributes routing rules read, as `account.tier`.
    public var routingContext: [String: String] {
        var context: [String: String] = ["account.id": id.uuidString.lowercased(), "account.name": name]
        context["account.tier"] = tier
        context["account.segment"] = segment
        context["account.domain"] = domain
        context["account.region"] = region
        context["account.owner"] = owner
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

/// The CRM objects tickets link to. This version keeps accounts and contacts.
public struct CRMRepository: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    static let accountColumns = ["id", "name", "external_id", "domain", "tier", "segment", "region", "owner", "annual_revenue", "currency", "created_at"]
    static let contactColumns = ["id", "account_id", "name", "email", "external_id", "created_at"]

    public func insert(_ account: Account, organizationID: UUID) async throws {
        try account.validate()
        try await database.transaction { db in
            if let external = account.externalID, try await db.select().column("id").from("accounts")
                .where("organization_id", .equal, organizationID.text).where("external_id", .equal, external).first() != nil {
                throw StoreError.duplicate(field: "external_id", value: external)
            }
            try await db.insert(into: "accounts").columns(["organization_id", "updated_at"] + Self.accountColumns)
                .values(Self.accountValues(account, organizationID: organizationID)).run()
        }
    }

    public func account(organizationID: UUID, id: UUID) async throws -> Account? {
        try await database.read { db in
            try await db.select().columns(Self.accountColumns.map { SQLColumn($0) }).from("accounts")
                .where("organization_id", .equal, organizationID.text).where("id", .equal, id.text).first()
        }.map(Self.decodeAccount)
    }

    public func accounts(organizationID: UUID, limit: Int, after cursor: PageCursor?) async throws -> ([Account], PageCursor?) {
        let rows = try await page(table: "accounts", columns: Self.accountColumns, organizationID: organizationID, limit: limit, after: cursor)
        let accounts = try rows.prefix(limit).map(Self.decodeAccount)
        let next = rows.count > limit ? accounts.last.map { PageCursor(value: Millis.from($0.createdAt), id: $0.id.text) } : nil
        return (accounts, next)
    }

    public func insert(_ contact: Contact, organizationID: UUID) async throws {
        try await database.transaction { db in
            try await db.insert(into: "contacts")
                .columns("id", "organization_id", "account_id", "name", "email", "external_id", "created_at")
                .values(SQLBind(contact.id.text), SQLBind(organizationID.text), SQLBind(contact.accountID?.text), SQLBind(contact.name),
                        SQLBind(contact.email), SQLBind(contact.externalID), SQLBind(Millis.from(contact.createdAt)))
                .run()
        }
    }

    public func contact(organizationID: UUID, id: UUID) async throws -> Contact? {
        try await database.read { db in
            try await db.select().columns(Self.contactColumns.map { SQLColumn($0) }).from("contacts")
                .where("organization_id", .equal, organizationID.text).where("id", .equal, id.text).first()
        }.map(Self.decodeContact)
    }

    public func contacts(organizationID: UUID, limit: Int, after cursor: PageCursor?) async throws -> ([Contact], PageCursor?) {
        let rows = try await page(table: "contacts", columns: Self.contactColumns, organizationID: organizationID, limit: limit, after: cursor)
        let contacts = try rows.prefix(limit).map(Self.decodeContact)
        let next = rows.count > limit ? contacts.last.map { PageCursor(value: Millis.from($0.createdAt), id: $0.id.text) } : nil
        return (contacts, next)
    }

    private func page(table: String, columns: [String], organizationID: UUID, limit: Int, after cursor: PageCursor?) async throws -> [any SQLRow] {
        try await database.read { db in
            var select = db.select().columns(columns.map { SQLColumn($0) }).from(table).where("organization_id", .equal, organizationID.text)
            if let cursor {
                select = select.where(SQLQueryString("(created_at > \(bind: cursor.value) OR (created_at = \(bind: cursor.value) AND id > \(bind: cursor.id)))"))
            }
            return try await select.orderBy("created_at").orderBy("id").limit(limit + 1).all()
        }
    }

    static func accountValues(_ account: Account, organizationID: UUID) -> [any SQLExpression] {
        let values: [any Encodable & Sendable] = [
            organizationID.text, Millis.from(account.createdAt), account.id.text, account.name, account.externalID,
            account.domain, account.tier, account.segment, account.region, account.owner, account.annualRevenue,
            account.currency, Millis.from(account.createdAt),
        ]
        return values.map { SQLBind($0) }
    }

    static func decodeAccount(_ row: any SQLRow) throws -> Account {
        Account(
            id: UUID(uuidString: try row.decode(column: "id", as: String.self)) ?? UUID(),
            name: try row.decode(column: "name", as: String.self), externalID: try row.decode(column: "external_id", as: String?.self),
            domain: try row.decode(column: "domain", as: String?.self), tier: try row.decode(column: "tier", as: String?.self),
            segment: try row.decode(column: "segment", as: String?.self), region: try row.decode(column: "region", as: String?.self),
            owner: try row.decode(column: "owner", as: String?.self), annualRevenue: try row.decode(column: "annual_revenue", as: Int?.self),
            currency: try row.decode(column: "currency", as: String?.self),
            createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)))
    }

    static func decodeContact(_ row: any SQLRow) throws -> Contact {
        Contact(
            id: UUID(uuidString: try row.decode(column: "id", as: String.self)) ?? UUID(),
            accountID: try row.decode(column: "account_id", as: String?.self).flatMap(UUID.init(uuidString:)),
            name: try row.decode(column: "name", as: String.self), email: try row.decode(column: "email", as: String?.self),
            externalID: try row.decode(column: "external_id", as: String?.self),
            createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)))
    }
}

extension CRMRepository {
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
                    insert = insert.values(SQLBind(contact.id.text), SQLBind(organizationID.text), SQLBind(contact.accountID?.text),
                                           SQLBind(contact.name), SQLBind(contact.email), SQLBind(contact.externalID), SQLBind(Millis.from(contact.createdAt)))
                }
                try await insert.run()
            }
        }
    }
}

import Foundation
import RelaisCore
import SQLKit

/// One row of an import file: the line it starts on and its values by column name.
public struct ImportRow: Sendable, Equatable {
    public var line: Int
    public var values: [String: String]
    public init(line: Int, values: [String: String]) {
        self.line = line
        self.values = values
    }
}

/// What an import did: rows created and updated, and every row refused with its line and reason.
public struct ImportReport: Sendable, Equatable {
    public struct Rejection: Sendable, Equatable {
        public var line: Int
        public var field: String?
        public var reason: String
        public init(line: Int, field: String?, reason: String) {
            self.line = line
            self.field = field
            self.reason = reason
        }
    }
    public var received = 0
    public var created = 0
    public var updated = 0
    public var rejected: [Rejection] = []
    public init() {}
}

/// Mirrors a CRM: rows are upserted by the CRM's own `external_id`, linked to their account by
/// `account_id` or `account_external_id`, and checked one by one. Refused rows are reported and
/// the others applied, one transaction per batch.
public struct CRMImporter: Sendable {
    public let database: RelaisDatabase
    public static let batchSize = 500
    let now: @Sendable () -> Date
    /// The legal entities of the map, which accounts' `entity` must be one of.
    let entities: [String]

    public init(database: RelaisDatabase, entities: [String] = [], now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.entities = entities
        self.now = now
    }

    enum Outcome { case created, updated }

    /// Applies `rows`; with `reach`, a row of an account (or belonging to one) whose legal entity
    /// the importer is not granted is refused, as it would be one by one.
    public func run(_ rows: [ImportRow], kind: CRMObjectKind, organizationID: UUID, reach: AccessScope? = nil) async throws -> ImportReport {
        try await Self.inBatches(rows, database: database, now: now) { row, time, db in
            try await apply(row, kind: kind, organizationID: organizationID, reach: reach, now: time, on: db) == .created
        }
    }

    /// Refuses what belongs to an account of an entity out of `reach`.
    func requireReach(_ reach: AccessScope?, account id: UUID?, field: String, organizationID: UUID, on db: any SQLDatabase) async throws {
        guard let reach, reach.entities != nil, let id else { return }
        let account = try await CRMRepository.account(organizationID: organizationID, where: "id", is: id.text, on: db)
        guard reach.reaches(entity: account?.entity) else {
            throw StoreError.invalidValue(field: field, reason: "the account's legal entity is not granted to the importer")
        }
    }

    /// Applies rows in transactions of `batchSize`: `apply` says whether a row was created (true)
    /// or updated; a row it refuses with a `StoreError` is reported with its line, the others kept.
    static func inBatches(
        _ rows: [ImportRow], database: RelaisDatabase, now: @Sendable () -> Date,
        apply: @escaping @Sendable (ImportRow, Date, any SQLDatabase) async throws -> Bool
    ) async throws -> ImportReport {
        var report = ImportReport()
        report.received = rows.count
        for start in stride(from: 0, to: rows.count, by: batchSize) {
            let batch = Array(rows[start..<min(start + batchSize, rows.count)])
            let time = now()
            let partial = try await database.transaction { db in
                var partial = ImportReport()
                for row in batch {
                    do {
                        if try await apply(row, time, db) { partial.created += 1 } else { partial.updated += 1 }
                    } catch let error as StoreError {
                        partial.rejected.append(rejection(error, line: row.line))
                    }
                }
                return partial
            }
            report.created += partial.created
            report.updated += partial.updated
            report.rejected += partial.rejected
        }
        return report
    }

    static func rejection(_ error: StoreError, line: Int) -> ImportReport.Rejection {
        switch error {
        case let .invalidValue(field, reason): .init(line: line, field: field, reason: "\(field): \(reason)")
        case let .duplicate(field, _): .init(line: line, field: field, reason: error.description)
        default: .init(line: line, field: nil, reason: error.description)
        }
    }

    func apply(
        _ row: ImportRow, kind: CRMObjectKind, organizationID: UUID, reach: AccessScope? = nil, now: Date, on db: any SQLDatabase
    ) async throws -> Outcome {
        var values = row.values
        let externalID = values.removeValue(forKey: "external_id").flatMap(CRMText.value)
        values.removeValue(forKey: "id")
        let accountID = try await resolveAccount(&values, kind: kind, organizationID: organizationID, on: db)
        switch kind {
        case .account:
            var account =
                try await externalID.asyncFlatMap {
                    try await CRMRepository.account(organizationID: organizationID, where: "external_id", is: $0, on: db)
                } ?? Account(id: UUID.timeOrdered(at: now), name: "", externalID: externalID, createdAt: now)
            let isNew = account.name.isEmpty
            if !isNew, let reach, !reach.reaches(entity: account.entity) {
                throw StoreError.invalidValue(field: "external_id", reason: "the account's legal entity is not granted to the importer")
            }
            try account.apply(values)
            try account.validate()
            try account.checkEntity(among: entities)
            if let reach, !reach.reaches(entity: account.entity) {
                throw StoreError.invalidValue(field: "entity", reason: "'\(account.entity ?? "the default entity")' is not granted to the importer")
            }
            if isNew {
                try await CRMRepository.insert(account, organizationID: organizationID, on: db)
            } else {
                try await CRMRepository.update(account, organizationID: organizationID, on: db)
            }
            return isNew ? .created : .updated
        case .contact:
            let existing = try await externalID.asyncFlatMap {
                try await CRMRepository.contact(organizationID: organizationID, where: "external_id", is: $0, on: db)
            }
            var contact = existing ?? Contact(id: UUID.timeOrdered(at: now), accountID: nil, name: "", externalID: externalID, createdAt: now)
            try contact.apply(values)
            try contact.validate()
            try await requireReach(reach, account: existing?.accountID, field: "external_id", organizationID: organizationID, on: db)
            if let accountID {
                contact.accountID = accountID
            } else if contact.accountID == nil, let domain = contact.domain {
                contact.accountID = try await accountDeclaring(domain, organizationID: organizationID, on: db)
            }
            try await requireReach(reach, account: contact.accountID, field: "account_id", organizationID: organizationID, on: db)
            if existing == nil {
                try await CRMRepository.insert(contact, organizationID: organizationID, on: db)
            } else {
                try await CRMRepository.update(contact, organizationID: organizationID, on: db)
            }
            return existing == nil ? .created : .updated
        default:
            let existing = try await externalID.asyncFlatMap {
                try await CRMRepository.record(organizationID: organizationID, kind: kind, where: "external_id", is: $0, on: db)
            }
            var record = existing ?? CRMRecord(id: UUID.timeOrdered(at: now), kind: kind, externalID: externalID, createdAt: now)
            try await requireReach(reach, account: existing?.accountID, field: "external_id", organizationID: organizationID, on: db)
            if let accountID { record.accountID = accountID }
            try await requireReach(reach, account: record.accountID, field: "account_id", organizationID: organizationID, on: db)
            try record.apply(values)
            record.updatedAt = now
            try record.validate()
            if existing == nil {
                try await CRMRepository.insert(record, organizationID: organizationID, on: db)
            } else {
                try await CRMRepository.update(record, organizationID: organizationID, on: db)
            }
            return existing == nil ? .created : .updated
        }
    }

    /// Takes `account_id` or `account_external_id` out of the values and finds that account.
    func resolveAccount(_ values: inout [String: String], kind: CRMObjectKind, organizationID: UUID, on db: any SQLDatabase) async throws -> UUID? {
        let byID = values.removeValue(forKey: "account_id").flatMap(CRMText.value)
        let byExternal = values.removeValue(forKey: "account_external_id").flatMap(CRMText.value)
        guard byID != nil || byExternal != nil else { return nil }
        if kind == .account {
            throw StoreError.invalidValue(
                field: byID != nil ? "account_id" : "account_external_id", reason: "an account does not belong to an account")
        }
        if let byID {
            guard let id = UUID(uuidString: byID),
                let account = try await CRMRepository.account(organizationID: organizationID, where: "id", is: id.text, on: db)
            else {
                throw StoreError.invalidValue(field: "account_id", reason: "no account '\(byID)'")
            }
            return account.id
        }
        guard let byExternal,
            let account = try await CRMRepository.account(organizationID: organizationID, where: "external_id", is: byExternal, on: db)
        else {
            throw StoreError.invalidValue(field: "account_external_id", reason: "no account with external id '\(byExternal ?? "")'")
        }
        return account.id
    }

    func accountDeclaring(_ domain: String, organizationID: UUID, on db: any SQLDatabase) async throws -> UUID? {
        let rows = try await db.select().column("id").from("accounts")
            .where("organization_id", .equal, organizationID.text).where("domain", .equal, domain).limit(2).all()
        guard rows.count == 1 else { return nil }
        return UUID(uuidString: try rows[0].decode(column: "id", as: String.self))
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

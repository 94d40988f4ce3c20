import Foundation
import RelaisCore

/// What the API and the command line do with the CRM: CRM data belongs to the organisation's
/// staff, so requesters are refused here, next to the rules the data follows.
public struct CRMService: Sendable {
    public let map: ProcessMap
    public let repository: CRMRepository
    public let importer: CRMImporter
    public let reports: CRMReports
    public let rollups: AccountRollups
    public let signals: SignalService
    let now: @Sendable () -> Date

    public init(map: ProcessMap, database: RelaisDatabase, now: @escaping @Sendable () -> Date = Date.init) {
        self.map = map
        self.repository = CRMRepository(database: database)
        self.importer = CRMImporter(database: database, entities: map.entityOrder, now: now)
        self.reports = CRMReports(map: map, database: database)
        self.rollups = AccountRollups(database: database)
        self.signals = SignalService(map: map, database: database, now: now)
        self.now = { Millis.date(Millis.from(now())) }
    }

    /// The resource a kind of CRM object is for the access policy.
    static func resource(_ kind: CRMObjectKind) -> Resource {
        switch kind {
        case .account: .account
        case .contact: .contact
        default: .crmRecord
        }
    }

    /// Refuses what belongs to an account the caller does not reach (`field` names it).
    func requireReach(account id: UUID?, field: String, by principal: Principal) async throws {
        guard let id else { return }
        guard try await reachesAccount(id, by: principal) else {
            throw StoreError.invalidValue(field: field, reason: "no account '\(id.text)' within your reach")
        }
    }

    // MARK: Accounts and contacts

    public func createAccount(_ values: [String: String], externalID: String?, by principal: Principal) async throws -> Account {
        try principal.require(.create, .account)
        if values["annual_revenue"] != nil { try principal.require(.change, .revenue) }
        var account = Account(id: UUID.timeOrdered(at: now()), name: "", externalID: externalID, createdAt: now())
        try account.apply(values)
        try check(entityOf: account, by: principal)
        try await repository.insert(account, organizationID: principal.organizationID)
        return account
    }

    public func account(_ id: UUID, by principal: Principal) async throws -> Account {
        try principal.require(.read, .account)
        // An account of an entity out of the caller's reach does not exist for them.
        guard let account = try await repository.account(organizationID: principal.organizationID, id: id),
            principal.access.reaches(entity: account.entity)
        else {
            throw StoreError.notFound(what: "account", id: id.text)
        }
        return account
    }

    /// Whether what belongs to `accountID` (a contact, a record) is within the caller's reach: the
    /// account's entity is; what belongs to no account always is.
    func reachesAccount(_ accountID: UUID?, by principal: Principal) async throws -> Bool {
        guard let accountID, principal.access.entities != nil else { return true }
        let account = try await repository.account(organizationID: principal.organizationID, id: accountID)
        return principal.access.reaches(entity: account?.entity)
    }

    /// An account's entity must be the map's and within the caller's reach.
    func check(entityOf account: Account, by principal: Principal) throws {
        try account.checkEntity(among: map.entityOrder)
        try principal.requireReach(entity: account.entity, defaultEntity: map.defaultEntity)
    }

    public func updateAccount(_ id: UUID, _ values: [String: String], by principal: Principal) async throws -> Account {
        try principal.require(.change, .account)
        if values["annual_revenue"] != nil { try principal.require(.change, .revenue) }
        var account = try await account(id, by: principal)
        var values = values
        if let external = values.removeValue(forKey: "external_id") { account.externalID = CRMText.value(external) }
        try account.apply(values)
        try check(entityOf: account, by: principal)
        try await repository.update(account, organizationID: principal.organizationID)
        return account
    }

    /// Creates or updates the account the CRM knows by `externalID`; true when it was created.
    public func upsertAccount(externalID: String, _ values: [String: String], by principal: Principal) async throws -> (Account, created: Bool) {
        try principal.require(.change, .account)
        if values["annual_revenue"] != nil { try principal.require(.change, .revenue) }
        guard var account = try await repository.account(organizationID: principal.organizationID, externalID: externalID) else {
            return (try await createAccount(values, externalID: externalID, by: principal), true)
        }
        guard principal.access.reaches(entity: account.entity) else { throw StoreError.notFound(what: "account", id: externalID) }
        try account.apply(values)
        try check(entityOf: account, by: principal)
        try await repository.update(account, organizationID: principal.organizationID)
        return (account, false)
    }

    public func accounts(limit: Int, after cursor: PageCursor?, by principal: Principal) async throws -> Page<Account> {
        try principal.require(.list, .account)
        return try await repository.accounts(organizationID: principal.organizationID, scope: principal.access, limit: limit, after: cursor)
    }

    /// Accounts the caller reaches whose name starts with `prefix`.
    public func accounts(named prefix: String, limit: Int = 10, by principal: Principal) async throws -> [Account] {
        try principal.require(.list, .account)
        let prefix = prefix.trimmingCharacters(in: .whitespaces)
        guard !prefix.isEmpty else { return [] }
        return try await repository.accounts(organizationID: principal.organizationID, named: prefix, scope: principal.access, limit: limit)
    }

    /// The id of the account named by its id (checked when the ticket's links are) or its whole
    /// name (any case) among those the caller reaches; a name two accounts share must be an id.
    public func accountID(named name: String, by principal: Principal) async throws -> UUID {
        if let id = UUID(uuidString: name) { return id }
        let found = try await accounts(named: name, limit: 50, by: principal).filter { $0.name.lowercased() == name.lowercased() }
        guard let account = found.first else { throw StoreError.invalidValue(field: "account", reason: "no account is named '\(name)'") }
        guard found.count == 1 else {
            throw StoreError.invalidValue(field: "account", reason: "\(found.count) accounts are named '\(name)'; give its id")
        }
        return account.id
    }

    public func contact(_ id: UUID, by principal: Principal) async throws -> Contact {
        try principal.require(.read, .contact)
        guard let contact = try await repository.contact(organizationID: principal.organizationID, id: id),
            try await reachesAccount(contact.accountID, by: principal)
        else {
            throw StoreError.notFound(what: "contact", id: id.text)
        }
        return contact
    }

    public func contacts(limit: Int, after cursor: PageCursor?, by principal: Principal) async throws -> Page<Contact> {
        try principal.require(.list, .contact)
        return try await repository.contacts(organizationID: principal.organizationID, scope: principal.access, limit: limit, after: cursor)
    }

    /// A new contact; without an account it joins the account declaring its address's domain.
    public func createContact(name: String, email: String?, accountID: UUID?, externalID: String?, by principal: Principal) async throws -> Contact {
        try principal.require(.create, .contact)
        var contact = Contact(
            id: UUID.timeOrdered(at: now()), accountID: accountID, name: name.trimmingCharacters(in: .whitespacesAndNewlines),
            email: email?.trimmingCharacters(in: .whitespaces).lowercased(), externalID: externalID, createdAt: now())
        try contact.validate()
        if let accountID {
            guard try await repository.account(organizationID: principal.organizationID, id: accountID) != nil else {
                throw StoreError.invalidValue(field: "account_id", reason: "no account '\(accountID.text)'")
            }
        } else if let email = contact.email {
            contact.accountID = try await repository.account(organizationID: principal.organizationID, forEmail: email)?.id
        }
        try await requireReach(account: contact.accountID, field: "account_id", by: principal)
        try await repository.insert(contact, organizationID: principal.organizationID)
        return contact
    }

    // MARK: Records

    public func createRecord(_ kind: CRMObjectKind, _ values: [String: String], by principal: Principal) async throws -> CRMRecord {
        try principal.require(.create, .crmRecord)
        if values["amount"] != nil { try principal.require(.change, .revenue) }
        var values = values
        var record = CRMRecord(id: UUID.timeOrdered(at: now()), kind: kind, createdAt: now())
        try take(&values, into: &record)
        try await requireReach(account: record.accountID, field: "account_id", by: principal)
        try record.apply(values)
        try await repository.insert(record, organizationID: principal.organizationID)
        return record
    }

    public func record(_ kind: CRMObjectKind, _ id: UUID, by principal: Principal) async throws -> CRMRecord {
        try principal.require(.read, .crmRecord)
        guard let record = try await repository.record(organizationID: principal.organizationID, kind: kind, id: id),
            try await reachesAccount(record.accountID, by: principal)
        else {
            throw StoreError.notFound(what: kind.rawValue, id: id.text)
        }
        return record
    }

    public func updateRecord(_ kind: CRMObjectKind, _ id: UUID, _ values: [String: String], by principal: Principal) async throws -> CRMRecord {
        try principal.require(.change, .crmRecord)
        if values["amount"] != nil { try principal.require(.change, .revenue) }
        var record = try await record(kind, id, by: principal)
        var values = values
        try take(&values, into: &record)
        try await requireReach(account: record.accountID, field: "account_id", by: principal)
        try record.apply(values)
        record.updatedAt = now()
        try await repository.update(record, organizationID: principal.organizationID)
        return record
    }

    /// Creates or updates the record the CRM knows by `externalID`; true when it was created.
    public func upsertRecord(
        _ kind: CRMObjectKind, externalID: String, _ values: [String: String], by principal: Principal
    ) async throws -> (CRMRecord, created: Bool) {
        try principal.require(.change, .crmRecord)
        if values["amount"] != nil { try principal.require(.change, .revenue) }
        guard let existing = try await repository.record(organizationID: principal.organizationID, kind: kind, externalID: externalID) else {
            var values = values
            values["external_id"] = externalID
            return (try await createRecord(kind, values, by: principal), true)
        }
        var values = values
        values.removeValue(forKey: "external_id")
        return (try await updateRecord(kind, existing.id, values, by: principal), false)
    }

    public func deleteRecord(_ kind: CRMObjectKind, _ id: UUID, by principal: Principal) async throws {
        try principal.require(.delete, .crmRecord)
        // A record out of reach does not exist for the caller.
        _ = try await record(kind, id, by: principal)
        try await repository.delete(kind: kind, id: id, organizationID: principal.organizationID)
    }

    public func records(
        _ kind: CRMObjectKind, accountID: UUID?, limit: Int, after cursor: PageCursor?, by principal: Principal
    ) async throws -> Page<CRMRecord> {
        try principal.require(.list, .crmRecord)
        return try await repository.records(
            organizationID: principal.organizationID, kind: kind, accountID: accountID, scope: principal.access,
            limit: limit, after: cursor)
    }

    /// Moves `account_id` and `external_id` out of the values into the record.
    private func take(_ values: inout [String: String], into record: inout CRMRecord) throws {
        if let text = values.removeValue(forKey: "account_id") {
            guard let value = CRMText.value(text) else {
                record.accountID = nil
                return
            }
            guard let id = UUID(uuidString: value) else { throw StoreError.invalidValue(field: "account_id", reason: "'\(value)' is not a UUID") }
            record.accountID = id
        }
        if let external = values.removeValue(forKey: "external_id") { record.externalID = CRMText.value(external) }
    }

    // MARK: Imports, overview, signals, reports

    public func importRows(_ rows: [ImportRow], kind: CRMObjectKind, by principal: Principal) async throws -> ImportReport {
        try principal.require(.create, Self.resource(kind))
        try principal.require(.change, Self.resource(kind))
        if rows.contains(where: { row in ["annual_revenue", "amount"].contains { !(row.values[$0] ?? "").isEmpty } }) {
            try principal.require(.change, .revenue)
        }
        return try await importer.run(rows, kind: kind, organizationID: principal.organizationID, reach: principal.access)
    }

    public func overview(of accountID: UUID, from: Date, to: Date, by principal: Principal) async throws -> AccountOverview {
        _ = try await account(accountID, by: principal)
        return try await reports.overview(
            organizationID: principal.organizationID, accountID: accountID, from: from, to: to,
            today: CivilDate(utcDayOf: now()), scope: principal.access)
    }

    public func rollup(of accountID: UUID, by principal: Principal) async throws -> AccountRollups.Summary {
        _ = try await account(accountID, by: principal)
        return try await rollups.summary(organizationID: principal.organizationID, accountID: accountID)
    }

    public func signals(status: Signal.Status?, accountID: UUID?, by principal: Principal) async throws -> [Signal] {
        try principal.require(.list, .signal)
        return try await signals.list(organizationID: principal.organizationID, status: status, accountID: accountID, scope: principal.access)
    }

    public enum Report: String, Sendable, CaseIterable {
        case revenueIncidents = "revenue-incidents"
        case satisfactionResolution = "satisfaction-resolution"
        case slaCompliance = "sla-compliance"
        case volume
    }

    /// The managers' dashboard: SLA compliance by tier, satisfaction by time to resolution and,
    /// for holders of `crm.revenue`, revenue against tickets, read from one pass over the period's
    /// tickets rather than one per report.
    public func dashboard(
        from: Date, to: Date, by principal: Principal
    ) async throws -> (compliance: ReportTable, satisfaction: ReportTable, revenue: ReportTable?) {
        try principal.require(.read, .report)
        let facts = try await reports.facts(
            organizationID: principal.organizationID, from: from, to: to, cut: CRMReports.Cut(scope: principal.access))
        return (
            reports.slaCompliance(facts, by: .tier), reports.satisfactionAgainstResolution(facts),
            principal.may(.read, .revenue) ? reports.revenueAgainstIncidents(facts) : nil
        )
    }

    /// A report over the tickets of the period the caller reaches, cut to one entity or brand when named.
    public func report(
        _ report: Report, groupBy: CRMReports.SLAGrouping, from: Date, to: Date, entity: String? = nil, brand: String? = nil,
        by principal: Principal
    ) async throws -> ReportTable {
        try principal.require(.read, .report)
        if report == .revenueIncidents { try principal.require(.read, .revenue) }
        let organization = principal.organizationID
        let cut = CRMReports.Cut(scope: principal.access, entity: entity, brand: brand)
        switch report {
        case .revenueIncidents: return try await reports.revenueAgainstIncidents(organizationID: organization, from: from, to: to, cut: cut)
        case .satisfactionResolution:
            return try await reports.satisfactionAgainstResolution(organizationID: organization, from: from, to: to, cut: cut)
        case .slaCompliance: return try await reports.slaCompliance(organizationID: organization, from: from, to: to, by: groupBy, cut: cut)
        case .volume: return try await reports.volume(organizationID: organization, from: from, to: to, cut: cut)
        }
    }
}

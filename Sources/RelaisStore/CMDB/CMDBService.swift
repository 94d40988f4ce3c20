import Foundation
import RelaisCore
import SQLKit

/// What the API and the command line do with the CMDB: staff only, every type and relation
/// checked against the map.
public struct CMDBService: Sendable {
    public let map: ProcessMap
    public let repository: CMDBRepository
    let crm: CRMRepository
    let tickets: TicketService
    let cache = CMDBGraphCache()
    let now: @Sendable () -> Date

    public init(map: ProcessMap, database: RelaisDatabase, tickets: TicketService, now: @escaping @Sendable () -> Date = Date.init) {
        self.map = map
        self.repository = CMDBRepository(database: database)
        self.crm = CRMRepository(database: database)
        self.tickets = tickets
        self.now = { Millis.date(Millis.from(now())) }
    }

    /// Asks the policy for configuration items: reading, or writing.
    func requireStaff(_ principal: Principal, writing: Bool = false) throws {
        try principal.require(writing ? .change : .read, .configurationItem)
    }

    // MARK: Items

    /// Applies named values: the item's fields, and any other name as an attribute (an empty
    /// value removes it). `account_external_id` finds the account by the CRM's id.
    func apply(_ values: [String: String], to item: inout ConfigItem, organizationID: UUID, on db: any SQLDatabase) async throws {
        for (name, raw) in values {
            let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            let text: String? = value.isEmpty ? nil : value
            switch name {
            case "external_id": item.externalID = text
            case "type": item.type = value
            case "name": item.name = value
            case "status": item.status = text
            case "owner_team": item.ownerTeam = text
            case "account_id":
                guard let text else {
                    item.accountID = nil
                    continue
                }
                guard let id = UUID(uuidString: text),
                    try await CRMRepository.account(organizationID: organizationID, where: "id", is: id.text, on: db) != nil
                else {
                    throw StoreError.invalidValue(field: "account_id", reason: "no account '\(text)'")
                }
                item.accountID = id
            case "account_external_id":
                guard let text else {
                    item.accountID = nil
                    continue
                }
                guard let account = try await CRMRepository.account(organizationID: organizationID, where: "external_id", is: text, on: db) else {
                    throw StoreError.invalidValue(field: "account_external_id", reason: "no account with external id '\(text)'")
                }
                item.accountID = account.id
            case "id": continue
            default:
                if text == nil { item.attributes[name] = nil } else { item.attributes[name] = value }
            }
        }
        try item.validate(map: map)
    }

    public func createItem(_ values: [String: String], by principal: Principal) async throws -> ConfigItem {
        try requireStaff(principal, writing: true)
        let time = now()
        return try await repository.database.transaction { db in
            var item = ConfigItem(id: UUID.timeOrdered(at: time), type: "", name: "", createdAt: time)
            try await apply(values, to: &item, organizationID: principal.organizationID, on: db)
            try await CMDBRepository.insert(item, organizationID: principal.organizationID, on: db)
            return item
        }
    }

    public func updateItem(_ id: UUID, _ values: [String: String], by principal: Principal) async throws -> ConfigItem {
        try requireStaff(principal, writing: true)
        let time = now()
        return try await repository.database.transaction { db in
            guard var item = try await CMDBRepository.item(organizationID: principal.organizationID, where: "id", is: id.text, on: db) else {
                throw StoreError.notFound(what: "configuration item", id: id.text)
            }
            try await apply(values, to: &item, organizationID: principal.organizationID, on: db)
            item.updatedAt = time
            try await CMDBRepository.update(item, organizationID: principal.organizationID, on: db)
            return item
        }
    }

    public func item(_ id: UUID, by principal: Principal) async throws -> ConfigItem {
        try requireStaff(principal)
        guard let item = try await repository.item(organizationID: principal.organizationID, id: id) else {
            throw StoreError.notFound(what: "configuration item", id: id.text)
        }
        return item
    }

    public func items(
        type: String?, accountID: UUID?, limit: Int, after cursor: String?, by principal: Principal
    ) async throws -> Page<ConfigItem> {
        try requireStaff(principal)
        return try await repository.items(organizationID: principal.organizationID, type: type, accountID: accountID, limit: limit, after: cursor)
    }

    // MARK: Relations

    /// Relates two items; the type must be declared in the map and both items must exist.
    public func relate(source: UUID, type: String, target: UUID, by principal: Principal) async throws -> (ConfigRelation, created: Bool) {
        try requireStaff(principal, writing: true)
        let relation = ConfigRelation(id: UUID.timeOrdered(at: now()), sourceID: source, type: type, targetID: target, createdAt: now())
        let created = try await repository.database.transaction { db in
            try await checkRelation(relation, organizationID: principal.organizationID, on: db)
            return try await CMDBRepository.insert(relation, organizationID: principal.organizationID, on: db)
        }
        return (relation, created)
    }

    func checkRelation(
        _ relation: ConfigRelation, organizationID: UUID, on db: any SQLDatabase, fields: (String, String) = ("source_id", "target_id")
    ) async throws {
        if let (field, reason) = map.cmdb.problem(relationType: relation.type, source: relation.sourceID, target: relation.targetID) {
            throw StoreError.invalidValue(field: field == .type ? "type" : fields.1, reason: reason)
        }
        for (field, id) in [(fields.0, relation.sourceID), (fields.1, relation.targetID)] {
            if try await CMDBRepository.item(organizationID: organizationID, where: "id", is: id.text, on: db) == nil {
                throw StoreError.invalidValue(field: field, reason: "no configuration item '\(id.text)'")
            }
        }
    }

    public func relations(of id: UUID, by principal: Principal) async throws -> [ConfigRelation] {
        _ = try await item(id, by: principal)
        return try await repository.relations(organizationID: principal.organizationID, of: id)
    }

    public func deleteRelation(_ id: UUID, by principal: Principal) async throws {
        try requireStaff(principal, writing: true)
        guard try await repository.deleteRelation(organizationID: principal.organizationID, id: id) else {
            throw StoreError.notFound(what: "relation", id: id.text)
        }
    }

    // MARK: Tickets

    /// Ties items to a ticket and unties others, with one ticket event per item.
    public func tie(ticketKey: String, adding added: [UUID], removing removed: [UUID], by principal: Principal) async throws -> [ConfigItem] {
        try requireStaff(principal, writing: true)
        var ticket = try await tickets.find(key: ticketKey, by: principal)
        let current = Set(try await repository.itemIDs(ofTicket: ticket.id))
        let adding = added.filter { !current.contains($0) }.reduce(into: [UUID]()) { if !$0.contains($1) { $0.append($1) } }
        let removing = removed.filter { current.contains($0) && !added.contains($0) }
        let found = try await repository.items(organizationID: principal.organizationID, ids: adding)
        if let missing = adding.first(where: { id in !found.contains { $0.id == id } }) {
            throw StoreError.invalidValue(field: "add", reason: "no configuration item '\(missing.text)'")
        }
        let read = ticket.version
        let changes = TicketRules.tieItems(&ticket, adding: adding, removing: removing, now: now())
        if !changes.isEmpty {
            let (ticketID, organization, time) = (ticket.id, principal.organizationID, ticket.updatedAt)
            _ = try await tickets.tickets.update(ticket, expectedVersion: read, changes: changes, actor: tickets.actor(principal)) { db in
                try await CMDBRepository.tie(ticketID: ticketID, adding: adding, removing: removing, organizationID: organization, at: time, on: db)
            }
        }
        return try await items(ofTicketID: ticket.id, organizationID: principal.organizationID)
    }

    public func items(ofTicket key: String, by principal: Principal) async throws -> [ConfigItem] {
        try requireStaff(principal)
        return try await items(ofTicketID: try await tickets.find(key: key, by: principal).id, organizationID: principal.organizationID)
    }

    func items(ofTicketID ticketID: UUID, organizationID: UUID) async throws -> [ConfigItem] {
        let ids = try await repository.itemIDs(ofTicket: ticketID)
        let items = Dictionary(uniqueKeysWithValues: try await repository.items(organizationID: organizationID, ids: ids).map { ($0.id, $0) })
        return ids.compactMap { items[$0] }
    }

    public func tickets(
        ofItem id: UUID, openOnly: Bool, limit: Int, by principal: Principal
    ) async throws -> [(key: String, status: String, statusCategory: String, title: String)] {
        _ = try await item(id, by: principal)
        // Only the tickets the caller reaches.
        return try await repository.tickets(
            organizationID: principal.organizationID, item: id, openOnly: openOnly, limit: limit,
            scope: principal.access)
    }

    // MARK: Impact

    /// What an incident on `id` reaches: items nearest first (`limit` of them listed), the
    /// services among them, the accounts they serve and the open tickets already on them.
    public func impact(of id: UUID, maxDepth: Int? = nil, limit: Int = 200, by principal: Principal) async throws -> ImpactReport {
        let item = try await item(id, by: principal)
        if let maxDepth, maxDepth < 1 { throw StoreError.invalidValue(field: "depth", reason: "must be at least 1") }
        let snapshot = try await cache.graph(organizationID: principal.organizationID, repository: repository, schema: map.cmdb)
        guard let start = snapshot.index[id] else {
            // Created after the snapshot was read and before the generation moved: nothing depends on it yet.
            return ImpactReport(item: item, impacted: [], impactedCount: 0, services: [], accounts: [], openTickets: [])
        }
        let walk = snapshot.graph.impacted(from: Int(start), maxDepth: maxDepth)
        let isService = { (node: Int) in self.map.cmdb.types[snapshot.types[node]]?.isService ?? false }
        let serviceSteps = walk.filter { isService($0.item) }
        var accountItems: [UUID: Int] = [:]
        for node in [Int(start)] + walk.map(\.item) {
            if let account = snapshot.accounts[node] { accountItems[account, default: 0] += 1 }
        }
        let listed = Array(walk.prefix(limit))
        let wanted = Set(listed.map { snapshot.ids[$0.item] } + serviceSteps.prefix(limit).map { snapshot.ids[$0.item] })
        let items = Dictionary(
            uniqueKeysWithValues: try await repository.items(organizationID: principal.organizationID, ids: Array(wanted)).map { ($0.id, $0) })
        func entries(_ steps: some Sequence<ImpactGraph.Reached>) -> [ImpactReport.Entry] {
            steps.compactMap { step in
                items[snapshot.ids[step.item]].map {
                    ImpactReport.Entry(item: $0, distance: step.distance, via: snapshot.ids[step.via], relation: step.relation)
                }
            }
        }
        let names = try await crm.accountNames(organizationID: principal.organizationID, ids: Array(accountItems.keys))
        let accounts = accountItems.map { ImpactReport.AffectedAccount(accountID: $0.key, name: names[$0.key] ?? "", items: $0.value) }
            .sorted { ($0.items, $1.name) > ($1.items, $0.name) }
        var reached = Set(walk.map { snapshot.ids[$0.item] })
        reached.insert(id)
        var seen = Set<String>()
        let open = try await repository.openTicketTies(organizationID: principal.organizationID, scope: principal.access)
            .filter { reached.contains($0.item) && seen.insert($0.key).inserted }.prefix(100).map(\.key)
        var services = entries(serviceSteps.prefix(limit))
        if isService(Int(start)) { services.insert(.init(item: item, distance: 0, via: item.id, relation: ""), at: 0) }
        return ImpactReport(
            item: item, impacted: entries(listed), impactedCount: walk.count, services: services,
            accounts: accounts, openTickets: Array(open))
    }
}

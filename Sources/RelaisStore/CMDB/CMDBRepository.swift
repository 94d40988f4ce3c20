import Foundation
import RelaisCore
import SQLKit
import Synchronization

/// Configuration items, their relations and their ties to tickets.
public struct CMDBRepository: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    static let itemColumns = ["id", "external_id", "type", "name", "status", "owner_team", "account_id", "attributes", "created_at", "updated_at"]

    // MARK: Items

    static func insert(_ item: ConfigItem, organizationID: UUID, on db: any SQLDatabase) async throws {
        try await checkExternalID(item, organizationID: organizationID, on: db)
        try await RowInsert.run("config_items", columns: ["organization_id"] + itemColumns, rows: [[organizationID.text] + values(item)], on: db)
        try await bumpGeneration(organizationID, on: db)
    }

    static func update(_ item: ConfigItem, organizationID: UUID, on db: any SQLDatabase) async throws {
        try await checkExternalID(item, organizationID: organizationID, on: db)
        var update = db.update("config_items")
        for (column, value) in zip(itemColumns, values(item)) where column != "id" && column != "created_at" {
            update = update.set(SQLColumn(column), to: SQLBind(value))
        }
        try await update.where("organization_id", .equal, organizationID.text).where("id", .equal, item.id.text).run()
        try await bumpGeneration(organizationID, on: db)
    }

    static func values(_ item: ConfigItem) -> RowInsert.Row {
        [
            item.id.text, item.externalID, item.type, item.name, item.status, item.ownerTeam, item.accountID?.text,
            JSONText.encode(item.attributes), Millis.from(item.createdAt), Millis.from(item.updatedAt),
        ]
    }

    static func checkExternalID(_ item: ConfigItem, organizationID: UUID, on db: any SQLDatabase) async throws {
        guard let external = item.externalID else { return }
        if let other = try await db.select().column("id").from("config_items").where("organization_id", .equal, organizationID.text)
            .where("external_id", .equal, external).first(), try other.decode(column: "id", as: String.self) != item.id.text
        {
            throw StoreError.duplicate(field: "external_id", value: external)
        }
    }

    public func insert(_ item: ConfigItem, organizationID: UUID) async throws {
        try await database.transaction { db in try await Self.insert(item, organizationID: organizationID, on: db) }
    }

    public func update(_ item: ConfigItem, organizationID: UUID) async throws {
        try await database.transaction { db in try await Self.update(item, organizationID: organizationID, on: db) }
    }

    public func item(organizationID: UUID, id: UUID) async throws -> ConfigItem? {
        try await database.read { db in try await Self.item(organizationID: organizationID, where: "id", is: id.text, on: db) }
    }

    public func item(organizationID: UUID, externalID: String) async throws -> ConfigItem? {
        try await database.read { db in try await Self.item(organizationID: organizationID, where: "external_id", is: externalID, on: db) }
    }

    static func item(organizationID: UUID, where column: String, is value: String, on db: any SQLDatabase) async throws -> ConfigItem? {
        try await db.select().columns(itemColumns.map { SQLColumn($0) }).from("config_items")
            .where("organization_id", .equal, organizationID.text).where(SQLColumn(column), .equal, SQLBind(value)).first().map(decode)
    }

    public func items(organizationID: UUID, ids: [UUID]) async throws -> [ConfigItem] {
        guard !ids.isEmpty else { return [] }
        return try await database.read { db in
            try await RowsByID.select(Self.itemColumns, from: "config_items", ids: ids.map(\.text), organizationID: organizationID, on: db).map(
                Self.decode)
        }
    }

    /// Items by type and name.
    public func items(
        organizationID: UUID, type: String?, accountID: UUID?, limit: Int, after cursor: String?
    ) async throws -> Page<ConfigItem> {
        let rows = try await database.read { db in
            var select = db.select().columns(Self.itemColumns.map { SQLColumn($0) }).from("config_items")
                .where("organization_id", .equal, organizationID.text)
            if let type { select = select.where("type", .equal, type) }
            if let accountID { select = select.where("account_id", .equal, accountID.text) }
            if let cursor { select = select.where("id", .greaterThan, cursor) }
            return try await select.orderBy("id").limit(limit + 1).all()
        }
        return Page(fetched: try rows.map(Self.decode), limit: limit) { PageCursor(value: 0, id: $0.id.text) }
    }

    static func decode(_ row: any SQLRow) throws -> ConfigItem {
        ConfigItem(
            id: try row.uuid("id"), externalID: try row.decode(column: "external_id", as: String?.self),
            type: try row.decode(column: "type", as: String.self), name: try row.decode(column: "name", as: String.self),
            status: try row.decode(column: "status", as: String?.self), ownerTeam: try row.decode(column: "owner_team", as: String?.self),
            accountID: try row.optionalUUID("account_id"),
            attributes: (try? JSONText.decode([String: String].self, try row.decode(column: "attributes", as: String.self))) ?? [:],
            createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)),
            updatedAt: Millis.date(try row.decode(column: "updated_at", as: Int.self)))
    }

    // MARK: Relations

    /// Stores a relation; the same relation stored twice is kept once. True when it was new.
    @discardableResult
    static func insert(_ relation: ConfigRelation, organizationID: UUID, on db: any SQLDatabase) async throws -> Bool {
        if try await db.select().column("id").from("config_relations").where("organization_id", .equal, organizationID.text)
            .where("source_id", .equal, relation.sourceID.text).where("type", .equal, relation.type)
            .where("target_id", .equal, relation.targetID.text).first() != nil
        {
            return false
        }
        try await RowInsert.run(
            "config_relations", columns: ["id", "organization_id", "source_id", "type", "target_id", "created_at"],
            rows: [
                [
                    relation.id.text, organizationID.text, relation.sourceID.text, relation.type, relation.targetID.text,
                    Millis.from(relation.createdAt),
                ]
            ], on: db)
        try await bumpGeneration(organizationID, on: db)
        return true
    }

    public func insert(_ relation: ConfigRelation, organizationID: UUID) async throws -> Bool {
        try await database.transaction { db in try await Self.insert(relation, organizationID: organizationID, on: db) }
    }

    public func deleteRelation(organizationID: UUID, id: UUID) async throws -> Bool {
        try await database.transaction { db in
            guard
                try await db.select().column("id").from("config_relations").where("organization_id", .equal, organizationID.text)
                    .where("id", .equal, id.text).first() != nil
            else { return false }
            try await db.delete(from: "config_relations").where("organization_id", .equal, organizationID.text).where("id", .equal, id.text).run()
            try await Self.bumpGeneration(organizationID, on: db)
            return true
        }
    }

    /// The relations an item takes part in, either end.
    public func relations(organizationID: UUID, of itemID: UUID) async throws -> [ConfigRelation] {
        try await database.read { db in
            try await db.select().columns("id", "source_id", "type", "target_id", "created_at").from("config_relations")
                .where("organization_id", .equal, organizationID.text)
                .where { $0.where("source_id", .equal, itemID.text).orWhere("target_id", .equal, itemID.text) }
                .orderBy("created_at").all().map { row in
                    ConfigRelation(
                        id: try row.uuid("id"), sourceID: try row.uuid("source_id"), type: try row.decode(column: "type", as: String.self),
                        targetID: try row.uuid("target_id"),
                        createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)))
                }
        }
    }

    // MARK: Tickets

    static func tie(
        ticketID: UUID, adding added: [UUID], removing removed: [UUID], organizationID: UUID, at time: Date,
        on db: any SQLDatabase
    ) async throws {
        if !removed.isEmpty {
            try await db.delete(from: "ticket_config_items").where("ticket_id", .equal, ticketID.text)
                .where("item_id", .in, SQLBind.group(removed.map(\.text))).run()
        }
        try await RowInsert.run(
            "ticket_config_items", columns: ["ticket_id", "item_id", "organization_id", "linked_at"],
            rows: added.map { [ticketID.text, $0.text, organizationID.text, Millis.from(time)] }, ignoringConflicts: true, on: db)
    }

    public func itemIDs(ofTicket ticketID: UUID) async throws -> [UUID] {
        try await database.read { db in
            try await db.select().column("item_id").from("ticket_config_items").where("ticket_id", .equal, ticketID.text)
                .orderBy("linked_at").all(decodingColumn: "item_id", as: String.self).compactMap(UUID.init(uuidString:))
        }
    }

    /// Tickets tied to an item, newest first: key, status, status category and title.
    /// The tickets tied to `item` within `scope`, newest first.
    public func tickets(
        organizationID: UUID, item: UUID, openOnly: Bool, limit: Int,
        scope: AccessScope = .everything
    ) async throws -> [(key: String, status: String, statusCategory: String, title: String)] {
        try await database.read { db in
            var select = db.select().columns(
                SQLColumn("key", table: "t"), SQLColumn("status", table: "t"), SQLColumn("status_category", table: "t"),
                SQLColumn("title", table: "t")
            )
            .from(SQLAlias(SQLIdentifier("ticket_config_items"), as: SQLIdentifier("l")))
            .join(
                SQLAlias(SQLIdentifier("tickets"), as: SQLIdentifier("t")), on: SQLColumn("id", table: "t"), .equal,
                SQLColumn("ticket_id", table: "l")
            )
            .where(SQLColumn("organization_id", table: "l"), .equal, SQLBind(organizationID.text))
            .where(SQLColumn("item_id", table: "l"), .equal, SQLBind(item.text))
            .where(AccessFilter.condition(scope, table: "t"))
            if openOnly { select = select.where(SQLColumn("status_category", table: "t"), .in, SQLBind.group(Self.unfinished)) }
            return try await select.orderBy(SQLColumn("created_at", table: "t"), SQLDirection.descending).limit(limit).all().map { row in
                (
                    try row.decode(column: "key", as: String.self), try row.decode(column: "status", as: String.self),
                    try row.decode(column: "status_category", as: String.self), try row.decode(column: "title", as: String.self)
                )
            }
        }
    }

    static let unfinished = StatusCategory.unfinished.map(\.rawValue)

    /// Every open ticket tied to some item, as (item, ticket key) pairs, newest ticket first: the
    /// few an impact report checks its reached items against, in one query.
    func openTicketTies(organizationID: UUID, scope: AccessScope = .everything) async throws -> [(item: UUID, key: String)] {
        try await database.read { db in
            try await db.select().columns(SQLColumn("item_id", table: "l"), SQLColumn("key", table: "t"))
                .from(SQLAlias(SQLIdentifier("ticket_config_items"), as: SQLIdentifier("l")))
                .join(
                    SQLAlias(SQLIdentifier("tickets"), as: SQLIdentifier("t")), on: SQLColumn("id", table: "t"), .equal,
                    SQLColumn("ticket_id", table: "l")
                )
                .where(SQLColumn("organization_id", table: "l"), .equal, SQLBind(organizationID.text))
                .where(SQLColumn("status_category", table: "t"), .in, SQLBind.group(Self.unfinished))
                .where(AccessFilter.condition(scope, table: "t"))
                .orderBy(SQLColumn("created_at", table: "t"), SQLDirection.descending).all()
                .map { (try $0.uuid("item_id"), try $0.decode(column: "key", as: String.self)) }
        }
    }

    // MARK: The graph

    static func bumpGeneration(_ organizationID: UUID, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO cmdb_generations (organization_id, generation) VALUES (\(bind: organizationID.text), 1)
            ON CONFLICT (organization_id) DO UPDATE SET generation = cmdb_generations.generation + 1
            """
        ).run()
    }

    func generation(organizationID: UUID) async throws -> Int {
        try await database.read { db in
            try await db.select().column("generation").from("cmdb_generations").where("organization_id", .equal, organizationID.text)
                .first(decodingColumn: "generation", as: Int.self) ?? 0
        }
    }

    /// Every item and relation of the organisation, read in one snapshot, as an impact graph.
    func loadGraph(organizationID: UUID, schema: CMDBSchema) async throws -> CMDBGraph {
        try await database.transaction { db in
            let generation =
                try await db.select().column("generation").from("cmdb_generations")
                .where("organization_id", .equal, organizationID.text).first(decodingColumn: "generation", as: Int.self) ?? 0
            // Rows are handed over one at a time as they arrive; the mutex only satisfies the
            // compiler that the callbacks never overlap.
            let items = Mutex(ItemColumns())
            try await db.select().columns("id", "type", "account_id").from("config_items").where("organization_id", .equal, organizationID.text)
                .run { row in
                    guard let id = UUID(uuidString: (try? row.decode(column: "id", as: String.self)) ?? "") else { return }
                    let type = (try? row.decode(column: "type", as: String.self)) ?? ""
                    let account = (try? row.decode(column: "account_id", as: String?.self))?.flatMap(UUID.init(uuidString:))
                    items.withLock { $0.append(id: id, type: type, account: account) }
                }
            let (ids, index, types, accounts) = items.withLock { ($0.ids, $0.index, $0.types, $0.accounts) }
            let edges = Mutex(EdgeColumns())
            try await db.select().columns("source_id", "type", "target_id").from("config_relations")
                .where("organization_id", .equal, organizationID.text).run { row in
                    guard let source = (try? row.decode(column: "source_id", as: String.self)).flatMap(UUID.init(uuidString:)).flatMap({ index[$0] }),
                        let target = (try? row.decode(column: "target_id", as: String.self)).flatMap(UUID.init(uuidString:)).flatMap({ index[$0] }),
                        let type = try? row.decode(column: "type", as: String.self)
                    else { return }
                    edges.withLock { $0.append(source: source, type: type, target: target) }
                }
            let (sources, kinds, targets) = edges.withLock { ($0.sources, $0.kinds, $0.targets) }
            let graph = ImpactGraph(count: ids.count, sources: sources, relationTypes: kinds, targets: targets, schema: schema.relations)
            return CMDBGraph(generation: generation, graph: graph, ids: ids, index: index, types: types, accounts: accounts)
        }
    }
}

struct ItemColumns: ~Copyable {
    var ids: [UUID] = [], types: [String] = [], accounts: [UUID?] = [], index: [UUID: Int32] = [:]

    mutating func append(id: UUID, type: String, account: UUID?) {
        index[id] = Int32(ids.count)
        ids.append(id)
        types.append(type)
        accounts.append(account)
    }
}

struct EdgeColumns: ~Copyable {
    var sources: [Int32] = [], kinds: [String] = [], targets: [Int32] = []
    /// One copy of each type name, however many relations carry it.
    var names: [String: String] = [:]

    mutating func append(source: Int32, type: String, target: Int32) {
        sources.append(source)
        if let known = names[type] {
            kinds.append(known)
        } else {
            names[type] = type
            kinds.append(type)
        }
        targets.append(target)
    }
}

/// One organisation's impact graph with what impact reports need of each item.
struct CMDBGraph: Sendable {
    let generation: Int
    let graph: ImpactGraph
    let ids: [UUID]
    let index: [UUID: Int32]
    let types: [String]
    let accounts: [UUID?]
}

/// The impact graphs of this process, reloaded when the organisation's CMDB generation moves
/// (any process sharing the database may have changed it).
actor CMDBGraphCache {
    private var graphs: [UUID: CMDBGraph] = [:]
    private var loading: [UUID: Task<CMDBGraph, any Error>] = [:]

    func graph(organizationID: UUID, repository: CMDBRepository, schema: CMDBSchema) async throws -> CMDBGraph {
        let current = try await repository.generation(organizationID: organizationID)
        if let cached = graphs[organizationID], cached.generation == current { return cached }
        if let pending = loading[organizationID] { return try await pending.value }
        let task = Task { try await repository.loadGraph(organizationID: organizationID, schema: schema) }
        loading[organizationID] = task
        defer { loading[organizationID] = nil }
        let graph = try await task.value
        graphs[organizationID] = graph
        return graph
    }
}

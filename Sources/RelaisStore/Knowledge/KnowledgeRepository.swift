import Foundation
import RelaisCore
import SQLKit

/// Articles of the knowledge base with their versions, their ties to tickets, the searches run
/// and the tickets requesters did not need to open.
public struct KnowledgeRepository: Sendable {
    public let database: RelaisDatabase
    let index: any KnowledgeIndex

    public init(database: RelaisDatabase) {
        self.database = database
        self.index = database.kind == .sqlite ? SQLiteKnowledgeIndex() : PostgresKnowledgeIndex()
    }

    static let articleColumns = [
        "id", "translation_group", "language", "title", "body", "category", "audience", "status", "author",
        "version", "source_ticket_key", "search_key", "created_at", "updated_at", "published_at",
    ]

    /// A saved version of an article's text.
    public struct Version: Sendable, Equatable {
        public var version: Int
        public var title: String
        public var body: String
        public var category: String?
        public var audience: KnowledgeArticle.Audience
        public var status: KnowledgeArticle.Status
        public var author: String
        public var note: String?
        public var createdAt: Date
    }

    /// An article found by a search, with its score (higher is better) on the engine's own scale.
    public struct Hit: Sendable {
        public var article: KnowledgeArticle
        public var score: Double
    }

    // MARK: Writing

    /// Stores a new article (version 1) or the next version of an existing one, and indexes it,
    /// inside the caller's transaction.
    static func save(
        _ article: KnowledgeArticle, organizationID: UUID, note: String?, isNew: Bool,
        index: any KnowledgeIndex, on db: any SQLDatabase
    ) async throws {
        let key: Int64
        if isNew {
            if let other = try await db.select().column("id").from("kb_articles")
                .where("organization_id", .equal, organizationID.text).where("translation_group", .equal, article.translationGroup.text)
                .where("language", .equal, article.language).first()
            {
                throw StoreError.duplicate(
                    field: "language", value: "\(article.language) (article \(try other.decode(column: "id", as: String.self)))")
            }
            // Milliseconds then 20 random bits: keys grow with time (searches rank the most recent
            // matches first when there are too many), and processes sharing a PostgreSQL
            // database do not draw the same one.
            key = Int64(Millis.from(article.createdAt)) << 20 | Int64.random(in: 0..<(1 << 20))
            try await RowInsert.run(
                "kb_articles", columns: ["organization_id"] + articleColumns,
                rows: [[organizationID.text] + values(article, key: key)], on: db)
        } else {
            guard
                let row = try await db.select().column("search_key").from("kb_articles")
                    .where("organization_id", .equal, organizationID.text).where("id", .equal, article.id.text).first()
            else {
                throw StoreError.notFound(what: "article", id: article.id.text)
            }
            key = try row.decode(column: "search_key", as: Int64.self)
            var update = db.update("kb_articles")
            for (column, value) in zip(articleColumns, values(article, key: key)) where column != "id" {
                update = update.set(SQLColumn(column), to: SQLBind(value))
            }
            try await update.where("organization_id", .equal, organizationID.text).where("id", .equal, article.id.text).run()
        }
        try await RowInsert.run(
            "kb_article_versions",
            columns: ["article_id", "version", "organization_id", "title", "body", "category", "audience", "status", "author", "note", "created_at"],
            rows: [
                [
                    article.id.text, article.version, organizationID.text, article.title, article.body, article.category,
                    article.audience.rawValue, article.status.rawValue, article.author, note, Millis.from(article.updatedAt),
                ]
            ],
            on: db)
        try await index.index(article, key: key, replacing: !isNew, on: db)
    }

    static func values(_ article: KnowledgeArticle, key: Int64) -> RowInsert.Row {
        [
            article.id.text, article.translationGroup.text, article.language, article.title, article.body, article.category,
            article.audience.rawValue, article.status.rawValue, article.author, article.version, article.sourceTicketKey, key,
            Millis.from(article.createdAt), Millis.from(article.updatedAt), article.publishedAt.map(Millis.from),
        ]
    }

    public func insert(_ article: KnowledgeArticle, organizationID: UUID, note: String? = nil) async throws {
        try await database.transaction { db in
            try await Self.save(article, organizationID: organizationID, note: note, isNew: true, index: index, on: db)
        }
    }

    /// Saves `article` as its next version if nobody saved one since `expectedVersion`.
    public func update(_ article: KnowledgeArticle, expectedVersion: Int, organizationID: UUID, note: String? = nil) async throws {
        try await database.transaction { db in
            try await Self.checkVersion(of: article.id, expected: expectedVersion, organizationID: organizationID, on: db)
            try await Self.save(article, organizationID: organizationID, note: note, isNew: false, index: index, on: db)
        }
    }

    static func checkVersion(of id: UUID, expected: Int, organizationID: UUID, on db: any SQLDatabase) async throws {
        guard
            let row = try await db.select().column("version").from("kb_articles")
                .where("organization_id", .equal, organizationID.text).where("id", .equal, id.text).for(.update).first()
        else {
            throw StoreError.notFound(what: "article", id: id.text)
        }
        let current = try row.decode(column: "version", as: Int.self)
        if current != expected { throw StoreError.versionConflict(current: current) }
    }

    /// Ties an article to a ticket inside the caller's transaction; tying it again changes nothing.
    static func link(
        ticketID: UUID, articleID: UUID, relation: String, by actor: String, at time: Date,
        organizationID: UUID, on db: any SQLDatabase
    ) async throws {
        try await RowInsert.run(
            "kb_ticket_links", columns: ["ticket_id", "article_id", "organization_id", "relation", "linked_by", "linked_at"],
            rows: [[ticketID.text, articleID.text, organizationID.text, relation, actor, Millis.from(time)]],
            ignoringConflicts: true, on: db)
    }

    public func recordSearch(_ words: [String], results: Int, origin: String, organizationID: UUID, at time: Date) async throws {
        guard !words.isEmpty else { return }
        try await database.transaction { db in
            try await RowInsert.run(
                "kb_searches", columns: ["id", "organization_id", "query", "results", "origin", "searched_at"],
                rows: [
                    [
                        UUID.timeOrdered(at: time).text, organizationID.text, words.joined(separator: " "), results, origin,
                        Millis.from(time),
                    ]
                ], on: db)
        }
    }

    public func recordDeflection(articleID: UUID, userID: UUID?, family: String?, query: String?, organizationID: UUID, at time: Date) async throws {
        try await database.transaction { db in
            try await RowInsert.run(
                "kb_deflections", columns: ["id", "organization_id", "article_id", "user_id", "family", "query", "deflected_at"],
                rows: [
                    [
                        UUID.timeOrdered(at: time).text, organizationID.text, articleID.text, userID?.text, family, query,
                        Millis.from(time),
                    ]
                ], on: db)
        }
    }

    // MARK: Reading

    public func article(organizationID: UUID, id: UUID) async throws -> KnowledgeArticle? {
        try await database.read { db in
            try await db.select().columns(Self.articleColumns.map { SQLColumn($0) }).from("kb_articles")
                .where("organization_id", .equal, organizationID.text).where("id", .equal, id.text).first().map(Self.decode)
        }
    }

    /// The other languages of an article.
    public func translations(of article: KnowledgeArticle, organizationID: UUID) async throws -> [KnowledgeArticle] {
        try await database.read { db in
            try await db.select().columns(Self.articleColumns.map { SQLColumn($0) }).from("kb_articles")
                .where("organization_id", .equal, organizationID.text).where("translation_group", .equal, article.translationGroup.text)
                .where("id", .notEqual, article.id.text).orderBy("language").all().map(Self.decode)
        }
    }

    public func versions(of id: UUID, organizationID: UUID) async throws -> [Version] {
        try await database.read { db in
            try await db.select().columns("version", "title", "body", "category", "audience", "status", "author", "note", "created_at")
                .from("kb_article_versions").where("organization_id", .equal, organizationID.text).where("article_id", .equal, id.text)
                .orderBy("version", .descending).all().map { row in
                    Version(
                        version: try row.decode(column: "version", as: Int.self), title: try row.decode(column: "title", as: String.self),
                        body: try row.decode(column: "body", as: String.self), category: try row.decode(column: "category", as: String?.self),
                        audience: .init(rawValue: try row.decode(column: "audience", as: String.self)) ?? .internal,
                        status: .init(rawValue: try row.decode(column: "status", as: String.self)) ?? .draft,
                        author: try row.decode(column: "author", as: String.self), note: try row.decode(column: "note", as: String?.self),
                        createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)))
                }
        }
    }

    /// Articles, most recently changed first.
    public func list(
        organizationID: UUID, statuses: [KnowledgeArticle.Status], customersOnly: Bool, language: String?,
        limit: Int, after cursor: PageCursor?
    ) async throws -> Page<KnowledgeArticle> {
        let rows = try await database.read { db in
            var select = db.select().columns(Self.articleColumns.map { SQLColumn($0) }).from("kb_articles")
                .where("organization_id", .equal, organizationID.text).where("status", .in, SQLBind.group(statuses.map(\.rawValue)))
            if customersOnly { select = select.where("audience", .equal, KnowledgeArticle.Audience.customers.rawValue) }
            if let language { select = select.where("language", .equal, language) }
            if let cursor {
                select = select.where(
                    SQLGroupExpression([SQLColumn("updated_at"), SQLColumn("id")] as [any SQLExpression]), .lessThan,
                    SQLGroupExpression([SQLBind(cursor.value), SQLBind(cursor.id)] as [any SQLExpression]))
            }
            return try await select.orderBy("updated_at", .descending).orderBy("id", .descending).limit(limit + 1).all()
        }
        return Page(fetched: try rows.map(Self.decode), limit: limit) { PageCursor(value: Millis.from($0.updatedAt), id: $0.id.text) }
    }

    public func search(_ query: KnowledgeQuery, organizationID: UUID) async throws -> [Hit] {
        guard !query.words.isEmpty, !query.statuses.isEmpty else { return [] }
        let index = index
        return try await database.read { db in
            let ranked = try await index.search(query, organizationID: organizationID, on: db)
            guard !ranked.isEmpty else { return [] }
            let rows = try await RowsByID.select(
                Self.articleColumns, from: "kb_articles", ids: ranked.map(\.id), organizationID: organizationID, on: db)
            let articles = Dictionary(
                uniqueKeysWithValues: try rows.map { row in
                    let article = try Self.decode(row)
                    return (article.id.text, article)
                })
            return ranked.compactMap { hit in articles[hit.id].map { Hit(article: $0, score: hit.score) } }
        }
    }

    /// Articles tied to a ticket, with how.
    public func articles(ofTicket ticketID: UUID, organizationID: UUID) async throws -> [(article: KnowledgeArticle, relation: String)] {
        try await database.read { db in
            try await db.select().columns(Self.articleColumns.map { SQLColumn($0, table: "a") }).column(SQLColumn("relation", table: "l"))
                .from(SQLAlias(SQLIdentifier("kb_ticket_links"), as: SQLIdentifier("l")))
                .join(
                    SQLAlias(SQLIdentifier("kb_articles"), as: SQLIdentifier("a")), on: SQLColumn("id", table: "a"), .equal,
                    SQLColumn("article_id", table: "l")
                )
                .where(SQLColumn("organization_id", table: "l"), .equal, SQLBind(organizationID.text))
                .where(SQLColumn("ticket_id", table: "l"), .equal, SQLBind(ticketID.text))
                .orderBy(SQLColumn("linked_at", table: "l")).all()
                .map { (try Self.decode($0), try $0.decode(column: "relation", as: String.self)) }
        }
    }

    static func decode(_ row: any SQLRow) throws -> KnowledgeArticle {
        KnowledgeArticle(
            id: try row.uuid("id"), translationGroup: try row.uuid("translation_group"),
            language: try row.decode(column: "language", as: String.self),
            title: try row.decode(column: "title", as: String.self), body: try row.decode(column: "body", as: String.self),
            category: try row.decode(column: "category", as: String?.self),
            audience: .init(rawValue: try row.decode(column: "audience", as: String.self)) ?? .internal,
            status: .init(rawValue: try row.decode(column: "status", as: String.self)) ?? .draft,
            author: try row.decode(column: "author", as: String.self), version: try row.decode(column: "version", as: Int.self),
            sourceTicketKey: try row.decode(column: "source_ticket_key", as: String?.self),
            createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)),
            updatedAt: Millis.date(try row.decode(column: "updated_at", as: Int.self)),
            publishedAt: try row.decode(column: "published_at", as: Int?.self).map(Millis.date))
    }
}

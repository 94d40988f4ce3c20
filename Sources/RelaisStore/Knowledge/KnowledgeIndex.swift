import Foundation
import RelaisCore
import SQLKit

/// The full-text index of the knowledge base, one interface over two engines: FTS5 on SQLite,
/// `tsvector` on PostgreSQL. Text is folded by Relais before it is indexed and before it is
/// searched, so both engines find "accès" with "acces".
protocol KnowledgeIndex: Sendable {
    /// Indexes an article inside the caller's transaction; `replacing` when it was indexed before.
    func index(_ article: KnowledgeArticle, key: Int64, replacing: Bool, on db: any SQLDatabase) async throws
    /// The ids of the articles matching `query`, best first, with their scores.
    func search(_ query: KnowledgeQuery, organizationID: UUID, on db: any SQLDatabase) async throws -> [(id: String, score: Double)]
}

/// A search of the knowledge base.
public struct KnowledgeQuery: Sendable, Equatable {
    public enum Match: Sendable, Equatable {
        /// Every word must appear; the last one may be the start of a word (typing in a search box).
        case allWords
        /// Any word may appear; articles with more of them, and rarer ones, rank first (a ticket subject).
        case anyWord
    }

    public var words: [String]
    public var match: Match
    public var language: String?
    public var category: String?
    public var statuses: [KnowledgeArticle.Status]
    /// Only articles written for customers.
    public var customersOnly: Bool
    public var limit: Int

    /// The last word is taken as the start of a word only from three letters on: shorter
    /// prefixes stand for thousands of words and would make every search slow.
    var prefixLast: Bool { match == .allWords && (words.last?.count ?? 0) >= 3 }

    public init(
        words: [String], match: Match, language: String? = nil, category: String? = nil,
        statuses: [KnowledgeArticle.Status] = [.published], customersOnly: Bool = false, limit: Int = 10
    ) {
        self.words = words
        self.match = match
        self.language = language
        self.category = category
        self.statuses = statuses
        self.customersOnly = customersOnly
        self.limit = limit
    }

    /// Applies the filters that are plain columns of `kb_articles` (aliased `a`).
    func filter(_ select: SQLSelectBuilder, organizationID: UUID) -> SQLSelectBuilder {
        var select = select.where(SQLColumn("organization_id", table: "a"), .equal, SQLBind(organizationID.text))
            .where(SQLColumn("status", table: "a"), .in, SQLBind.group(statuses.map(\.rawValue)))
        if customersOnly { select = select.where(SQLColumn("audience", table: "a"), .equal, SQLBind(KnowledgeArticle.Audience.customers.rawValue)) }
        if let language { select = select.where(SQLColumn("language", table: "a"), .equal, SQLBind(language)) }
        if let category { select = select.where(SQLColumn("category", table: "a"), .equal, SQLBind(category)) }
        return select
    }
}

struct SQLiteKnowledgeIndex: KnowledgeIndex {
    func index(_ article: KnowledgeArticle, key: Int64, replacing: Bool, on db: any SQLDatabase) async throws {
        if replacing { try await db.raw("DELETE FROM kb_search WHERE rowid = \(bind: key)").run() }
        try await db.raw(
            "INSERT INTO kb_search (rowid, title, body) VALUES (\(bind: key), \(bind: SearchText.fold(article.title)), \(bind: SearchText.fold(article.body)))"
        ).run()
    }

    /// An FTS5 expression of quoted words: the words are letters and digits only, so quoting is
    /// enough to keep FTS5's operators out of what people type.
    static func expression(_ query: KnowledgeQuery) -> String {
        let quoted = query.words.enumerated().map { index, word in
            "\"\(word)\"" + (query.prefixLast && index == query.words.count - 1 ? "*" : "")
        }
        return quoted.joined(separator: query.match == .allWords ? " " : " OR ")
    }

    /// Matches ranked by bm25 per search at most: a word found in tens of thousands of articles
    /// would otherwise cost a score for each. Beyond it, the most recent matches are ranked
    /// (search keys grow with time).
    static let rankingWindow = 1_000

    func search(_ query: KnowledgeQuery, organizationID: UUID, on db: any SQLDatabase) async throws -> [(id: String, score: Double)] {
        let expression = Self.expression(query)
        // FTS5 walks matches in key order without scoring them: the key of the window's oldest
        // match of this organisation (another's articles must not push this one's out).
        let oldest = try await db.raw(
            """
            SELECT kb_search.rowid AS key FROM kb_search JOIN kb_articles a ON a.search_key = kb_search.rowid
            WHERE kb_search MATCH \(bind: expression) AND a.organization_id = \(bind: organizationID.text)
            ORDER BY kb_search.rowid DESC LIMIT 1 OFFSET \(bind: Self.rankingWindow - 1)
            """
        ).first(decodingColumn: "key", as: Int64.self)
        // bm25 is lower for better matches; titles weigh ten times the body. The filters are read
        // from an index of kb_articles, never from its rows.
        var select = db.select().column(SQLColumn("id", table: "a"))
            .column(SQLRaw("bm25(kb_search, 10.0, 1.0)"), as: "score")
            .from("kb_search")
            .join(
                SQLAlias(SQLIdentifier("kb_articles"), as: SQLIdentifier("a")), on: SQLColumn("search_key", table: "a"), .equal,
                SQLColumn("rowid", table: "kb_search")
            )
            .where(SQLIdentifier("kb_search"), SQLRaw("MATCH"), SQLBind(expression))
        if let oldest { select = select.where(SQLColumn("rowid", table: "kb_search"), .greaterThanOrEqual, SQLBind(oldest)) }
        let rows = try await query.filter(select, organizationID: organizationID)
            .orderBy(SQLIdentifier("score")).limit(query.limit).all()
        return try rows.map { (try $0.decode(column: "id", as: String.self), -(try $0.decode(column: "score", as: Double.self))) }
    }
}

struct PostgresKnowledgeIndex: KnowledgeIndex {
    /// The text search configuration of an article's language; `simple` (no stemming) for others.
    static func configuration(_ language: String) -> String {
        switch language.lowercased().prefix(2) {
        case "fr": "french"
        case "en": "english"
        case "de": "german"
        case "es": "spanish"
        case "it": "italian"
        default: "simple"
        }
    }

    func index(_ article: KnowledgeArticle, key: Int64, replacing: Bool, on db: any SQLDatabase) async throws {
        let configuration = Self.configuration(article.language)
        try await db.raw(
            """
            UPDATE kb_articles SET search_vector =
                setweight(to_tsvector(\(bind: configuration)::regconfig, \(bind: SearchText.fold(article.title))), 'A') ||
                setweight(to_tsvector(\(bind: configuration)::regconfig, \(bind: SearchText.fold(article.body))), 'B')
            WHERE id = \(bind: article.id.text)
            """
        ).run()
    }

    /// A `to_tsquery` text: words are letters and digits only, so no operator can slip in.
    static func expression(_ query: KnowledgeQuery) -> String {
        let terms = query.words.enumerated().map { index, word in
            word + (query.prefixLast && index == query.words.count - 1 ? ":*" : "")
        }
        return terms.joined(separator: query.match == .allWords ? " & " : " | ")
    }

    func search(_ query: KnowledgeQuery, organizationID: UUID, on db: any SQLDatabase) async throws -> [(id: String, score: Double)] {
        // An article matches when its words match the query stemmed as French or as English;
        // each article was stemmed in its own language when indexed.
        let text = Self.expression(query)
        let tsquery = SQLQueryString(
            "(to_tsquery('english', \(bind: text)) || to_tsquery('french', \(bind: text)) || to_tsquery('simple', \(bind: text)))")
        var score = SQLQueryString("ts_rank_cd(a.search_vector, ")
        score.appendInterpolation(tsquery)
        score.appendLiteral(")")
        var matches = SQLQueryString("a.search_vector @@ ")
        matches.appendInterpolation(tsquery)
        let select = db.select().column(SQLColumn("id", table: "a"))
            .column(score, as: "score")
            .from(SQLAlias(SQLIdentifier("kb_articles"), as: SQLIdentifier("a")))
            .where(matches)
        let rows = try await query.filter(select, organizationID: organizationID)
            .orderBy(SQLIdentifier("score"), SQLDirection.descending).limit(query.limit).all()
        return try rows.map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "score", as: Double.self)) }
    }
}

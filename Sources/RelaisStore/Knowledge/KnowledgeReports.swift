import Foundation
import RelaisCore
import SQLKit

/// How the knowledge base serves: the articles that solved tickets, the tickets requesters did not
/// open thanks to an article, and what people searched for without finding anything.
public struct KnowledgeReport: Sendable, Equatable {
    public struct ArticleUse: Sendable, Equatable {
        public var articleID: String
        public var title: String
        public var written: Int
        public var solved: Int
        public var deflections: Int
    }

    public struct FailedSearch: Sendable, Equatable {
        public var query: String
        public var count: Int
        public var lastSearchedAt: Date
    }

    public var from: Date
    public var to: Date
    public var searches: Int
    public var searchesWithoutResult: Int
    public var deflections: Int
    public var ticketsSolvedWithArticle: Int
    public var articlesWritten: Int
    public var articles: [ArticleUse]
    public var failedSearches: [FailedSearch]
}

extension KnowledgeRepository {
    /// The report over `[from, to)`: articles by use, failed searches by how often they were run.
    public func report(organizationID: UUID, from: Date, to: Date, limit: Int = 50) async throws -> KnowledgeReport {
        let (start, end, organization) = (Millis.from(from), Millis.from(to), organizationID.text)
        return try await database.read { db in
            let links = try await db.raw(
                """
                SELECT article_id, relation, COUNT(*) AS n FROM kb_ticket_links
                WHERE organization_id = \(bind: organization) AND linked_at >= \(bind: start) AND linked_at < \(bind: end)
                GROUP BY article_id, relation
                """
            ).all()
            let deflected = try await db.raw(
                """
                SELECT article_id, COUNT(*) AS n FROM kb_deflections
                WHERE organization_id = \(bind: organization) AND deflected_at >= \(bind: start) AND deflected_at < \(bind: end)
                GROUP BY article_id
                """
            ).all()
            var uses: [String: KnowledgeReport.ArticleUse] = [:]
            func use(_ id: String) -> KnowledgeReport.ArticleUse {
                uses[id] ?? .init(articleID: id, title: "", written: 0, solved: 0, deflections: 0)
            }
            for row in links {
                let id = try row.decode(column: "article_id", as: String.self), count = try row.decode(column: "n", as: Int.self)
                var entry = use(id)
                if try row.decode(column: "relation", as: String.self) == TicketRules.ArticleRelation.writtenFrom.rawValue {
                    entry.written += count
                } else {
                    entry.solved += count
                }
                uses[id] = entry
            }
            for row in deflected {
                let id = try row.decode(column: "article_id", as: String.self)
                var entry = use(id)
                entry.deflections += try row.decode(column: "n", as: Int.self)
                uses[id] = entry
            }
            if !uses.isEmpty {
                for row in try await RowsByID.select(
                    ["id", "title"], from: "kb_articles", ids: Array(uses.keys), organizationID: organizationID, on: db)
                {
                    let id = try row.decode(column: "id", as: String.self)
                    uses[id]?.title = try row.decode(column: "title", as: String.self)
                }
            }
            let searches = try await db.raw(
                """
                SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN results = 0 THEN 1 ELSE 0 END), 0) AS empty FROM kb_searches
                WHERE organization_id = \(bind: organization) AND searched_at >= \(bind: start) AND searched_at < \(bind: end)
                """
            ).first()
            let failed = try await db.raw(
                """
                SELECT query, COUNT(*) AS n, MAX(searched_at) AS last FROM kb_searches
                WHERE organization_id = \(bind: organization) AND searched_at >= \(bind: start) AND searched_at < \(bind: end) AND results = 0
                GROUP BY query ORDER BY n DESC, last DESC LIMIT \(bind: limit)
                """
            ).all().map { row in
                KnowledgeReport.FailedSearch(
                    query: try row.decode(column: "query", as: String.self), count: try row.decode(column: "n", as: Int.self),
                    lastSearchedAt: Millis.date(try row.decode(column: "last", as: Int.self)))
            }
            let solvedTickets =
                try await db.raw(
                    """
                    SELECT COUNT(DISTINCT ticket_id) AS n FROM kb_ticket_links
                    WHERE organization_id = \(bind: organization) AND linked_at >= \(bind: start) AND linked_at < \(bind: end)
                    """
                ).first(decodingColumn: "n", as: Int.self) ?? 0
            let articles = uses.values.sorted {
                ($0.solved + $0.written + $0.deflections, $1.articleID) > ($1.solved + $1.written + $1.deflections, $0.articleID)
            }
            return KnowledgeReport(
                from: from, to: to, searches: try searches?.decode(column: "n", as: Int.self) ?? 0,
                searchesWithoutResult: try searches?.decode(column: "empty", as: Int.self) ?? 0,
                deflections: articles.reduce(0) { $0 + $1.deflections }, ticketsSolvedWithArticle: solvedTickets,
                articlesWritten: articles.reduce(0) { $0 + $1.written }, articles: Array(articles.prefix(limit)), failedSearches: failed)
        }
    }
}

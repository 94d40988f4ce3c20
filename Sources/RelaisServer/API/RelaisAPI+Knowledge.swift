import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisMarkdown
import RelaisStore

extension RelaisAPI {
    func listArticles(_ input: Operations.ListArticles.Input) async throws -> Operations.ListArticles.Output {
        let articles = try await services.knowledge.list(
            status: input.query.status.flatMap { KnowledgeArticle.Status(rawValue: $0.rawValue) }, language: input.query.language,
            limit: try limit(input.query.limit), after: try cursor(input.query.cursor), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: articles.map(summary), nextCursor: articles.nextCursor))))
    }

    func createArticle(_ input: Operations.CreateArticle.Input) async throws -> Operations.CreateArticle.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let principal = try RequestPrincipal.require()
        var draft = Self.draft(
            title: body.title, body: body.body, language: body.language, category: body.category,
            audience: body.audience?.rawValue, status: body.status?.rawValue, note: body.note)
        draft.translationOf = try body.translationOf.map { try parseID($0, field: "translation_of") }
        let article = try await services.knowledge.create(draft, by: principal)
        return .created(.init(headers: .init(eTag: ETag.make(article.version)), body: .json(try await encode(article, by: principal))))
    }

    func getArticle(_ input: Operations.GetArticle.Input) async throws -> Operations.GetArticle.Output {
        let principal = try RequestPrincipal.require()
        let article = try await services.knowledge.article(try parseID(input.path.id, field: "id"), by: principal)
        return .ok(.init(headers: .init(eTag: ETag.make(article.version)), body: .json(try await encode(article, by: principal))))
    }

    func updateArticle(_ input: Operations.UpdateArticle.Input) async throws -> Operations.UpdateArticle.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let principal = try RequestPrincipal.require()
        var draft = KnowledgeService.Draft(
            title: body.title, body: body.body, language: body.language,
            audience: body.audience.flatMap { .init(rawValue: $0.rawValue) }, status: body.status.flatMap { .init(rawValue: $0.rawValue) },
            note: body.note)
        // An empty category removes it; leaving it out keeps it.
        if let category = body.category { draft.category = .some(category.isEmpty ? nil : category) }
        let article = try await services.knowledge.update(
            try parseID(input.path.id, field: "id"), draft,
            ifMatch: try ETag.version(ifMatch: input.headers.ifMatch), by: principal)
        return .ok(.init(headers: .init(eTag: ETag.make(article.version)), body: .json(try await encode(article, by: principal))))
    }

    func listArticleVersions(_ input: Operations.ListArticleVersions.Input) async throws -> Operations.ListArticleVersions.Output {
        let versions = try await services.knowledge.versions(of: try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: versions.map { version in
                            .init(
                                version: version.version, title: version.title, body: version.body, category: version.category,
                                status: .init(rawValue: version.status.rawValue) ?? .draft,
                                audience: .init(rawValue: version.audience.rawValue) ?? ._internal,
                                author: version.author, note: version.note, createdAt: version.createdAt)
                        }))))
    }

    func recordDeflection(_ input: Operations.RecordDeflection.Input) async throws -> Operations.RecordDeflection.Output {
        var family: String?, query: String?
        if case let .json(body) = input.body {
            family = body.family
            query = body.query
        }
        try await services.knowledge.recordDeflection(
            articleID: try parseID(input.path.id, field: "id"), family: family, query: query,
            by: try RequestPrincipal.require())
        return .noContent(.init())
    }

    func searchArticles(_ input: Operations.SearchArticles.Input) async throws -> Operations.SearchArticles.Output {
        let limit = input.query.limit ?? 10
        guard (1...50).contains(limit) else { throw APIProblem.invalidField("limit", "limit: must be between 1 and 50") }
        let hits = try await services.knowledge.search(
            input.query.q, language: input.query.language, category: input.query.category,
            status: input.query.status.flatMap { KnowledgeArticle.Status(rawValue: $0.rawValue) }, limit: limit, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: hits.map(hit)))))
    }

    func suggestArticles(_ input: Operations.SuggestArticles.Input) async throws -> Operations.SuggestArticles.Output {
        let hits = try await services.knowledge.suggestions(for: input.query.subject, family: input.query.family, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: hits.map(hit)))))
    }

    func getKnowledgeReport(_ input: Operations.GetKnowledgeReport.Input) async throws -> Operations.GetKnowledgeReport.Output {
        let (from, to) = try period(input.query.from, input.query.to)
        let report = try await services.knowledge.report(from: from, to: to, by: try RequestPrincipal.require())
        return .ok(
            .init(
                body: .json(
                    .init(
                        from: report.from, to: report.to, searches: report.searches, searchesWithoutResult: report.searchesWithoutResult,
                        deflections: report.deflections, ticketsSolvedWithArticle: report.ticketsSolvedWithArticle,
                        articlesWritten: report.articlesWritten,
                        articles: report.articles.map {
                            .init(articleId: $0.articleID, title: $0.title, written: $0.written, solved: $0.solved, deflections: $0.deflections)
                        },
                        failedSearches: report.failedSearches.map { .init(query: $0.query, count: $0.count, lastSearchedAt: $0.lastSearchedAt) }))))
    }

    func listTicketArticles(_ input: Operations.ListTicketArticles.Input) async throws -> Operations.ListTicketArticles.Output {
        let tied = try await services.knowledge.articles(ofTicket: input.path.key, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(ticketArticles(tied))))
    }

    func writeArticleFromTicket(_ input: Operations.WriteArticleFromTicket.Input) async throws -> Operations.WriteArticleFromTicket.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let principal = try RequestPrincipal.require()
        let draft = Self.draft(
            title: body.title, body: body.body, language: body.language, category: body.category,
            audience: body.audience?.rawValue, status: body.status?.rawValue, note: body.note)
        let article = try await services.knowledge.capitalise(
            ticketKey: input.path.key, into: try body.articleId.map { try parseID($0, field: "article_id") }, draft, by: principal)
        return .created(.init(body: .json(try await encode(article, by: principal))))
    }

    func tieArticleToTicket(_ input: Operations.TieArticleToTicket.Input) async throws -> Operations.TieArticleToTicket.Output {
        let tied = try await services.knowledge.tie(
            ticketKey: input.path.key, to: try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(ticketArticles(tied))))
    }

    /// A writer's fields as the service takes them; a category given is set, one left out kept.
    static func draft(
        title: String?, body: String?, language: String?, category: String?, audience: String?, status: String?,
        note: String?
    ) -> KnowledgeService.Draft {
        KnowledgeService.Draft(
            title: title, body: body, language: language, category: category.map { .some($0) },
            audience: audience.flatMap(KnowledgeArticle.Audience.init(rawValue:)),
            status: status.flatMap(KnowledgeArticle.Status.init(rawValue:)), note: note)
    }

    // MARK: Encoding

    func summary(_ article: KnowledgeArticle) -> Components.Schemas.ArticleSummary {
        .init(
            id: article.id.text, title: article.title, language: article.language, category: article.category,
            status: .init(rawValue: article.status.rawValue) ?? .draft, audience: .init(rawValue: article.audience.rawValue) ?? ._internal,
            version: article.version, updatedAt: article.updatedAt)
    }

    func encode(_ article: KnowledgeArticle, by principal: Principal) async throws -> Components.Schemas.Article {
        let translations = try await services.knowledge.translations(of: article, by: principal)
        return .init(
            id: article.id.text, translationGroup: article.translationGroup.text, title: article.title,
            body: article.body, html: SafeMarkdown.html(article.body), language: article.language, category: article.category,
            status: .init(rawValue: article.status.rawValue) ?? .draft, audience: .init(rawValue: article.audience.rawValue) ?? ._internal,
            author: article.author, version: article.version, sourceTicket: article.sourceTicketKey, createdAt: article.createdAt,
            updatedAt: article.updatedAt, publishedAt: article.publishedAt, translations: translations.map(summary))
    }

    func hit(_ hit: KnowledgeRepository.Hit) -> Components.Schemas.ArticleHit {
        .init(article: summary(hit.article), score: hit.score, excerpt: Self.excerpt(of: hit.article.body))
    }

    func ticketArticles(_ tied: [(article: KnowledgeArticle, relation: String)]) -> Components.Schemas.TicketArticles {
        .init(items: tied.map { .init(article: summary($0.article), relation: .init(rawValue: $0.relation) ?? .solvedBy) })
    }

    /// The start of a Markdown body as plain text: marks removed, lines joined, cut at a word.
    static func excerpt(of markdown: String, length: Int = 200) -> String {
        let plain = markdown.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "#>*-+` \t")) }
            .filter { !$0.isEmpty }.joined(separator: " ")
            .replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "`", with: "")
        guard plain.count > length else { return plain }
        let cut = plain.prefix(length)
        return (cut.lastIndex(of: " ").map { String(cut[..<$0]) } ?? String(cut)) + "…"
    }
}

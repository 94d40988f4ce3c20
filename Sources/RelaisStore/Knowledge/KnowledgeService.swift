import Foundation
import RelaisCore
import SQLKit

/// What the API and the command line do with the knowledge base: staff write and read every
/// article; requesters read published articles written for customers, and tell when one solved
/// their problem.
public struct KnowledgeService: Sendable {
    public let map: ProcessMap
    public let repository: KnowledgeRepository
    let tickets: TicketService
    let now: @Sendable () -> Date

    public init(map: ProcessMap, database: RelaisDatabase, tickets: TicketService, now: @escaping @Sendable () -> Date = Date.init) {
        self.map = map
        self.repository = KnowledgeRepository(database: database)
        self.tickets = tickets
        self.now = { Millis.date(Millis.from(now())) }
    }

    /// The fields of an article a writer gives; nil leaves a field as it is.
    public struct Draft: Sendable, Equatable {
        public var title: String?
        public var body: String?
        public var language: String?
        public var category: String??
        public var audience: KnowledgeArticle.Audience?
        public var status: KnowledgeArticle.Status?
        /// Creates the article as a translation of this one.
        public var translationOf: UUID?
        /// Says what changed, kept with the version.
        public var note: String?

        public init(
            title: String? = nil, body: String? = nil, language: String? = nil, category: String?? = nil,
            audience: KnowledgeArticle.Audience? = nil, status: KnowledgeArticle.Status? = nil,
            translationOf: UUID? = nil, note: String? = nil
        ) {
            self.title = title
            self.body = body
            self.language = language
            self.category = category
            self.audience = audience
            self.status = status
            self.translationOf = translationOf
            self.note = note
        }
    }

    var defaultLanguage: String { map.organization.languages.first ?? "en" }

    // MARK: Writing

    public func create(_ draft: Draft, by principal: Principal) async throws -> KnowledgeArticle {
        try principal.require(.change, .article)
        let article = try await newArticle(draft, by: principal)
        try await repository.insert(article, organizationID: principal.organizationID, note: draft.note)
        return article
    }

    func newArticle(_ draft: Draft, sourceTicket: String? = nil, by principal: Principal) async throws -> KnowledgeArticle {
        var group: UUID?
        if let original = draft.translationOf {
            guard let source = try await repository.article(organizationID: principal.organizationID, id: original) else {
                throw StoreError.invalidValue(field: "translation_of", reason: "no article '\(original.text)'")
            }
            group = source.translationGroup
        }
        let time = now()
        var article = KnowledgeArticle(
            id: UUID.timeOrdered(at: time), translationGroup: group, language: draft.language ?? defaultLanguage,
            title: draft.title ?? "", body: draft.body ?? "", category: draft.category ?? nil, audience: draft.audience ?? .internal,
            status: draft.status ?? .draft, author: principal.name, sourceTicketKey: sourceTicket, createdAt: time)
        if article.status == .published { article.publishedAt = time }
        try KnowledgeRules.check(article, map: map)
        return article
    }

    /// Saves a new version of an article; `ifMatch` is the version the writer read.
    public func update(_ id: UUID, _ draft: Draft, ifMatch: Int?, by principal: Principal) async throws -> KnowledgeArticle {
        try principal.require(.change, .article)
        var article = try await article(id, by: principal)
        let read = article.version
        if let ifMatch, ifMatch != read { throw StoreError.versionConflict(current: read) }
        guard apply(draft, to: &article, by: principal) else { return article }
        try KnowledgeRules.check(article, map: map)
        try await repository.update(article, expectedVersion: read, organizationID: principal.organizationID, note: draft.note)
        return article
    }

    /// Applies a draft's fields; false when nothing changes.
    func apply(_ draft: Draft, to article: inout KnowledgeArticle, by principal: Principal) -> Bool {
        let before = article
        if let title = draft.title { article.title = title }
        if let body = draft.body { article.body = body }
        if let language = draft.language { article.language = language }
        if let category = draft.category { article.category = category }
        if let audience = draft.audience { article.audience = audience }
        if let status = draft.status { article.status = status }
        guard article != before else { return false }
        let time = now()
        if article.status == .published, before.status != .published { article.publishedAt = time }
        article.version += 1
        article.updatedAt = time
        article.author = principal.name
        return true
    }

    /// Writes an article from a solved ticket, or a new version of `articleID` from it, and ties
    /// the ticket to it, in one transaction. Without a body the article is the ticket's subject,
    /// description and resolution note.
    public func capitalise(ticketKey: String, into articleID: UUID?, _ draft: Draft, by principal: Principal) async throws -> KnowledgeArticle {
        try principal.require(.change, .article)
        var ticket = try await tickets.find(key: ticketKey, by: principal)
        let read = ticket.version
        var draft = draft
        let resolution = ticket.resolutionNote?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if draft.body == nil, resolution.isEmpty {
            throw TicketError.missingField(field: "body", reason: "\(ticket.key) has no resolution note to write the article from; give a body")
        }
        let article: KnowledgeArticle, isNew: Bool, changed: Bool
        if let articleID {
            var existing = try await self.article(articleID, by: principal)
            // Without a body, the ticket's resolution is added to the article as a new section.
            if draft.body == nil { draft.body = KnowledgeRules.body(existing.body, adding: resolution, of: ticket) }
            changed = apply(draft, to: &existing, by: principal)
            existing.sourceTicketKey = existing.sourceTicketKey ?? ticket.key
            article = existing
            isNew = false
        } else {
            if draft.body == nil { draft.body = KnowledgeRules.body(fromTicket: ticket, resolution: resolution) }
            if draft.title == nil { draft.title = ticket.title }
            if draft.category == nil { draft.category = ticket.category }
            article = try await newArticle(draft, sourceTicket: ticket.key, by: principal)
            (isNew, changed) = (true, true)
        }
        try KnowledgeRules.check(article, map: map)
        let changes = try TicketRules.tieArticle(&ticket, articleID: article.id, relation: .writtenFrom, now: now())
        let (organization, index, note, actor) = (
            principal.organizationID, repository.index, draft.note ?? "written from \(ticket.key)", principal.name
        )
        let ticketID = ticket.id, time = ticket.updatedAt
        let expected = article.version - 1
        _ = try await tickets.tickets.update(ticket, expectedVersion: read, changes: changes, actor: tickets.actor(principal)) { db in
            if changed {
                if !isNew { try await KnowledgeRepository.checkVersion(of: article.id, expected: expected, organizationID: organization, on: db) }
                try await KnowledgeRepository.save(article, organizationID: organization, note: note, isNew: isNew, index: index, on: db)
            }
            try await KnowledgeRepository.link(
                ticketID: ticketID, articleID: article.id, relation: TicketRules.ArticleRelation.writtenFrom.rawValue,
                by: actor, at: time, organizationID: organization, on: db)
        }
        return article
    }

    /// Records that an existing article solved a ticket; returns the articles now tied to it.
    public func tie(ticketKey: String, to articleID: UUID, by principal: Principal) async throws -> [(article: KnowledgeArticle, relation: String)] {
        try principal.require(.change, .article)
        var ticket = try await tickets.find(key: ticketKey, by: principal)
        _ = try await article(articleID, by: principal)
        let read = ticket.version
        let changes = try TicketRules.tieArticle(&ticket, articleID: articleID, relation: .solvedBy, now: now())
        let (organization, ticketID, time, actor) = (principal.organizationID, ticket.id, ticket.updatedAt, principal.name)
        _ = try await tickets.tickets.update(ticket, expectedVersion: read, changes: changes, actor: tickets.actor(principal)) { db in
            try await KnowledgeRepository.link(
                ticketID: ticketID, articleID: articleID, relation: TicketRules.ArticleRelation.solvedBy.rawValue,
                by: actor, at: time, organizationID: organization, on: db)
        }
        return try await repository.articles(ofTicket: ticketID, organizationID: organization)
    }

    // MARK: Reading

    public func article(_ id: UUID, by principal: Principal) async throws -> KnowledgeArticle {
        guard let article = try await repository.article(organizationID: principal.organizationID, id: id),
            KnowledgeRules.isVisible(article, toCustomer: AccessPolicy.seesOnlyCustomerArticles(principal))
        else {
            throw StoreError.notFound(what: "article", id: id.text)
        }
        return article
    }

    public func translations(of article: KnowledgeArticle, by principal: Principal) async throws -> [KnowledgeArticle] {
        try await repository.translations(of: article, organizationID: principal.organizationID)
            .filter { KnowledgeRules.isVisible($0, toCustomer: AccessPolicy.seesOnlyCustomerArticles(principal)) }
    }

    public func versions(of id: UUID, by principal: Principal) async throws -> [KnowledgeRepository.Version] {
        try principal.require(.read, .articleHistory)
        _ = try await article(id, by: principal)
        return try await repository.versions(of: id, organizationID: principal.organizationID)
    }

    public func list(
        status: KnowledgeArticle.Status?, language: String?, limit: Int, after cursor: PageCursor?,
        by principal: Principal
    ) async throws -> Page<KnowledgeArticle> {
        let customer = AccessPolicy.seesOnlyCustomerArticles(principal)
        let statuses: [KnowledgeArticle.Status] = customer ? [.published] : status.map { [$0] } ?? KnowledgeArticle.Status.allCases
        if customer, let status, status != .published { return Page(items: [], nextCursor: nil) }
        return try await repository.list(
            organizationID: principal.organizationID, statuses: statuses, customersOnly: customer,
            language: language, limit: limit, after: cursor)
    }

    /// Searches what the caller may read: staff see drafts too unless they ask for a status;
    /// archived articles only when asked for. The search is recorded for the report of what the
    /// base lacks.
    public func search(
        _ text: String, language: String?, category: String?, status: KnowledgeArticle.Status?, limit: Int,
        by principal: Principal
    ) async throws -> [KnowledgeRepository.Hit] {
        let words = SearchText.words(text)
        guard !words.isEmpty else {
            throw StoreError.invalidValue(field: "q", reason: "give at least one word to search for")
        }
        let customer = AccessPolicy.seesOnlyCustomerArticles(principal)
        let statuses = KnowledgeRules.searchedStatuses(asked: status, byCustomer: customer)
        let query = KnowledgeQuery(
            words: words, match: .allWords, language: language, category: category, statuses: statuses,
            customersOnly: customer, limit: limit)
        var hits = try await repository.search(query, organizationID: principal.organizationID)
        if hits.isEmpty, words.count > 1 {
            // Nothing has every word: fall back to articles with some of them, best first.
            var loose = query
            loose.words = SearchText.words(text, dropCommonWords: true)
            loose.match = .anyWord
            hits = try await repository.search(loose, organizationID: principal.organizationID)
        }
        try await repository.recordSearch(
            words, results: hits.count, origin: customer ? "portal" : "agent",
            organizationID: principal.organizationID, at: now())
        return hits
    }

    /// Published articles that may answer a request with this subject, for the ticket form, the
    /// API's answer to a new ticket and the mail acknowledgement. Requesters get only articles
    /// written for customers. `record` counts the search in the report of what the base lacks
    /// (a requester typing a subject); a ticket already sent is not a search.
    public func suggestions(
        for subject: String, family: String?, limit: Int = 5, record: Bool = true,
        by principal: Principal
    ) async throws -> [KnowledgeRepository.Hit] {
        if let family, map.families[family] == nil {
            throw TicketError.unknownValue(field: "family", value: family, allowed: map.families.keys.sorted())
        }
        let words = SearchText.words(subject, dropCommonWords: true)
        guard !words.isEmpty else { return [] }
        let query = KnowledgeQuery(
            words: words, match: .anyWord, statuses: [.published], customersOnly: AccessPolicy.seesOnlyCustomerArticles(principal), limit: limit)
        let hits = try await repository.search(query, organizationID: principal.organizationID)
        if record {
            try await repository.recordSearch(words, results: hits.count, origin: "suggestion", organizationID: principal.organizationID, at: now())
        }
        return hits
    }

    /// A requester read `articleID` and did not need to open a ticket.
    public func recordDeflection(articleID: UUID, family: String?, query: String?, by principal: Principal) async throws {
        let article = try await article(articleID, by: principal)
        if let family, map.families[family] == nil {
            throw TicketError.unknownValue(field: "family", value: family, allowed: map.families.keys.sorted())
        }
        try await repository.recordDeflection(
            articleID: article.id, userID: principal.userID, family: family, query: query,
            organizationID: principal.organizationID, at: now())
    }

    public func articles(ofTicket key: String, by principal: Principal) async throws -> [(article: KnowledgeArticle, relation: String)] {
        let ticket = try await tickets.find(key: key, by: principal)
        return try await repository.articles(ofTicket: ticket.id, organizationID: principal.organizationID)
            .filter { KnowledgeRules.isVisible($0.article, toCustomer: AccessPolicy.seesOnlyCustomerArticles(principal)) }
    }

    public func report(from: Date, to: Date, by principal: Principal) async throws -> KnowledgeReport {
        try principal.require(.read, .report)
        return try await repository.report(organizationID: principal.organizationID, from: from, to: to)
    }
}

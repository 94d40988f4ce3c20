import Foundation

/// An article of the knowledge base, in one language; its translations share `translationGroup`.
public struct KnowledgeArticle: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable, CaseIterable { case draft, published, archived }
    /// Who may read it: staff only, or customers in the portal as well.
    public enum Audience: String, Sendable, Equatable, CaseIterable { case `internal`, customers }

    public var id: UUID
    public var translationGroup: UUID
    public var language: String
    public var title: String
    /// Markdown; rendered to HTML safely when shown.
    public var body: String
    public var category: String?
    public var audience: Audience
    public var status: Status
    public var author: String
    /// 1 for the first text, one more for each saved change.
    public var version: Int
    /// The ticket whose resolution the article was written from.
    public var sourceTicketKey: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var publishedAt: Date?

    public init(
        id: UUID, translationGroup: UUID? = nil, language: String, title: String, body: String, category: String? = nil,
        audience: Audience = .`internal`, status: Status = .draft, author: String, version: Int = 1,
        sourceTicketKey: String? = nil, createdAt: Date, updatedAt: Date? = nil, publishedAt: Date? = nil
    ) {
        self.id = id
        self.translationGroup = translationGroup ?? id
        self.language = language
        self.title = title
        self.body = body
        self.category = category
        self.audience = audience
        self.status = status
        self.author = author
        self.version = version
        self.sourceTicketKey = sourceTicketKey
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.publishedAt = publishedAt
    }
}

/// What an article must hold, as the map and the knowledge base agree.
public enum KnowledgeRules {
    public static let maxTitleLength = 300
    public static let maxBodyLength = 200_000

    /// Refuses an article the base cannot hold, naming the field.
    public static func check(_ article: KnowledgeArticle, map: ProcessMap) throws {
        let title = article.title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { throw TicketError.missingField(field: "title", reason: "an article needs a title") }
        if title.count > maxTitleLength {
            throw TicketError.notAllowed(
                field: "title", value: String(title.prefix(40)) + "…", reason: "a title has at most \(maxTitleLength) characters")
        }
        if article.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw TicketError.missingField(field: "body", reason: "an article needs a body")
        }
        if article.body.utf8.count > maxBodyLength {
            throw TicketError.notAllowed(
                field: "body", value: "\(article.body.utf8.count) bytes", reason: "a body has at most \(maxBodyLength) bytes")
        }
        let languages = map.organization.languages
        if !languages.isEmpty, !languages.contains(article.language) {
            throw TicketError.unknownValue(field: "language", value: article.language, allowed: languages)
        }
        if let category = article.category, !map.referential.categories.isEmpty, !map.referential.categoryCodes.contains(category) {
            throw TicketError.unknownValue(field: "category", value: category, allowed: map.referential.categoryCodes)
        }
    }

    /// An article's body written from a solved ticket: its description as the symptoms, its
    /// resolution note as the resolution.
    public static func body(fromTicket ticket: Ticket, resolution: String) -> String {
        var parts: [String] = []
        let description = ticket.description.trimmingCharacters(in: .whitespacesAndNewlines)
        if !description.isEmpty { parts.append("## Symptoms\n\n" + description) }
        parts.append("## Resolution\n\n" + resolution)
        return parts.joined(separator: "\n\n")
    }

    /// An existing article's body with another ticket's resolution added as a section of its own.
    public static func body(_ body: String, adding resolution: String, of ticket: Ticket) -> String {
        body + "\n\n## \(ticket.key): \(ticket.title)\n\n" + resolution
    }

    /// The statuses a search covers: the one asked for, else drafts and published articles for
    /// staff; customers only ever see published articles.
    public static func searchedStatuses(asked: KnowledgeArticle.Status?, byCustomer: Bool) -> [KnowledgeArticle.Status] {
        let statuses: [KnowledgeArticle.Status] = asked.map { [$0] } ?? [.published, .draft]
        return byCustomer ? statuses.filter { $0 == .published } : statuses
    }

    /// Whether a reader sees the article: staff see every article, customers only published
    /// articles written for them.
    public static func isVisible(_ article: KnowledgeArticle, toCustomer: Bool) -> Bool {
        !toCustomer || (article.status == .published && article.audience == .customers)
    }
}

import Foundation

extension TicketRules {
    /// How an article is tied to a ticket.
    public enum ArticleRelation: String, Sendable, CaseIterable {
        /// The article was written (or rewritten) from the ticket's resolution.
        case writtenFrom = "written_from"
        /// An existing article solved the ticket.
        case solvedBy = "solved_by"
    }

    /// Ties a knowledge article to the ticket. Writing an article from a ticket needs the ticket
    /// solved: it is the resolution that is capitalised.
    public static func tieArticle(_ ticket: inout Ticket, articleID: UUID, relation: ArticleRelation, now: Date) throws -> [TicketChange] {
        if relation == .writtenFrom, !ticket.statusCategory.isDone {
            throw TicketError.notAllowed(
                field: "status", value: ticket.status,
                reason: "an article is written from a solved or closed ticket; \(ticket.key) is \(ticket.status)")
        }
        touch(&ticket, now)
        return [TicketChange(kind: .articleLinked, field: relation.rawValue, to: articleID.text)]
    }

    /// Ties configuration items to the ticket and unties others; one change per item.
    public static func tieItems(_ ticket: inout Ticket, adding added: [UUID], removing removed: [UUID], now: Date) -> [TicketChange] {
        let changes =
            added.map { TicketChange(kind: .itemLinked, field: "config_item", to: $0.text) }
            + removed.map { TicketChange(kind: .itemUnlinked, field: "config_item", from: $0.text) }
        if !changes.isEmpty { touch(&ticket, now) }
        return changes
    }
}

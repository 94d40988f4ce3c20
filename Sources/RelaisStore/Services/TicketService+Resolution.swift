import Foundation
import RelaisCore
import SQLKit
import Synchronization

extension TicketService {
    /// The requester accepts the resolution of their solved ticket, which closes it.
    public func confirmResolution(key: String, by principal: Principal) async throws -> Ticket {
        var ticket = try await find(key: key, by: principal)
        try requireRequesterOrWriter(principal, of: ticket)
        let read = ticket.version
        let changes = try TicketRules.confirmResolution(&ticket, map: map, now: now())
        return try await tickets.update(ticket, expectedVersion: read, changes: changes, actor: actor(principal))
    }

    /// The requester says their solved ticket is not solved: `reason` is their public reply, which
    /// brings the ticket back to the team.
    public func refuseResolution(key: String, reason: String, by principal: Principal) async throws -> Ticket {
        let ticket = try await find(key: key, by: principal)
        try requireRequesterOrWriter(principal, of: ticket)
        guard ticket.statusCategory == .solved else {
            throw TicketError.notAllowed(
                field: "status", value: ticket.status, reason: "only a solved ticket's resolution can be refused; \(ticket.key) is \(ticket.status)")
        }
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw TicketError.missingField(field: "reason", reason: "say what is still wrong")
        }
        return try await addComment(to: ticket, body: reason, isPublic: true, byRequester: true, actor: actor(principal)).0
    }

    func requireRequesterOrWriter(_ principal: Principal, of ticket: Ticket) throws {
        if principal.userID != ticket.requesterID { try principal.require(.change, .ticket) }
    }

    /// Categories of the referential likely for a new ticket of `family` titled `subject`, best
    /// first, learnt from the latest categorised tickets of the organisation.
    public func suggestCategories(subject: String, family: String?, by principal: Principal, limit: Int = 3) async throws -> [String] {
        let suggester = try await categorySuggester(organizationID: principal.organizationID)
        let known = Set(map.referential.categoryCodes)
        return suggester.suggest(for: subject, allowed: known.isEmpty ? nil : known, limit: limit)
    }

    func categorySuggester(organizationID: UUID) async throws -> CategorySuggester {
        if let cached = suggesters.current(for: organizationID, at: now()) { return cached }
        let rows = try await tickets.database.read { db in
            try await db.select().columns("title", "category").from("tickets")
                .where("organization_id", .equal, organizationID.text).where("category", .isNot, SQLLiteral.null)
                .orderBy("created_at", .descending).limit(CategorySuggestions.examples).all()
        }
        let examples = try rows.map {
            (subject: try $0.decode(column: "title", as: String.self), category: try $0.decode(column: "category", as: String.self))
        }
        let suggester = CategorySuggester(examples: examples)
        suggesters.keep(suggester, for: organizationID, at: now())
        return suggester
    }
}

/// Suggesters learnt per organisation, learnt again after ten minutes so new tickets teach them.
final class CategorySuggestions: Sendable {
    static let examples = 5_000
    private let learnt = Mutex<[UUID: (suggester: CategorySuggester, at: Date)]>([:])

    func current(for organizationID: UUID, at instant: Date) -> CategorySuggester? {
        learnt.withLock { learnt in
            guard let entry = learnt[organizationID], instant.timeIntervalSince(entry.at) < 600 else { return nil }
            return entry.suggester
        }
    }

    func keep(_ suggester: CategorySuggester, for organizationID: UUID, at instant: Date) {
        learnt.withLock { $0[organizationID] = (suggester, instant) }
    }
}

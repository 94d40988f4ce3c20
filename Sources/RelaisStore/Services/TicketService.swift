import Foundation
import RelaisCore
import SQLKit

/// What the API and the command line do with tickets: check access, ask Core, store the result.
public struct TicketService: Sendable {
    public let map: ProcessMap
    public let tickets: TicketRepository
    public let crm: CRMRepository
    let now: @Sendable () -> Date
    let makeID: @Sendable () -> UUID
    /// Channel replies of this service waiting to be committed together (its map and clocks).
    let replies = ReplyQueue(maxBatch: 128)
    /// Category suggesters learnt from this organisation's tickets.
    let suggesters = CategorySuggestions()

    public init(
        map: ProcessMap, database: RelaisDatabase,
        now: @escaping @Sendable () -> Date = Date.init, makeID: @escaping @Sendable () -> UUID = { UUID.timeOrdered() }
    ) {
        self.map = map
        self.tickets = TicketRepository(database: database, sla: map.sla.isEmpty ? nil : SLATracker(map: map))
        self.crm = CRMRepository(database: database)
        // Times are stored to the millisecond; deciding on the stored value keeps what callers get
        // equal to what they read back.
        self.now = { Millis.date(Millis.from(now())) }
        self.makeID = makeID
    }

    /// Opens a ticket.
    public func open(
        _ draft: TicketDraft, by principal: Principal, idempotency: TicketRepository.IdempotencyClaim? = nil
    ) async throws -> TicketRepository.Creation {
        try await open(draft, by: principal, idempotency: idempotency, checkedLinks: nil, record: nil)
    }

    /// Opens a ticket for a received message, recorded (with its sender's new contact) in the
    /// transaction that stores the ticket. `checkedLinks` is for a caller that found the draft's
    /// links itself (intake, whose contact may be stored only then): what routing reads of them,
    /// in place of looking them up again.
    func open(
        _ draft: TicketDraft, by principal: Principal, idempotency: TicketRepository.IdempotencyClaim?,
        checkedLinks: RoutingContext?, record: IntakeRecord?
    ) async throws -> TicketRepository.Creation {
        var draft = draft
        try principal.require(.create, .ticket)
        let cut = AccessPolicy.ticketCut(for: principal)
        if case let .reach(scope) = cut, let families = scope.families, !families.contains(draft.family) {
            throw AccessError.forbidden("the role '\(principal.roleName)' does not reach tickets of family '\(draft.family)'")
        }
        if case .requestedBy = cut {
            draft.openedBy = "customer"
            draft.requesterID = principal.userID
            draft.team = nil
            draft.assignee = nil
            draft.entity = nil
            // A requester who names nothing is taken for the CRM contact of their address, which
            // brings their account along.
            let own = try await DirectoryRepository(database: tickets.database).email(of: principal.userID).asyncFlatMap {
                try await crm.contact(organizationID: principal.organizationID, email: $0)
            }
            if draft.links.isEmpty, map.families[draft.family]?.crm.permitted.contains(.contact) == true, let own {
                draft.links = [CRMLink(kind: .contact, id: own.id)]
            }
            // What a requester names must be theirs: their contact, their account and its records.
            try await requireOwn(draft.links, contact: own, organizationID: principal.organizationID)
        }
        let context: RoutingContext
        if let checkedLinks {
            context = checkedLinks
        } else {
            let resolved = try await resolveLinks(draft.links, family: draft.family, organizationID: principal.organizationID)
            draft.links = resolved.links
            context = resolved.context
        }
        let (ticket, changes) = try TicketRules.open(
            draft, map: map, context: context, id: makeID(), organizationID: principal.organizationID, now: now())
        if case .reach = cut { try principal.requireReach(entity: ticket.entity, defaultEntity: map.defaultEntity) }
        let prefix = map.families[ticket.family]?.keyPrefix ?? "T"
        return try await tickets.insert(
            ticket, prefix: prefix, changes: changes, actor: actor(principal), idempotency: idempotency,
            tier: context["account.tier"], contractLevel: context["contract.sla_level"], record: record)
    }

    public func find(key: String, by principal: Principal) async throws -> Ticket {
        // A ticket out of the caller's reach does not exist for them.
        guard let ticket = try await tickets.find(organizationID: principal.organizationID, key: key),
            principal.may(.read, .ticket),
            AccessPolicy.sees(ticketOf: ticket.family, team: ticket.team, entity: ticket.entity, requester: ticket.requesterID, by: principal)
        else {
            throw StoreError.notFound(what: "ticket", id: key)
        }
        return ticket
    }

    public func list(_ query: TicketQuery, by principal: Principal) async throws -> TicketPage {
        var query = query
        query.organizationID = principal.organizationID
        try principal.require(.list, .ticket)
        switch AccessPolicy.ticketCut(for: principal) {
        case let .requestedBy(userID): query.requesterID = userID
        case let .reach(scope): query.scope = scope
        }
        return try await tickets.list(query)
    }

    public func update(key: String, with patch: TicketPatch, ifMatch version: Int?, by principal: Principal) async throws -> Ticket {
        try principal.require(.change, .ticket)
        var ticket = try await find(key: key, by: principal)
        let read = try check(version, against: ticket)
        var patch = patch
        let resolved = try await resolveLinks(patch.links ?? ticket.links, family: ticket.family, organizationID: principal.organizationID)
        if patch.links != nil { patch.links = resolved.links }
        let changes = try TicketRules.update(&ticket, with: patch, map: map, context: resolved.context, now: now())
        guard !changes.isEmpty else { return ticket }
        return try await tickets.update(ticket, expectedVersion: read, changes: changes, actor: actor(principal))
    }

    public func transition(
        key: String, to status: String, resolutionNote: String?, ifMatch version: Int?, by principal: Principal
    ) async throws -> Ticket {
        try principal.require(.change, .ticket)
        var ticket = try await find(key: key, by: principal)
        let read = try check(version, against: ticket)
        let changes = try TicketRules.transition(&ticket, to: status, resolutionNote: resolutionNote, map: map, now: now())
        return try await tickets.update(ticket, expectedVersion: read, changes: changes, actor: actor(principal))
    }

    /// A comment by an agent or the requester; `channel` records a conversation held elsewhere
    /// (`phone` for a call an agent logs), and only staff may name one.
    public func comment(
        key: String, body: String, isPublic: Bool, channel: String? = nil, by principal: Principal
    ) async throws -> (Ticket, TicketComment) {
        try principal.require(.create, isPublic ? .ticketReply : .internalNote)
        // Logging a conversation held on another channel is the desk's own note of it.
        if channel != nil { try principal.require(.create, .internalNote) }
        let ticket = try await find(key: key, by: principal)
        if let channel, let family = map.families[ticket.family], !family.channels.contains(channel) {
            throw TicketError.unknownValue(field: "channel", value: channel, allowed: family.channels)
        }
        let (saved, comment) = try await addComment(
            to: ticket, body: body, isPublic: isPublic, byRequester: principal.userID == ticket.requesterID,
            channel: channel, actor: actor(principal))
        return (
            saved,
            TicketComment(id: comment.id.text, author: principal.name, body: body, isPublic: isPublic, channel: channel, createdAt: saved.updatedAt)
        )
    }

    /// A message from the requester's side that came by a channel (mail, chat, a social network)
    /// onto `ticket`: a comment counted as the requester's, written in the name of `author`.
    /// `isPublic` false keeps it as an internal note (an automatic reply, for instance); the
    /// message's `record` is written in the same transaction.
    /// Nobody waits on a channel's message to edit the ticket, so it is applied to the ticket as
    /// it is when written (a concurrent change is no conflict), and replies arriving together are
    /// written in one transaction.
    func channelReply(to ticket: Ticket, body: String, author: String, isPublic: Bool, channel: String, record: IntakeRecord) async throws -> Ticket {
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw TicketError.missingField(field: "body", reason: "must not be empty")
        }
        let item = PendingReply(
            organizationID: ticket.organizationID, ticketID: ticket.id, key: ticket.key, body: body, isPublic: isPublic,
            channel: channel, actor: TicketRepository.Actor(id: nil, name: author), commentID: makeID(), now: now(), record: record)
        return try await replies.submit(item, map: map, tracker: tickets.sla, to: tickets.database)
    }

    func addComment(
        to ticket: Ticket, body: String, isPublic: Bool, byRequester: Bool, channel: String? = nil,
        actor: TicketRepository.Actor
    ) async throws -> (Ticket, NewComment) {
        var ticket = ticket
        let read = ticket.version
        let comment = NewComment(id: makeID(), body: body, isPublic: isPublic, channel: channel)
        let changes = try TicketRules.comment(
            &ticket, isPublic: isPublic, byRequester: byRequester, body: body, channel: channel,
            commentID: comment.id, map: map, now: now())
        return (try await tickets.update(ticket, expectedVersion: read, changes: changes, actor: actor, comment: comment), comment)
    }

    /// The requester's rating of a solved ticket; staff may record one the requester gave them.
    public func rate(key: String, score: Int, comment: String?, by principal: Principal) async throws -> (Ticket, Rating) {
        try principal.require(.create, .ticketReply)
        var ticket = try await find(key: key, by: principal)
        let read = ticket.version
        let previous = try await tickets.rating(ticketID: ticket.id)
        let changes = try TicketRules.rate(&ticket, score: score, previous: previous?.score, now: now())
        let rating = Rating(score: score, comment: comment.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 })
        let saved = try await tickets.update(ticket, expectedVersion: read, changes: changes, actor: actor(principal), rating: rating)
        return (saved, rating)
    }

    public func events(key: String, by principal: Principal) async throws -> [TicketEventRecord] {
        let ticket = try await find(key: key, by: principal)
        // A requester sees what happened to their ticket, not who handled it or which rule moved it.
        return try await tickets.events(organizationID: principal.organizationID, ticketID: ticket.id)
            .filter { AccessPolicy.sees(historyOf: $0.change.kind, by: principal) }
    }

    public func comments(key: String, by principal: Principal) async throws -> [TicketComment] {
        let ticket = try await find(key: key, by: principal)
        return try await tickets.comments(
            organizationID: principal.organizationID, ticketID: ticket.id, includeInternal: AccessPolicy.seesInternals(by: principal))
    }

    /// Checks that every linked object exists in the organisation and belongs to the linked account,
    /// adds the account the linked objects belong to when the ticket names none and its family may
    /// link to one, and returns what routing may read of them (`account.tier`, `contract.sla_level`).
    func resolveLinks(_ links: [CRMLink], family: String, organizationID: UUID) async throws -> (links: [CRMLink], context: RoutingContext) {
        var context: RoutingContext = [:]
        var owners: [(index: Int, account: UUID)] = []
        var links = links
        for (index, link) in links.enumerated() {
            let field = "links[\(index)].id"
            func missing() -> StoreError { .invalidValue(field: field, reason: "no \(link.kind.rawValue) '\(link.id.text)'") }
            switch link.kind {
            case .account:
                guard let account = try await crm.account(organizationID: organizationID, id: link.id) else { throw missing() }
                context.merge(account.routingContext) { current, _ in current }
            case .contact:
                guard let contact = try await crm.contact(organizationID: organizationID, id: link.id) else { throw missing() }
                if let owner = contact.accountID { owners.append((index, owner)) }
            default:
                guard let record = try await crm.record(organizationID: organizationID, kind: link.kind, id: link.id) else { throw missing() }
                if let owner = record.accountID { owners.append((index, owner)) }
                context.merge(record.routingContext) { current, _ in current }
            }
        }
        let linkedAccounts = links.filter { $0.kind == .account }.map(\.id)
        if let account = linkedAccounts.first {
            if let stray = owners.first(where: { $0.account != account }) {
                throw StoreError.invalidValue(
                    field: "links[\(stray.index)].id",
                    reason: "the \(links[stray.index].kind.rawValue) belongs to another account than the linked account")
            }
        } else if let first = owners.first, owners.allSatisfy({ $0.account == first.account }),
            map.families[family]?.crm.permitted.contains(.account) == true,
            let account = try await crm.account(organizationID: organizationID, id: first.account)
        {
            links.append(CRMLink(kind: .account, id: account.id))
            context.merge(account.routingContext) { current, _ in current }
        }
        return (links, context)
    }

    func check(_ expected: Int?, against ticket: Ticket) throws -> Int {
        if let expected, expected != ticket.version { throw StoreError.versionConflict(current: ticket.version) }
        return ticket.version
    }

    /// Refuses links a requester names that are not theirs: another contact, another account, or
    /// a record of another account. Nothing is said of what exists elsewhere.
    func requireOwn(_ links: [CRMLink], contact own: Contact?, organizationID: UUID) async throws {
        for (index, link) in links.enumerated() {
            let field = "links[\(index)].id"
            let owner: UUID? =
                switch link.kind {
                case .contact: link.id == own?.id ? own?.accountID ?? link.id : nil
                case .account: link.id
                default: try await crm.record(organizationID: organizationID, kind: link.kind, id: link.id)?.accountID
                }
            let mine = link.kind == .contact ? link.id == own?.id : (owner != nil && owner == own?.accountID)
            guard mine else { throw StoreError.invalidValue(field: field, reason: "no \(link.kind.rawValue) '\(link.id.text)' of yours") }
        }
    }

    func actor(_ principal: Principal) -> TicketRepository.Actor {
        TicketRepository.Actor(id: principal.userID, name: principal.name)
    }
}

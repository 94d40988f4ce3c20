import Foundation
import RelaisCore
import SQLKit

/// Tickets sent to a developers' tracker: one issue, the tickets escalated to it, what Relais
/// still has to ask the tracker, and what the tracker said since.
public struct Escalation: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        /// The tracker has not answered yet; it is asked again until it does or refuses.
        case pending
        /// The issue exists and is followed.
        case open
        /// The tracker refused, or never answered within the retry schedule.
        case failed
    }

    /// What the tracker is asked while the escalation is pending.
    public enum Action: String, Sendable, Equatable {
        /// Open a new issue.
        case create
        /// Read an issue that exists already (a ticket linked to it).
        case read
    }

    public var id: UUID
    public var tracker: String
    public var status: Status
    public var action: Action
    public var issueID: String?
    public var issueKey: String?
    public var issueURL: String?
    public var issueState: String?
    public var fixedAt: Date?
    public var steps: String?
    public var requestedBy: String
    public var requestedAt: Date
    public var attempts: Int
    public var lastError: String?
    /// Keys of the tickets escalated to the issue, oldest first.
    public var tickets: [String]
}

/// A pending escalation taken by a process to ask its tracker, with what the issue is made of.
public struct EscalationWork: Sendable {
    public var escalation: Escalation
    public var organizationID: UUID
    /// The tickets, the first one escalated first.
    public var tickets: [Ticket]
    /// The accounts of those tickets.
    public var accounts: [AffectedAccount]
}

/// Stores escalations and applies what trackers say about their issues to the tickets, each in one
/// transaction with the tickets' history and outside events.
public struct Escalations: Sendable {
    public let database: RelaisDatabase
    /// Keeps SLA rows in step when a shipped fix moves a ticket.
    public let sla: SLATracker?

    public init(database: RelaisDatabase, sla: SLATracker? = nil) {
        self.database = database
        self.sla = sla
    }

    static let columns = [
        "id", "tracker", "status", "action", "issue_id", "issue_key", "issue_url", "issue_state", "fixed_at", "steps",
        "requested_by", "requested_at", "attempts", "last_error",
    ]

    /// Escalates `tickets` to `tracker`: to a new issue, or to issue `issueID` of the tracker.
    /// Tickets added to an issue already followed are recorded at once; otherwise the tracker is
    /// asked by a dispatcher. A ticket already escalated to the tracker (and not failed) is refused.
    public func request(
        _ tickets: [Ticket], tracker: DeveloperTracker, issueID: String?, steps: String?, actor: TicketRepository.Actor,
        at instant: Date
    ) async throws -> Escalation {
        guard let first = tickets.first else { throw StoreError.invalidValue(field: "ticket", reason: "no ticket to escalate") }
        let organization = first.organizationID.text, time = Millis.from(instant)
        let id = try await database.transaction { db -> String in
            var target: (any SQLRow)?
            if let issueID {
                target = try await db.select().columns("id", "status").from("escalations").where("organization_id", .equal, organization)
                    .where("tracker", .equal, tracker.name).where("issue_id", .equal, issueID).first()
            }
            let targetID = try target?.decode(column: "id", as: String.self)
            // A ticket goes to a tracker once; escalating it to the issue it is already on changes nothing.
            let existing = try await db.raw(
                """
                SELECT t.ticket_id, e.id, e.issue_key, e.status FROM escalation_tickets t JOIN escalations e ON e.id = t.escalation_id
                WHERE t.ticket_id IN (\(binds: tickets.map(\.id.text))) AND e.tracker = \(bind: tracker.name) AND e.status <> 'failed'
                """
            ).all()
            var already = Set<String>()
            for row in existing {
                let ticketID = try row.decode(column: "ticket_id", as: String.self)
                if try row.decode(column: "id", as: String.self) == targetID {
                    already.insert(ticketID)
                    continue
                }
                let key = tickets.first { $0.id.text == ticketID }?.key ?? ticketID
                let issue = try row.decode(column: "issue_key", as: String?.self)
                throw StoreError.duplicate(
                    field: "tracker", value: "\(key) is already escalated to \(tracker.name)" + (issue.map { " as \($0)" } ?? " (pending)"))
            }
            let added = tickets.filter { !already.contains($0.id.text) }
            let escalationID: String
            if let targetID {
                escalationID = targetID
                // Asked again for an issue the tracker refused before: ask it again.
                if try target?.decode(column: "status", as: String.self) == Escalation.Status.failed.rawValue {
                    try await db.update("escalations").set("status", to: Escalation.Status.pending.rawValue).set("attempts", to: 0)
                        .set("next_attempt_at", to: time).set("updated_at", to: time).where("id", .equal, targetID).run()
                }
            } else {
                escalationID = UUID.timeOrdered(at: instant).text
                try await RowInsert.run(
                    "escalations",
                    columns: [
                        "id", "organization_id", "tracker", "action", "status", "issue_id", "steps", "requested_by", "requested_at",
                        "updated_at", "next_attempt_at",
                    ],
                    rows: [
                        [
                            escalationID, organization, tracker.name, (issueID == nil ? Escalation.Action.create : .read).rawValue,
                            Escalation.Status.pending.rawValue, issueID, steps, actor.name, time, time, time,
                        ]
                    ], on: db)
            }
            // A ticket of a failed escalation asked again is in it already.
            try await RowInsert.run(
                "escalation_tickets", columns: ["escalation_id", "ticket_id", "organization_id", "added_at"],
                rows: added.map { [escalationID, $0.id.text, organization, time] }, ignoringConflicts: true, on: db)
            // Added to an issue already open: the tickets say so now.
            if let target, try target.decode(column: "status", as: String.self) == Escalation.Status.open.rawValue,
                let issue = try await db.select().columns("issue_key", "issue_url").from("escalations").where("id", .equal, escalationID).first()
            {
                let key = try issue.decode(column: "issue_key", as: String?.self) ?? issueID ?? ""
                let url = try issue.decode(column: "issue_url", as: String?.self)
                try await change(added.map(\.id.text), actor: actor, on: db) { ticket in
                    TicketRules.escalated(&ticket, tracker: tracker.name, issueKey: key, url: url, now: instant)
                }
            }
            return escalationID
        }
        guard let escalation = try await find(id: id) else { throw StoreError.notFound(what: "escalation", id: id) }
        return escalation
    }

    /// One escalation with its tickets' keys.
    public func find(id: String) async throws -> Escalation? {
        try await database.read { db in try await Self.escalations(where: SQLQueryString("e.id = \(bind: id)"), on: db).first }
    }

    /// The escalations a ticket is part of, oldest first.
    public func list(ticketID: UUID) async throws -> [Escalation] {
        try await database.read { db in
            try await Self.escalations(
                where: SQLQueryString("e.id IN (SELECT escalation_id FROM escalation_tickets WHERE ticket_id = \(bind: ticketID.text))"), on: db)
        }
    }

    static func escalations(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [Escalation] {
        var query = SQLQueryString("SELECT \(unsafeRaw: columns.map { "e.\($0)" }.joined(separator: ", ")) FROM escalations e WHERE ")
        query += condition
        query.appendLiteral(" ORDER BY e.requested_at, e.id")
        let rows = try await db.raw(query).all()
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.decode(column: "id", as: String.self) }
        var keys: [String: [String]] = [:]
        for row in try await db.raw(
            """
            SELECT t.escalation_id, k.key FROM escalation_tickets t JOIN tickets k ON k.id = t.ticket_id
            WHERE t.escalation_id IN (\(binds: ids)) ORDER BY t.added_at, k.number
            """
        ).all() {
            keys[try row.decode(column: "escalation_id", as: String.self), default: []].append(try row.decode(column: "key", as: String.self))
        }
        return try rows.map { row in
            let id = try row.decode(column: "id", as: String.self)
            return Escalation(
                id: UUID(uuidString: id)!, tracker: try row.decode(column: "tracker", as: String.self),
                status: Escalation.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
                action: Escalation.Action(rawValue: try row.decode(column: "action", as: String.self)) ?? .create,
                issueID: try row.decode(column: "issue_id", as: String?.self), issueKey: try row.decode(column: "issue_key", as: String?.self),
                issueURL: try row.decode(column: "issue_url", as: String?.self), issueState: try row.decode(column: "issue_state", as: String?.self),
                fixedAt: try row.decode(column: "fixed_at", as: Int?.self).map(Millis.date), steps: try row.decode(column: "steps", as: String?.self),
                requestedBy: try row.decode(column: "requested_by", as: String.self),
                requestedAt: Millis.date(try row.decode(column: "requested_at", as: Int.self)),
                attempts: try row.decode(column: "attempts", as: Int.self), lastError: try row.decode(column: "last_error", as: String?.self),
                tickets: keys[id] ?? [])
        }
    }

    // MARK: - Asking trackers

    /// Takes up to `limit` pending escalations that are due and not held by another process.
    public func claim(owner: String, limit: Int, at time: Date, leaseUntil: Date) async throws -> [EscalationWork] {
        let now = Millis.from(time)
        return try await database.transaction { db in
            let lock = database.kind == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let ids = try await db.raw(
                """
                SELECT id FROM escalations WHERE status = 'pending' AND next_attempt_at <= \(bind: now)
                AND (lease_until IS NULL OR lease_until < \(bind: now)) ORDER BY next_attempt_at, id LIMIT \(bind: limit)\(unsafeRaw: lock)
                """
            ).all().map { try $0.decode(column: "id", as: String.self) }
            guard !ids.isEmpty else { return [] }
            try await db.update("escalations").set("lease_owner", to: owner).set("lease_until", to: Millis.from(leaseUntil))
                .where("id", .in, ids).run()
            let escalations = try await Self.escalations(where: SQLQueryString("e.id IN (\(binds: ids))"), on: db)
            var work: [EscalationWork] = []
            for escalation in escalations {
                let ticketIDs = try await db.select().column("ticket_id").from("escalation_tickets")
                    .where("escalation_id", .equal, escalation.id.text).all().map { try $0.decode(column: "ticket_id", as: String.self) }
                let rows = try await TicketRow.select(on: db).where("id", .in, ticketIDs).all()
                let byKey = Dictionary(try rows.map(TicketRow.decode).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
                let tickets = escalation.tickets.compactMap { byKey[$0] }
                guard let organizationID = tickets.first?.organizationID else { continue }
                work.append(
                    EscalationWork(
                        escalation: escalation, organizationID: organizationID, tickets: tickets,
                        accounts: try await Self.accounts(of: tickets, on: db)))
            }
            return work
        }
    }

    /// The accounts of `tickets`, with the keys of their tickets among them.
    static func accounts(of tickets: [Ticket], on db: any SQLDatabase) async throws -> [AffectedAccount] {
        var keys: [String: [String]] = [:]
        for ticket in tickets { if let account = ticket.accountID { keys[account.text, default: []].append(ticket.key) } }
        guard !keys.isEmpty else { return [] }
        return try await db.select().columns("id", "name", "tier", "annual_revenue", "currency").from("accounts")
            .where("id", .in, keys.keys.sorted()).all().map { row in
                AffectedAccount(
                    name: try row.decode(column: "name", as: String.self), tier: try row.decode(column: "tier", as: String?.self),
                    annualRevenue: try row.decode(column: "annual_revenue", as: Int?.self),
                    currency: try row.decode(column: "currency", as: String?.self),
                    tickets: keys[try row.decode(column: "id", as: String.self)] ?? [])
            }
    }

    /// The tracker has the issue: the escalation follows it from now on and its tickets record
    /// it. When another escalation follows the same issue already (two tickets linked to one
    /// issue by two requests), the tickets join it. Returns false when `owner` no longer holds
    /// the escalation (its lease ran out and another process took it).
    @discardableResult
    public func opened(_ work: EscalationWork, issue: IssueUpdate, tracker: DeveloperTracker, owner: String, at instant: Date) async throws -> Bool {
        let time = Millis.from(instant), id = work.escalation.id.text
        return try await database.transaction { db in
            guard try await held(id, by: owner, on: db) else { return false }
            let actor = TicketRepository.Actor(id: nil, name: work.escalation.requestedBy)
            let ticketIDs = work.tickets.map(\.id.text)
            if let other = try await db.select().column("id").from("escalations").where("organization_id", .equal, work.organizationID.text)
                .where("tracker", .equal, tracker.name).where("issue_id", .equal, issue.issueID).where("id", .notEqual, id).first()
            {
                let otherID = try other.decode(column: "id", as: String.self)
                try await db.raw(
                    """
                    INSERT INTO escalation_tickets (escalation_id, ticket_id, organization_id, added_at)
                    SELECT \(bind: otherID), ticket_id, organization_id, added_at FROM escalation_tickets WHERE escalation_id = \(bind: id)
                    ON CONFLICT DO NOTHING
                    """
                ).run()
                try await db.delete(from: "escalation_tickets").where("escalation_id", .equal, id).run()
                try await db.delete(from: "escalations").where("id", .equal, id).run()
            } else {
                try await db.update("escalations").set("status", to: Escalation.Status.open.rawValue).set("issue_id", to: issue.issueID)
                    .set("issue_key", to: issue.issueKey).set("issue_url", to: issue.url).set(
                        "issue_state", to: issue.state.name.isEmpty ? nil : issue.state.name
                    )
                    .set("fixed_at", to: tracker.isFixed(issue.state) ? time : nil).set("updated_at", to: time)
                    .set("attempts", to: SQLRaw("attempts + 1")).set("last_error", to: SQLLiteral.null)
                    .set("lease_owner", to: SQLLiteral.null).set("lease_until", to: SQLLiteral.null).where("id", .equal, id).run()
            }
            try await change(ticketIDs, actor: actor, on: db) { ticket in
                TicketRules.escalated(&ticket, tracker: tracker.name, issueKey: issue.issueKey, url: issue.url, now: instant)
            }
            return true
        }
    }

    /// The tracker did not take the issue this time: asked again at `retryAt`, or, when nil, the
    /// escalation fails and its tickets record why.
    @discardableResult
    public func failed(_ work: EscalationWork, reason: String, retryAt: Date?, tracker: String, owner: String, at instant: Date) async throws -> Bool
    {
        let time = Millis.from(instant), id = work.escalation.id.text
        return try await database.transaction { db in
            guard try await held(id, by: owner, on: db) else { return false }
            let update = db.update("escalations").set("attempts", to: SQLRaw("attempts + 1")).set("last_error", to: reason)
                .set("updated_at", to: time).set("lease_owner", to: SQLLiteral.null).set("lease_until", to: SQLLiteral.null).where("id", .equal, id)
            if let retryAt {
                try await update.set("next_attempt_at", to: Millis.from(retryAt)).run()
            } else {
                try await update.set("status", to: Escalation.Status.failed.rawValue).set("next_attempt_at", to: SQLLiteral.null).run()
                try await change(work.tickets.map(\.id.text), actor: TicketRepository.Actor(id: nil, name: work.escalation.requestedBy), on: db) {
                    ticket in
                    TicketRules.escalationFailed(&ticket, tracker: tracker, reason: reason, now: instant)
                }
            }
            return true
        }
    }

    func held(_ id: String, by owner: String, on db: any SQLDatabase) async throws -> Bool {
        try await db.select().column("id").from("escalations").where("id", .equal, id).where("status", .equal, Escalation.Status.pending.rawValue)
            .where("lease_owner", .equal, owner).for(.update).first() != nil
    }

    // MARK: - What trackers say

    /// What became of a tracker's webhook delivery.
    public enum HookOutcome: String, Sendable, Equatable {
        /// The issue's tickets recorded the move.
        case applied
        /// The issue is in the state Relais knew already.
        case unchanged
        /// No ticket was escalated to that issue.
        case unknownIssue = "unknown_issue"
        /// The delivery was taken before: nothing is done twice.
        case duplicate
        /// The delivery is about something else than an issue's state.
        case ignored
    }

    /// Records delivery `deliveryID` of `tracker` and applies `update` (nil for a delivery about
    /// something else) to the tickets escalated to the issue, once: a delivery id seen before
    /// changes nothing.
    public func apply(
        _ update: IssueUpdate?, deliveryID: String, tracker: DeveloperTracker, organizationID: UUID, map: ProcessMap,
        at instant: Date
    ) async throws -> HookOutcome {
        let time = Millis.from(instant), organization = organizationID.text
        return try await database.transaction { db in
            let inserted = try await db.raw(
                """
                INSERT INTO tracker_deliveries (organization_id, tracker, delivery_id, received_at, outcome)
                VALUES (\(bind: organization), \(bind: tracker.name), \(bind: deliveryID), \(bind: time), 'received')
                ON CONFLICT DO NOTHING RETURNING delivery_id
                """
            ).first()
            guard inserted != nil else { return .duplicate }
            let outcome = try await apply(update, tracker: tracker, organization: organization, map: map, instant: instant, on: db)
            try await db.update("tracker_deliveries").set("outcome", to: outcome.rawValue).where("organization_id", .equal, organization)
                .where("tracker", .equal, tracker.name).where("delivery_id", .equal, deliveryID).run()
            return outcome
        }
    }

    func apply(
        _ update: IssueUpdate?, tracker: DeveloperTracker, organization: String, map: ProcessMap, instant: Date,
        on db: any SQLDatabase
    ) async throws -> HookOutcome {
        guard let update else { return .ignored }
        guard
            let row = try await db.select().columns("id", "issue_state", "fixed_at").from("escalations").where(
                "organization_id", .equal, organization
            )
            .where("tracker", .equal, tracker.name).where("issue_id", .equal, update.issueID).for(.update).first()
        else { return .unknownIssue }
        let id = try row.decode(column: "id", as: String.self)
        let previous = try row.decode(column: "issue_state", as: String?.self)
        let wasFixed = try row.decode(column: "fixed_at", as: Int?.self) != nil
        guard previous != update.state.name else { return .unchanged }
        let fixed = tracker.isFixed(update.state)
        let time = Millis.from(instant)
        try await db.update("escalations").set("issue_state", to: update.state.name).set("updated_at", to: time)
            .set("fixed_at", to: fixed ? (wasFixed ? SQLRaw("fixed_at") : SQLBind(time)) as any SQLExpression : SQLLiteral.null)
            .set("issue_url", to: SQLFunction("COALESCE", args: SQLColumn("issue_url"), SQLBind(update.url)))
            .where("id", .equal, id).run()
        let ticketIDs = try await db.select().column("ticket_id").from("escalation_tickets").where("escalation_id", .equal, id).all()
            .map { try $0.decode(column: "ticket_id", as: String.self) }
        let accounts = try await change(ticketIDs, actor: TicketRepository.Actor(id: nil, name: tracker.name), on: db) { ticket in
            TicketRules.trackerMoved(&ticket, tracker: tracker, from: previous, update: update, wasFixed: wasFixed, map: map, now: instant)
        }
        // The accounts' summaries say how many of their tickets wait on a fix: they are published again.
        if !accounts.isEmpty {
            try await db.update("account_rollups").set("dirty", to: 1).where("account_id", .in, accounts.sorted()).run()
        }
        return .applied
    }

    /// Applies `rule` to each of the tickets, locked, and writes what it changed; returns the
    /// accounts of the tickets that changed.
    @discardableResult
    func change(
        _ ticketIDs: [String], actor: TicketRepository.Actor, on db: any SQLDatabase,
        _ rule: (inout Ticket) -> [TicketChange]
    ) async throws -> Set<String> {
        guard !ticketIDs.isEmpty else { return [] }
        if let sla { try await sla.lock(ticketIDs.sorted(), on: db) }
        let rows = try await TicketRow.select(on: db).where("id", .in, ticketIDs.sorted()).for(.update).all()
        var changed: [Ticket] = [], accounts = Set<String>(), moved = false
        for row in rows {
            var ticket = try TicketRow.decode(row)
            let changes = rule(&ticket)
            guard !changes.isEmpty else { continue }
            if changes.contains(where: { $0.kind == .statusChanged }) { moved = true }
            try await TicketRepository.write(ticket, changes: changes, actor: actor, on: db)
            changed.append(ticket)
            if let account = ticket.accountID { accounts.insert(account.text) }
        }
        if moved, let sla, let last = changed.map(\.updatedAt).max() {
            _ = try await sla.refresh(changed, on: db, now: Int64(Millis.from(last)))
        }
        return accounts
    }
}

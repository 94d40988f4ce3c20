import Foundation
import Logging
import RelaisCore
import SQLKit

/// Records SLA warnings and breaches when they fall due, and carries out the escalation the
/// policy asks for. It reads only the rows whose next check has come (an index on
/// `next_check_at`), records each warning and breach once (the row keeps what was recorded, in
/// the same transaction), and on PostgreSQL leases rows with `FOR UPDATE SKIP LOCKED`, so any
/// number of `relais serve` processes can run it over one database.
public struct SLAClockWorker: Sendable {
    public let database: RelaisDatabase
    public let tracker: SLATracker
    let now: @Sendable () -> Date
    static let actor = TicketRepository.Actor(id: nil, name: "sla")

    public init(database: RelaisDatabase, tracker: SLATracker, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.tracker = tracker
        self.now = now
    }

    /// Checks until the task is cancelled, `interval` apart when nothing is due.
    public func run(every interval: Duration = .seconds(1), logger: Logger = Logger(label: "relais.sla")) async {
        while !Task.isCancelled {
            do {
                let handled = try await runOnce(logger: logger)
                if handled > 0 { continue }
            } catch {
                logger.warning("SLA clock: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Handles up to `limit` tickets whose check has come; returns how many.
    @discardableResult
    public func runOnce(limit: Int = 100, logger: Logger = Logger(label: "relais.sla")) async throws -> Int {
        let instant = Int64(Millis.from(now()))
        do {
            return try await database.transaction { db in
                let ids = try await due(limit: limit, at: instant, on: db)
                for id in ids { try await handle(id, on: db, now: instant) }
                return ids.count
            }
        } catch let error as StoreError where error.isUnavailable {
            throw error
        } catch {
            // A ticket the clock cannot handle must not hold up the others: take them one at a
            // time, and put off for a minute the one that fails.
            let ids = try await database.read { db in try await due(limit: limit, at: instant, on: db, lease: false) }
            for id in ids {
                do {
                    try await database.transaction { db in
                        guard try await due(id, at: instant, on: db) else { return }
                        try await handle(id, on: db, now: instant)
                    }
                } catch {
                    logger.warning("SLA clock: ticket \(id) put off for a minute: \(error)")
                    try await database.transaction { db in
                        try await db.update("ticket_sla").set("next_check_at", to: SQLBind(Int(instant) + 60_000)).where("ticket_id", .equal, id).run()
                    }
                }
            }
            return ids.count
        }
    }

    /// The tickets whose check has come, leased on PostgreSQL so that other processes skip them.
    func due(limit: Int, at instant: Int64, on db: any SQLDatabase, lease: Bool = true) async throws -> [String] {
        let clause = lease && db.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        return try await db.raw("""
            SELECT ticket_id FROM ticket_sla WHERE next_check_at <= \(bind: Int(instant))
            ORDER BY next_check_at LIMIT \(literal: limit)\(unsafeRaw: clause)
            """).all(decodingColumn: "ticket_id", as: String.self)
    }

    /// Leases one ticket whose check has come; false when it is not due any more or another process holds it.
    func due(_ id: String, at instant: Int64, on db: any SQLDatabase) async throws -> Bool {
        let clause = db.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        return try await db.raw("""
            SELECT ticket_id FROM ticket_sla WHERE ticket_id = \(bind: id) AND next_check_at <= \(bind: Int(instant))\(unsafeRaw: clause)
            """).first() != nil
    }

    func handle(_ id: String, on db: any SQLDatabase, now: Int64) async throws {
        guard let ticket = try await db.select().columns(TicketRow.columns.map { SQLColumn($0) }).from("tickets")
            .where("id", .equal, id).first().map(TicketRow.decode) else {
            try await db.delete(from: "ticket_sla").where("ticket_id", .equal, id).run()
            return
        }
        guard let evaluated = try await tracker.refresh(ticket, on: db, now: now) else { return }
        let fresh = evaluated.state.firings.filter { !evaluated.fired.contains($0.key) }
        guard !fresh.isEmpty else { return }
        var changed = ticket
        let changes = try await consequences(of: fresh, policy: evaluated.applied.policy, ticket: &changed, on: db)
        changed.updatedAt = Millis.date(Int(now))
        changed.version += 1
        try await TicketRepository.write(changed, changes: changes, actor: Self.actor, on: db)
        try await tracker.refresh(changed, on: db, now: now, fired: Set(fresh.map(\.key)))
    }

    /// The history entries for new warnings and breaches, and the escalation they call for.
    func consequences(of firings: [SLAFiring], policy: SLAPolicy, ticket: inout Ticket, on db: any SQLDatabase) async throws -> [TicketChange] {
        let map = tracker.engine.map
        var changes: [TicketChange] = [], escalated = false
        for firing in firings {
            let escalation = firing.kind == .warning ? policy.onWarning : policy.onBreach
            var change = TicketChange(kind: firing.kind == .warning ? .slaWarning : .slaBreached, field: firing.metric.rawValue,
                                      from: Self.iso(firing.cycleStart), to: Self.iso(firing.at), rule: policy.code)
            if !escalation.notify.isEmpty {
                change.details["notify"] = try await recipients(escalation.notify, of: ticket, on: db)
            }
            changes.append(change)
            // A clock that already stopped (the reply came late) is recorded, not escalated.
            guard firing.open else { continue }
            if escalation.escalate, !escalated, let team = ticket.team, let next = map.teams[team]?.escalatesTo {
                escalated = true
                changes.append(TicketChange(kind: .assigned, field: "team", from: team, to: next, rule: policy.code))
                ticket.team = next
                ticket.level = map.teams[next]?.level
                if let assignee = ticket.assignee {
                    changes.append(TicketChange(kind: .assigned, field: "assignee", from: assignee, to: nil, rule: policy.code))
                    ticket.assignee = nil
                }
            }
            if escalation.raisePriority > 0, let priority = ticket.priority {
                let raised = map.referential.priorityMatrix.raise(priority, by: escalation.raisePriority)
                if raised != priority {
                    changes.append(TicketChange(kind: .fieldChanged, field: "priority", from: priority, to: raised, rule: policy.code))
                    ticket.priority = raised
                }
            }
        }
        return changes
    }

    /// `team=it-l1, assignee=alice, account_owner=bob`: who must hear of it, as far as it is known.
    func recipients(_ roles: [String], of ticket: Ticket, on db: any SQLDatabase) async throws -> String {
        var named: [String] = []
        for role in roles {
            let value: String? = switch role {
            case "team": ticket.team
            case "assignee": ticket.assignee
            case "requester": ticket.requesterID?.text
            case "account_owner":
                if let account = ticket.accountID {
                    try await db.raw("SELECT owner FROM accounts WHERE id = \(bind: account.text)").first()?.decode(column: "owner", as: String?.self)
                } else { nil }
            default: nil
            }
            if let value { named.append("\(role)=\(value)") }
        }
        return named.joined(separator: ", ")
    }

    static func iso(_ millis: Int64) -> String {
        Millis.date(Int(millis)).formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

extension StoreError {
    /// The database itself failed: retrying ticket by ticket would not help.
    var isUnavailable: Bool { if case .unavailable = self { true } else { false } }
}

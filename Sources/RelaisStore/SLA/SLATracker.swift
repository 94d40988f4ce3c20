import Foundation
import RelaisCore
import SQLKit

/// Keeps each ticket's `ticket_sla` row in step with its history: chosen policy, next instant the
/// clock must look at it, deadlines and outcomes for lists and reports. Warnings and breaches are
/// recorded by `SLAClockWorker`, never here, so each is written once.
public struct SLATracker: Sendable {
    public let engine: SLAEngine
    static let columns = ["ticket_id", "organization_id", "policy_code", "policy", "fingerprint", "fired", "is_open",
                          "next_check_at", "due_at", "breached", "first_response", "next_response", "periodic_update",
                          "resolution", "evaluated_at"]

    public init(map: ProcessMap) { engine = SLAEngine(map: map) }
    public init(engine: SLAEngine) { self.engine = engine }

    /// A policy as applied to a ticket, with what identifies it and its calendar.
    struct Applied {
        var policy: SLAPolicy
        var fingerprint: String
    }

    func applied(_ policy: SLAPolicy) -> Applied {
        Applied(policy: policy, fingerprint: fingerprint(policy))
    }

    /// Changes whenever the policy or its calendar changes, so open tickets can be re-evaluated.
    func fingerprint(_ policy: SLAPolicy) -> String {
        var text = JSONText.encode(policy)
        if let calendar = engine.map.calendars[policy.calendar] {
            text += "|\(calendar.timezone)|\(calendar.businessDay)"
            for day in BusinessCalendar.Weekday.allCases { text += "|\(calendar.hours[day] ?? [])" }
            text += "|" + calendar.holidays.map(\.description).sorted().joined(separator: ",")
            text += "|" + calendar.openings.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
        }
        // FNV-1a, 64 bits: a change detector, not a secret.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return String(hash, radix: 16)
    }

    /// The row for a ticket being created, or nil when no policy covers it.
    func creationRow(_ ticket: Ticket, changes: [TicketChange], tier: String?) -> RowInsert.Row? {
        guard let policy = engine.policy(family: ticket.family, tier: tier, contractLevel: nil) else { return nil }
        let now = Int64(Millis.from(ticket.createdAt))
        let history = changes.map { (at: now, change: $0) }
        guard let state = engine.evaluate(history, family: ticket.family, priority: ticket.priority, policy: policy, now: now) else { return nil }
        return row(ticket, applied(policy), fired: [], state: state, now: now)
    }

    func row(_ ticket: Ticket, _ applied: Applied, fired: Set<String>, state: SLAState, now: Int64) -> RowInsert.Row {
        let unfired = state.firings.filter { !fired.contains($0.key) }.map(\.at).min()
        let nextCheck = [unfired, state.nextDue].compactMap { $0 }.min()
        let due = state.metrics.compactMap(\.dueAt).min()
        func outcome(_ metric: SLAPolicy.Metric) -> String? {
            guard let state = state.metrics.first(where: { $0.metric == metric }) else { return nil }
            if state.breaches > 0 { return "breached" }
            return state.met == true ? "met" : "open"
        }
        let breachedNow = state.metrics.contains { $0.breached && $0.clock != .stopped }
        return [ticket.id.text, ticket.organizationID.text, applied.policy.code, JSONText.encode(applied.policy), applied.fingerprint,
                JSONText.encode(fired.sorted()), ticket.statusCategory == .solved || ticket.statusCategory == .closed ? 0 : 1,
                nextCheck.map(Int.init), due.map(Int.init), breachedNow ? 1 : 0,
                outcome(.firstResponse), outcome(.nextResponse), outcome(.periodicUpdate), outcome(.resolution), Int(now)]
    }

    /// What is stored of a ticket's SLA.
    struct Stored {
        var applied: Applied
        var fired: Set<String>
    }

    func stored(ticketID: UUID, on db: any SQLDatabase, lock: Bool) async throws -> Stored? {
        let lockClause = lock && db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        guard let row = try await db.raw("SELECT policy, fingerprint, fired FROM ticket_sla WHERE ticket_id = \(bind: ticketID.text)\(unsafeRaw: lockClause)").first() else {
            return nil
        }
        let policy = try JSONText.decode(SLAPolicy.self, try row.decode(column: "policy", as: String.self))
        let fired = try JSONText.decode([String].self, try row.decode(column: "fired", as: String.self))
        return Stored(applied: Applied(policy: policy, fingerprint: try row.decode(column: "fingerprint", as: String.self)), fired: Set(fired))
    }

    /// The ticket's history as the clock reads it.
    func history(ticketID: UUID, on db: any SQLDatabase) async throws -> [(at: Int64, change: TicketChange)] {
        try await db.raw("""
            SELECT kind, field, from_value, to_value, occurred_at FROM ticket_events
            WHERE ticket_id = \(bind: ticketID.text) ORDER BY sequence
            """).all().compactMap { row in
            guard let kind = TicketChange.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
            let change = TicketChange(kind: kind, field: try row.decode(column: "field", as: String?.self),
                                      from: try row.decode(column: "from_value", as: String?.self), to: try row.decode(column: "to_value", as: String?.self))
            return (Int64(try row.decode(column: "occurred_at", as: Int.self)), change)
        }
    }

    func tier(of ticket: Ticket, on db: any SQLDatabase) async throws -> String? {
        guard let account = ticket.accountID else { return nil }
        return try await db.raw("SELECT tier FROM accounts WHERE id = \(bind: account.text)").first()?.decode(column: "tier", as: String?.self)
    }

    /// The policy that governs the ticket now: the one it had, unless the map changed it and the
    /// old policy does not ask to be kept.
    func governing(_ ticket: Ticket, stored: Stored?, on db: any SQLDatabase) async throws -> Applied? {
        let selected = engine.policy(family: ticket.family, tier: try await tier(of: ticket, on: db), contractLevel: nil).map(applied)
        guard let stored else { return selected }
        if let selected, selected.fingerprint == stored.applied.fingerprint { return selected }
        let open = ticket.statusCategory != .solved && ticket.statusCategory != .closed
        if stored.applied.policy.onPolicyChange == .keep, open, engine.timelines[stored.applied.policy.calendar] != nil {
            return stored.applied
        }
        return selected
    }

    /// Re-evaluates the ticket's SLA inside the caller's transaction and stores the result.
    /// Returns the state and what it was computed with, for callers that act on it.
    @discardableResult
    func refresh(_ ticket: Ticket, on db: any SQLDatabase, now: Int64, fired extra: Set<String> = [])
        async throws -> (state: SLAState, applied: Applied, fired: Set<String>)? {
        let stored = try await stored(ticketID: ticket.id, on: db, lock: false)
        guard let applied = try await governing(ticket, stored: stored, on: db),
              let state = engine.evaluate(try await history(ticketID: ticket.id, on: db), family: ticket.family, priority: ticket.priority, policy: applied.policy, now: now) else {
            if stored != nil { try await db.delete(from: "ticket_sla").where("ticket_id", .equal, ticket.id.text).run() }
            return nil
        }
        let fired = (stored?.fired ?? []).union(extra)
        let values = row(ticket, applied, fired: fired, state: state, now: now)
        try await RowInsert.run("ticket_sla", columns: Self.columns, rows: [values], upsertingOn: "ticket_id", on: db)
        return (state, applied, fired)
    }

    /// Takes the ticket's SLA row lock first, so that a user's change and the clock always lock
    /// the SLA row before the ticket row and cannot deadlock on PostgreSQL.
    func lock(_ ticketID: UUID, on db: any SQLDatabase) async throws {
        guard db.dialect.name == "postgresql" else { return }
        try await db.raw("SELECT ticket_id FROM ticket_sla WHERE ticket_id = \(bind: ticketID.text) FOR UPDATE").run()
    }
}

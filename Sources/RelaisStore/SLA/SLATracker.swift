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

    /// The map's policies as stored, computed once: encoding and fingerprinting a policy costs more
    /// than evaluating a ticket.
    let known: [String: Applied]

    public init(map: ProcessMap) { self.init(engine: SLAEngine(map: map)) }

    public init(engine: SLAEngine) {
        self.engine = engine
        known = engine.map.sla.mapValues { Applied(policy: $0, json: JSONText.encode($0), fingerprint: Self.fingerprint($0, in: engine.map)) }
    }

    /// A policy as applied to a ticket, with its stored form and what identifies it and its calendar.
    struct Applied {
        var policy: SLAPolicy
        var json: String
        var fingerprint: String
    }

    func applied(_ policy: SLAPolicy) -> Applied {
        if let known = known[policy.code], known.policy == policy { return known }
        return Applied(policy: policy, json: JSONText.encode(policy), fingerprint: Self.fingerprint(policy, in: engine.map))
    }

    /// Changes whenever the policy or its calendar changes, so open tickets can be re-evaluated.
    static func fingerprint(_ policy: SLAPolicy, in map: ProcessMap) -> String {
        var text = JSONText.encode(policy)
        if let calendar = map.calendars[policy.calendar] {
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
        return [ticket.id.text, ticket.organizationID.text, applied.policy.code, applied.json, applied.fingerprint,
                JSONText.encode(fired.sorted()), ticket.statusCategory == .solved || ticket.statusCategory == .closed ? 0 : 1,
                nextCheck.map(Int.init), due.map(Int.init), breachedNow ? 1 : 0,
                outcome(.firstResponse), outcome(.nextResponse), outcome(.periodicUpdate), outcome(.resolution), Int(now)]
    }

    /// What is stored of a ticket's SLA.
    struct Stored {
        var applied: Applied
        var fired: Set<String>
    }

    /// What is stored of each ticket's SLA, by ticket id.
    func stored(_ ids: [String], on db: any SQLDatabase) async throws -> [String: Stored] {
        guard !ids.isEmpty else { return [:] }
        var query = SQLQueryString("SELECT ticket_id, policy, fingerprint, fired FROM ticket_sla WHERE ticket_id IN (")
        query.appendInterpolation(binds: ids)
        query.appendLiteral(")")
        var result: [String: Stored] = [:]
        for row in try await db.raw(query).all() {
            let policy = try JSONText.decode(SLAPolicy.self, try row.decode(column: "policy", as: String.self))
            let fired = try JSONText.decode([String].self, try row.decode(column: "fired", as: String.self))
            let json = try row.decode(column: "policy", as: String.self)
            result[try row.decode(column: "ticket_id", as: String.self)] = Stored(
                applied: Applied(policy: policy, json: json, fingerprint: try row.decode(column: "fingerprint", as: String.self)), fired: Set(fired))
        }
        return result
    }

    func stored(ticketID: UUID, on db: any SQLDatabase) async throws -> Stored? {
        try await stored([ticketID.text], on: db)[ticketID.text]
    }

    /// The tickets' histories as the clock reads them: only the entries that can move a clock.
    func histories(_ ids: [String], on db: any SQLDatabase) async throws -> [String: [(at: Int64, change: TicketChange)]] {
        guard !ids.isEmpty else { return [:] }
        var query = SQLQueryString("""
            SELECT ticket_id, kind, field, from_value, to_value, occurred_at FROM ticket_events
            WHERE (kind IN ('created', 'status_changed', 'commented') OR (kind = 'field_changed' AND field = 'priority'))
            AND ticket_id IN (
            """)
        query.appendInterpolation(binds: ids)
        query.appendLiteral(") ORDER BY ticket_id, sequence")
        var result: [String: [(at: Int64, change: TicketChange)]] = [:]
        for row in try await db.raw(query).all() {
            guard let kind = TicketChange.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { continue }
            let change = TicketChange(kind: kind, field: try row.decode(column: "field", as: String?.self),
                                      from: try row.decode(column: "from_value", as: String?.self), to: try row.decode(column: "to_value", as: String?.self))
            result[try row.decode(column: "ticket_id", as: String.self), default: []].append((Int64(try row.decode(column: "occurred_at", as: Int.self)), change))
        }
        return result
    }

    func history(ticketID: UUID, on db: any SQLDatabase) async throws -> [(at: Int64, change: TicketChange)] {
        try await histories([ticketID.text], on: db)[ticketID.text] ?? []
    }

    /// The tier of each account the tickets are linked to.
    func tiers(of tickets: [Ticket], on db: any SQLDatabase) async throws -> [String: String] {
        let accounts = Array(Set(tickets.compactMap { $0.accountID?.text }))
        guard !accounts.isEmpty else { return [:] }
        var query = SQLQueryString("SELECT id, tier FROM accounts WHERE id IN (")
        query.appendInterpolation(binds: accounts)
        query.appendLiteral(")")
        var result: [String: String] = [:]
        for row in try await db.raw(query).all() {
            if let tier = try row.decode(column: "tier", as: String?.self) { result[try row.decode(column: "id", as: String.self)] = tier }
        }
        return result
    }

    /// The policy that governs the ticket now: the one it had, unless the map changed it and the
    /// old policy does not ask to be kept.
    func governing(_ ticket: Ticket, stored: Stored?, tier: String?) -> Applied? {
        let selected = engine.policy(family: ticket.family, tier: tier, contractLevel: nil).map(applied)
        guard let stored else { return selected }
        if let selected, selected.fingerprint == stored.applied.fingerprint { return selected }
        let open = ticket.statusCategory != .solved && ticket.statusCategory != .closed
        if stored.applied.policy.onPolicyChange == .keep, open, engine.timelines[stored.applied.policy.calendar] != nil {
            return stored.applied
        }
        return selected
    }

    func governing(_ ticket: Ticket, on db: any SQLDatabase) async throws -> Applied? {
        let tiers = try await tiers(of: [ticket], on: db)
        return governing(ticket, stored: try await stored(ticketID: ticket.id, on: db), tier: ticket.accountID.flatMap { tiers[$0.text] })
    }

    struct Evaluated {
        var state: SLAState
        var applied: Applied
        var fired: Set<String>
    }

    /// Re-evaluates the tickets' SLAs inside the caller's transaction and stores the results, with
    /// a few statements for the whole batch. Returns what each was computed with, for callers that act on it.
    @discardableResult
    func refresh(_ tickets: [Ticket], on db: any SQLDatabase, now: Int64, fired extra: [String: Set<String>] = [:]) async throws -> [String: Evaluated] {
        let ids = tickets.map(\.id.text)
        let stored = try await stored(ids, on: db)
        let histories = try await histories(ids, on: db)
        let tiers = try await tiers(of: tickets, on: db)
        var rows: [RowInsert.Row] = [], dropped: [String] = [], result: [String: Evaluated] = [:]
        for ticket in tickets {
            let id = ticket.id.text
            guard let applied = governing(ticket, stored: stored[id], tier: ticket.accountID.flatMap { tiers[$0.text] }),
                  let state = engine.evaluate(histories[id] ?? [], family: ticket.family, priority: ticket.priority, policy: applied.policy, now: now) else {
                if stored[id] != nil { dropped.append(id) }
                continue
            }
            let fired = (stored[id]?.fired ?? []).union(extra[id] ?? [])
            rows.append(row(ticket, applied, fired: fired, state: state, now: now))
            result[id] = Evaluated(state: state, applied: applied, fired: fired)
        }
        if !dropped.isEmpty { try await db.delete(from: "ticket_sla").where("ticket_id", .in, dropped).run() }
        try await RowInsert.run("ticket_sla", columns: Self.columns, rows: rows, upsertingOn: "ticket_id", on: db)
        return result
    }

    @discardableResult
    func refresh(_ ticket: Ticket, on db: any SQLDatabase, now: Int64, fired extra: Set<String> = []) async throws -> Evaluated? {
        try await refresh([ticket], on: db, now: now, fired: [ticket.id.text: extra])[ticket.id.text]
    }

    /// Takes the tickets' SLA row locks first, so that a user's change and the clock always lock
    /// the SLA row before the ticket row and cannot deadlock on PostgreSQL.
    func lock(_ ids: [String], on db: any SQLDatabase) async throws {
        guard db.dialect.name == "postgresql", !ids.isEmpty else { return }
        var query = SQLQueryString("SELECT ticket_id FROM ticket_sla WHERE ticket_id IN (")
        query.appendInterpolation(binds: ids)
        query.appendLiteral(") ORDER BY ticket_id FOR UPDATE")
        try await db.raw(query).run()
    }

    func lock(_ ticketID: UUID, on db: any SQLDatabase) async throws { try await lock([ticketID.text], on: db) }
}

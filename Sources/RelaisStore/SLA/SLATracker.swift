import Foundation
import RelaisCore
import SQLKit

/// Keeps each ticket's `ticket_sla` row in step with its history: chosen policy, next instant the
/// clock must look at it, deadlines and outcomes for lists and reports. Warnings and breaches are
/// recorded by `SLAClockWorker`, never here, so each is written once.
public struct SLATracker: Sendable {
    public let engine: SLAEngine
    static let columns = [
        "ticket_id", "organization_id", "policy_code", "policy", "fingerprint", "fired", "is_open",
        "next_check_at", "due_at", "breached", "first_response", "next_response", "periodic_update",
        "resolution", "evaluated_at",
    ]

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
    func creationRow(_ ticket: Ticket, changes: [TicketChange], tier: String?, contractLevel: String?) -> RowInsert.Row? {
        guard let policy = engine.policy(family: ticket.family, tier: tier, contractLevel: contractLevel) else { return nil }
        let now = Int64(Millis.from(ticket.createdAt))
        let history = changes.map { (at: now, change: $0) }
        guard let state = engine.evaluate(history, family: ticket.family, priority: ticket.priority, policy: policy, now: now) else { return nil }
        return row(ticket, Evaluated(state: state, applied: applied(policy), fired: []), now: now)
    }

    func row(_ ticket: Ticket, _ evaluated: Evaluated, now: Int64) -> RowInsert.Row {
        let state = evaluated.state
        return [
            ticket.id.text, ticket.organizationID.text, evaluated.applied.policy.code, evaluated.applied.json, evaluated.applied.fingerprint,
            JSONText.encode(evaluated.fired.sorted()), ticket.statusCategory.isDone ? 0 : 1,
            state.nextCheck(recorded: evaluated.fired).map(Int.init), state.earliestDue.map(Int.init), state.isBreached ? 1 : 0,
            state.metric(.firstResponse)?.outcome.rawValue, state.metric(.nextResponse)?.outcome.rawValue,
            state.metric(.periodicUpdate)?.outcome.rawValue, state.metric(.resolution)?.outcome.rawValue, Int(now),
        ]
    }

    /// What is stored of a ticket's SLA: the policy applied and the crossings already recorded.
    struct Stored {
        var policy: SLAPolicy
        var fired: Set<String>
    }

    struct Evaluated {
        var state: SLAState
        var applied: Applied
        var fired: Set<String>
    }

    /// Evaluates the tickets' SLAs at `now` from what is stored, reading the stored rows, the
    /// histories and the accounts' tiers with one query each for the whole batch. A ticket that no
    /// policy covers has no entry in `evaluated`.
    func evaluate(
        _ tickets: [Ticket], on db: any SQLDatabase, now: Int64, fired extra: [String: Set<String>] = [:]
    )
        async throws -> (evaluated: [String: Evaluated], stored: [String: Stored])
    {
        let ids = tickets.map(\.id.text)
        guard !ids.isEmpty else { return ([:], [:]) }
        var stored: [String: Stored] = [:]
        for row in try await db.select().columns("ticket_id", "policy", "fired").from("ticket_sla").where("ticket_id", .in, ids).all() {
            stored[try row.decode(column: "ticket_id", as: String.self)] = Stored(
                policy: try JSONText.decode(SLAPolicy.self, try row.decode(column: "policy", as: String.self)),
                fired: Set(try JSONText.decode([String].self, try row.decode(column: "fired", as: String.self))))
        }
        let histories = try await histories(ids, on: db)
        let tiers = try await tiers(of: tickets, on: db)
        let levels = try await contractLevels(of: tickets, on: db)
        var evaluated: [String: Evaluated] = [:]
        for ticket in tickets {
            let id = ticket.id.text
            let level = ticket.links.lazy.filter { $0.kind == .contract }.compactMap { levels[$0.id.text] }.first
            let selected = engine.policy(family: ticket.family, tier: ticket.accountID.flatMap { tiers[$0.text] }, contractLevel: level)
            guard let policy = engine.governing(selected: selected, applied: stored[id]?.policy, ticketOpen: !ticket.statusCategory.isDone),
                let state = engine.evaluate(histories[id] ?? [], family: ticket.family, priority: ticket.priority, policy: policy, now: now)
            else { continue }
            evaluated[id] = Evaluated(state: state, applied: applied(policy), fired: (stored[id]?.fired ?? []).union(extra[id] ?? []))
        }
        return (evaluated, stored)
    }

    /// The tickets' histories as the clock reads them: only the entries that can move a clock.
    func histories(_ ids: [String], on db: any SQLDatabase) async throws -> [String: [(at: Int64, change: TicketChange)]] {
        let rows = try await db.select().columns("ticket_id", "kind", "field", "from_value", "to_value", "occurred_at").from("ticket_events")
            .where("ticket_id", .in, ids)
            .where { group in
                group.where("kind", .in, SLAEngine.clockKinds.map(\.rawValue))
                    .orWhere { $0.where("kind", .equal, TicketChange.Kind.fieldChanged.rawValue).where("field", .in, SLAEngine.clockFields) }
            }
            .orderBy("ticket_id").orderBy("sequence").all()
        var result: [String: [(at: Int64, change: TicketChange)]] = [:]
        for row in rows {
            guard let kind = TicketChange.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { continue }
            let change = TicketChange(
                kind: kind, field: try row.decode(column: "field", as: String?.self),
                from: try row.decode(column: "from_value", as: String?.self), to: try row.decode(column: "to_value", as: String?.self))
            result[try row.decode(column: "ticket_id", as: String.self), default: []].append(
                (Int64(try row.decode(column: "occurred_at", as: Int.self)), change))
        }
        return result
    }

    /// The tier of each account the tickets are linked to.
    func tiers(of tickets: [Ticket], on db: any SQLDatabase) async throws -> [String: String] {
        let accounts = Array(Set(tickets.compactMap { $0.accountID?.text }))
        guard !accounts.isEmpty else { return [:] }
        var result: [String: String] = [:]
        for row in try await db.select().columns("id", "tier").from("accounts").where("id", .in, accounts).all() {
            if let tier = try row.decode(column: "tier", as: String?.self) { result[try row.decode(column: "id", as: String.self)] = tier }
        }
        return result
    }

    /// The SLA level sold by each contract the tickets are linked to.
    func contractLevels(of tickets: [Ticket], on db: any SQLDatabase) async throws -> [String: String] {
        let contracts = Array(Set(tickets.flatMap { $0.links.filter { $0.kind == .contract }.map(\.id.text) }))
        guard !contracts.isEmpty else { return [:] }
        var result: [String: String] = [:]
        for row in try await db.select().columns("id", "sla_level").from("crm_records").where("id", .in, contracts).all() {
            if let level = try row.decode(column: "sla_level", as: String?.self) { result[try row.decode(column: "id", as: String.self)] = level }
        }
        return result
    }

    /// Stores the SLA rows of evaluated tickets, and removes those of tickets no policy covers any more.
    func write(_ tickets: [Ticket], _ evaluated: [String: Evaluated], stored: [String: Stored], on db: any SQLDatabase, now: Int64) async throws {
        let dropped = tickets.map(\.id.text).filter { evaluated[$0] == nil && stored[$0] != nil }
        if !dropped.isEmpty { try await db.delete(from: "ticket_sla").where("ticket_id", .in, dropped).run() }
        let rows = tickets.compactMap { ticket in evaluated[ticket.id.text].map { row(ticket, $0, now: now) } }
        try await RowInsert.run("ticket_sla", columns: Self.columns, rows: rows, upsertingOn: "ticket_id", on: db)
    }

    /// Re-evaluates the tickets' SLAs inside the caller's transaction and stores the results.
    @discardableResult
    func refresh(
        _ tickets: [Ticket], on db: any SQLDatabase, now: Int64, fired extra: [String: Set<String>] = [:]
    ) async throws -> [String: Evaluated] {
        let (evaluated, stored) = try await evaluate(tickets, on: db, now: now, fired: extra)
        try await write(tickets, evaluated, stored: stored, on: db, now: now)
        return evaluated
    }

    /// Takes the tickets' SLA row locks first, so that a user's change and the clock always lock
    /// the SLA row before the ticket row and cannot deadlock. SQLite, whose one writer already
    /// serialises, has no row locks.
    func lock(_ ids: [String], on db: any SQLDatabase) async throws {
        guard db.dialect.exclusiveSelectLockExpression != nil, !ids.isEmpty else { return }
        try await db.select().column("ticket_id").from("ticket_sla").where("ticket_id", .in, ids).orderBy("ticket_id").for(.update).run()
    }
}

extension SQLSelectBuilder {
    /// `FOR UPDATE SKIP LOCKED` where the database locks rows (PostgreSQL): rows another process
    /// holds are left to it. Nothing on SQLite, whose one writer already serialises.
    func leasing() -> Self {
        guard let lock = database.dialect.exclusiveSelectLockExpression else { return self }
        return lockingClause(SQLList([lock, SQLRaw("SKIP LOCKED")], separator: SQLRaw(" ")))
    }
}

import Foundation
import RelaisCore
import SQLKit

/// A ticket's SLA as the API shows it: computed afresh from the history at the moment asked.
public struct TicketSLA: Sendable {
    public var ticket: Ticket
    public var policy: SLAPolicy
    public var evaluatedAt: Date
    public var metrics: [SLAMetricState]
}

/// A line of the due-soon and breached lists.
public struct SLAListItem: Sendable, Equatable {
    public var key: String
    public var title: String
    public var family: String
    public var team: String?
    public var priority: String?
    public var policy: String
    public var dueAt: Date?
    public var breached: Bool
}

/// One group of the compliance report: tickets opened in the period, and per metric how many met
/// their target, missed it, or are still running.
public struct SLAReportGroup: Sendable, Equatable {
    public struct Counts: Sendable, Equatable {
        public var met = 0
        public var breached = 0
        public var open = 0
        /// Met over met and breached; nil when none is decided yet.
        public var compliance: Double? { met + breached == 0 ? nil : Double(met) / Double(met + breached) }
    }
    public var group: String?
    public var tickets = 0
    public var metrics: [SLAPolicy.Metric: Counts] = [:]
}

/// What the API does with SLAs: one ticket's state, the lists of tickets due soon and breached,
/// the compliance report, and bringing stored rows in line with the map.
public struct SLAService: Sendable {
    public enum Grouping: String, Sendable, CaseIterable {
        case family, team, priority, account, entity, brand
        var column: String { self == .account ? "t.account_id" : "t.\(rawValue)" }
    }

    public let tracker: SLATracker
    public let tickets: TicketService
    let database: RelaisDatabase
    public let now: @Sendable () -> Date

    public init(tickets: TicketService, database: RelaisDatabase, now: @escaping @Sendable () -> Date = Date.init) {
        self.tickets = tickets
        self.tracker = tickets.tickets.sla ?? SLATracker(map: tickets.map)
        self.database = database
        self.now = now
    }

    public func state(key: String, by principal: Principal) async throws -> TicketSLA? {
        let ticket = try await tickets.find(key: key, by: principal)
        let instant = Int64(Millis.from(now()))
        let tracker = tracker
        return try await database.read { db in
            guard let evaluated = try await tracker.evaluate([ticket], on: db, now: instant).evaluated[ticket.id.text] else { return nil }
            return TicketSLA(
                ticket: ticket, policy: evaluated.applied.policy, evaluatedAt: Millis.date(Int(instant)), metrics: evaluated.state.metrics)
        }
    }

    /// Open tickets whose next deadline falls within `window` (already missed ones excluded).
    public func dueSoon(within window: TimeInterval, limit: Int, by principal: Principal) async throws -> [SLAListItem] {
        try principal.require(.list, .slaQueue)
        let until = Millis.from(now().addingTimeInterval(window))
        return try await list(
            "s.is_open = 1 AND s.breached = 0 AND s.due_at <= \(bind: until) AND \(AccessFilter.condition(principal.access, table: "t"))",
            order: "s.due_at", limit: limit, organizationID: principal.organizationID)
    }

    /// Open tickets that have missed a target their clock still runs for.
    public func breached(limit: Int, by principal: Principal) async throws -> [SLAListItem] {
        try principal.require(.list, .slaQueue)
        return try await list(
            "s.is_open = 1 AND s.breached = 1 AND \(AccessFilter.condition(principal.access, table: "t"))", order: "t.created_at",
            limit: limit, organizationID: principal.organizationID)
    }

    func list(_ condition: SQLQueryString, order: String, limit: Int, organizationID: UUID) async throws -> [SLAListItem] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT t.key, t.title, t.family, t.team, t.priority, s.policy_code, s.due_at, s.breached
                FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
                WHERE s.organization_id = \(bind: organizationID.text) AND \(condition)
                ORDER BY \(unsafeRaw: order) LIMIT \(literal: limit)
                """
            ).all().map { row in
                SLAListItem(
                    key: try row.decode(column: "key", as: String.self), title: try row.decode(column: "title", as: String.self),
                    family: try row.decode(column: "family", as: String.self), team: try row.decode(column: "team", as: String?.self),
                    priority: try row.decode(column: "priority", as: String?.self), policy: try row.decode(column: "policy_code", as: String.self),
                    dueAt: try row.decode(column: "due_at", as: Int?.self).map(Millis.date),
                    breached: try row.decode(column: "breached", as: Int.self) == 1)
            }
        }
    }

    /// Compliance of tickets opened in `[from, to)`, per group.
    /// Compliance of the tickets opened in `from..<to` that the caller reaches, grouped; `entity`
    /// and `brand` cut it to one legal entity or brand.
    public func report(
        groupBy grouping: Grouping, from: Date, to: Date, entity: String? = nil, brand: String? = nil,
        by principal: Principal
    ) async throws -> [SLAReportGroup] {
        try principal.require(.read, .report)
        let metrics = SLAPolicy.Metric.allCases
        let cut = TicketCut(scope: principal.access, entity: entity, brand: brand).condition(table: "t")
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: grouping.column) AS grp, s.first_response, s.next_response, s.periodic_update, s.resolution, COUNT(*) AS n
                FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
                WHERE s.organization_id = \(bind: principal.organizationID.text)
                  AND t.created_at >= \(bind: Millis.from(from)) AND t.created_at < \(bind: Millis.from(to))
                  AND \(cut)
                GROUP BY \(unsafeRaw: grouping.column), s.first_response, s.next_response, s.periodic_update, s.resolution
                """
            ).all().map { row in
                (
                    group: try row.decode(column: "grp", as: String?.self), count: try row.decode(column: "n", as: Int.self),
                    outcomes: try metrics.map {
                        try row.decode(column: $0.rawValue, as: String?.self).flatMap(SLAMetricState.Outcome.init(rawValue:))
                    }
                )
            }
        }
        var groups: [String: SLAReportGroup] = [:]
        for row in rows {
            let name = row.group ?? ""
            var group = groups[name] ?? SLAReportGroup(group: row.group)
            group.tickets += row.count
            for (metric, outcome) in zip(metrics, row.outcomes) {
                guard let outcome else { continue }
                var counts = group.metrics[metric] ?? .init()
                switch outcome {
                case .met: counts.met += row.count
                case .breached: counts.breached += row.count
                case .open: counts.open += row.count
                }
                group.metrics[metric] = counts
            }
            groups[name] = group
        }
        return groups.values.sorted { ($0.group ?? "") < ($1.group ?? "") }
    }

    /// Brings stored SLA rows in line with the map: tickets whose policy or calendar changed since
    /// they were evaluated, and tickets of a family with a policy that have no row yet. Returns
    /// how many tickets were re-evaluated.
    @discardableResult
    public func reconcile(batch: Int = 500) async throws -> Int {
        let tracker = tracker
        let current = tracker.known.mapValues(\.fingerprint)
        let covered = tracker.engine.map.families.values.filter(\.hasSLA).map(\.code)
        guard !covered.isEmpty else { return 0 }
        let stale = try await database.read { db in
            // Open tickets evaluated under another version of their policy or calendar, or under
            // a policy the map no longer has.
            var ids = try await db.select().column("ticket_id").from("ticket_sla").where("is_open", .equal, 1)
                .where { group in
                    current.reduce(group.where("policy_code", .notIn, Array(current.keys))) { group, policy in
                        group.orWhere { $0.where("policy_code", .equal, policy.key).where("fingerprint", .notEqual, policy.value) }
                    }
                }
                .all(decodingColumn: "ticket_id", as: String.self)
            let missing: SQLQueryString = """
                SELECT t.id FROM tickets t LEFT JOIN ticket_sla s ON s.ticket_id = t.id
                WHERE s.ticket_id IS NULL AND t.family IN (\(binds: covered))
                """
            ids += try await db.raw(missing).all(decodingColumn: "id", as: String.self)
            return ids
        }
        let instant = Int64(Millis.from(now()))
        for start in stride(from: 0, to: stale.count, by: batch) {
            let chunk = Array(stale[start..<min(start + batch, stale.count)])
            try await database.transaction { db in
                try await tracker.lock(chunk, on: db)
                let tickets = try await TicketRow.select(on: db)
                    .where("id", .in, chunk).all().map(TicketRow.decode)
                try await tracker.refresh(tickets, on: db, now: instant)
            }
        }
        return stale.count
    }
}

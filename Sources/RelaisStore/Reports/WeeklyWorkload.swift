import Foundation
import RelaisCore
import SQLKit

/// Tickets opened per family in each of the last weeks, and the backlog (tickets not yet solved
/// or closed) at the end of each week, for the tickets a person reaches.
public struct WeeklyWorkload: Sendable, Equatable {
    /// The first instant of each week, oldest first (Monday 00:00 in the zone asked for).
    public var weeks: [Date]
    /// Per family, the tickets opened in each week.
    public var opened: [String: [Int]]
    /// Tickets open at the end of each week (at `now` for the current one).
    public var backlog: [Int]
}

extension TicketService {
    /// The workload of the `count` weeks up to `now`'s, weeks starting on Monday in `zone`. A
    /// solved or closed ticket counts as done from its last move of status.
    public func weeklyWorkload(weeks count: Int, in zone: TimeZone, by principal: Principal) async throws -> WeeklyWorkload {
        try principal.require(.read, .report)
        let count = max(1, min(count, 104))
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = zone
        let instant = now()
        guard let thisWeek = calendar.dateInterval(of: .weekOfYear, for: instant)?.start else {
            return WeeklyWorkload(weeks: [], opened: [:], backlog: [])
        }
        let weeks = (0..<count).reversed().compactMap { calendar.date(byAdding: .weekOfYear, value: -$0, to: thisWeek) }
        guard !weeks.isEmpty else { return WeeklyWorkload(weeks: [], opened: [:], backlog: []) }
        // Week boundaries in milliseconds; a week is not always 7 × 24 h across a clock change.
        let bounds = weeks.map(Millis.from) + [Millis.from(instant) + 1]
        let start = bounds[0]
        let scope = AccessFilter.condition(principal.access, table: "t")
        let organization = principal.organizationID.text
        let done: [any Encodable & Sendable] = StatusCategory.done.map(\.rawValue)
        let (created, finished, before) = try await tickets.database.read { db in
            let created = try await db.raw(
                """
                SELECT t.family, t.created_at FROM tickets t
                WHERE t.organization_id = \(bind: organization) AND t.created_at >= \(bind: start) AND \(scope)
                """
            ).all().map { (try $0.decode(column: "family", as: String.self), try $0.decode(column: "created_at", as: Int.self)) }
            // When a done ticket was done: its last move of status. Tickets untouched since before
            // the window were done before it.
            let finished = try await db.raw(
                """
                SELECT t.created_at, MAX(e.occurred_at) AS done_at FROM tickets t
                JOIN ticket_events e ON e.ticket_id = t.id AND e.kind = \(bind: TicketChange.Kind.statusChanged.rawValue)
                WHERE t.organization_id = \(bind: organization) AND t.status_category IN (\(binds: done))
                AND t.updated_at >= \(bind: start) AND \(scope)
                GROUP BY t.id, t.created_at
                """
            ).all().map { (created: try $0.decode(column: "created_at", as: Int.self), done: try $0.decode(column: "done_at", as: Int.self)) }
            let open =
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM tickets t
                    WHERE t.organization_id = \(bind: organization) AND t.created_at < \(bind: start) AND \(scope)
                    AND t.status_category NOT IN (\(binds: done))
                    """
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            return (created, finished, open)
        }
        func week(of millis: Int) -> Int? {
            guard millis >= bounds[0] else { return nil }
            return bounds.lastIndex { $0 <= millis }.flatMap { $0 < weeks.count ? $0 : nil }
        }
        var opened: [String: [Int]] = [:]
        var openedPerWeek = [Int](repeating: 0, count: weeks.count)
        for (family, at) in created {
            guard let index = week(of: at) else { continue }
            opened[family, default: [Int](repeating: 0, count: weeks.count)][index] += 1
            openedPerWeek[index] += 1
        }
        var donePerWeek = [Int](repeating: 0, count: weeks.count)
        for ticket in finished { if let index = week(of: ticket.done) { donePerWeek[index] += 1 } }
        var backlog: [Int] = []
        // Open when the window starts: not done yet, or done only within it.
        var running = before + finished.filter { $0.created < start && $0.done >= start }.count
        for index in weeks.indices {
            running += openedPerWeek[index] - donePerWeek[index]
            backlog.append(running)
        }
        return WeeklyWorkload(weeks: weeks, opened: opened, backlog: backlog)
    }
}

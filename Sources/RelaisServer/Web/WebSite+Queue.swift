import Foundation
import Hummingbird
import RelaisCore
import RelaisStore

/// The agent's queues: their tickets, their teams', nobody's, those due soon and those past due,
/// filtered by family, priority and category, with filters kept under a name.
extension WebSite {
    enum QueueView: String, CaseIterable {
        case mine, team, unassigned, due, breached
    }

    /// Deadlines within this span count as due soon.
    static let dueSoonWindow: TimeInterval = 4 * 3_600

    func queuePage(_ request: Request) async -> Response {
        await page(request) { visit in
            let user = try visit.requireStaff()
            let parameters = request.uri.queryParameters
            let view = parameters["view"].flatMap { QueueView(rawValue: String($0)) } ?? .mine
            let format = WebFormat(visit)
            let map = visit.services.configuration.map
            let family = parameters["family"].map(String.init).flatMap { map.families[$0] == nil ? nil : $0 }
            let priority = parameters["priority"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            var rows: [[String: Any]] = []
            var next: String?
            let instant = now()
            switch view {
            case .due, .breached:
                let items =
                    view == .due
                    ? try await visit.services.sla.dueSoon(within: Self.dueSoonWindow, limit: 100, by: user)
                    : try await visit.services.sla.breached(limit: 100, by: user)
                rows = items.filter { family == nil || $0.family == family }.filter { priority == nil || $0.priority == priority }.map { item in
                    var row: [String: Any] = [
                        "key": item.key, "title": item.title, "family": format.family(item.family), "team": item.team ?? "",
                        "priority": item.priority ?? "",
                    ]
                    if let due = item.dueAt {
                        let deadline = format.deadline(due, now: instant)
                        row["due"] = deadline.text
                        row["late"] = deadline.late || item.breached
                        row["due_at"] = Int(due.timeIntervalSince1970 * 1_000)
                    }
                    return row
                }
            case .mine, .team, .unassigned:
                var query = TicketQuery(organizationID: user.organizationID)
                query.active = true
                query.family = family
                query.priority = priority
                query.limit = 50
                query.cursor = parameters["after"].flatMap { PageCursor(token: String($0)) }
                switch view {
                case .mine: query.assignee = user.name
                case .team: query.teams = user.teams
                default: query.unassigned = true
                }
                let page = try await visit.services.tickets.list(query, by: user)
                rows = page.tickets.map { ticket in
                    [
                        "key": ticket.key, "title": ticket.title, "family": format.family(ticket.family), "status": format.status(ticket.status),
                        "priority": ticket.priority ?? "", "team": ticket.team ?? "", "assignee": ticket.assignee ?? "",
                        "updated": format.instant(ticket.updatedAt),
                    ] as [String: Any]
                }
                next = page.nextCursor.map { cursor in
                    "/app?"
                        + WebForm.query([("view", view.rawValue), ("family", family ?? ""), ("priority", priority ?? ""), ("after", cursor.token)])
                }
            }
            let filters = try await SavedFilters(database: visit.services.database).list(of: user)
            let current = WebForm.query([("view", view.rawValue), ("family", family ?? ""), ("priority", priority ?? "")])
            return render(
                "pages/queue",
                [
                    "title": visit.words["queue_title"] ?? "",
                    "views": QueueView.allCases.map { item in
                        ["code": item.rawValue, "label": visit.words["view_" + item.rawValue] ?? item.rawValue, "current": item == view]
                            as [String: Any]
                    },
                    "view": view.rawValue,
                    "view_label": visit.words["view_" + view.rawValue] ?? "",
                    "deadlines": view == .due || view == .breached,
                    "families": familyChoices(map, format: format, selected: family),
                    "priorities": map.referential.priorityMatrix.priorities.map { ["code": $0, "selected": $0 == priority] as [String: Any] },
                    "rows": rows,
                    "empty": rows.isEmpty,
                    "next": next as Any,
                    "saved": filters.map { ["id": $0.id.text, "name": $0.name, "href": "/app?" + $0.query] },
                    "current_query": current,
                ], visit)
        }
    }

    func familyChoices(_ map: ProcessMap, format: WebFormat, selected: String?, openedBy: String? = nil) -> [[String: Any]] {
        map.families.values.sorted { format.family($0.code) < format.family($1.code) }
            .filter { openedBy == nil || $0.openedBy.contains(openedBy!) }
            .map { ["code": $0.code, "label": format.family($0.code), "selected": $0.code == selected] }
    }

    func saveFilter(_ request: Request) async -> Response {
        await submit(request) { visit, form in
            let user = try visit.requireStaff()
            let query = form.raw("query") ?? ""
            _ = try await SavedFilters(database: visit.services.database).save(name: form["name"] ?? "", query: query, of: user, at: now())
            return Self.seeOther("/app?" + query)
        }
    }

    func deleteFilter(_ request: Request, id: String) async -> Response {
        await submit(request) { visit, _ in
            let user = try visit.requireStaff()
            if let id = UUID(uuidString: id) { try await SavedFilters(database: visit.services.database).delete(id: id, of: user) }
            return Self.seeOther("/app")
        }
    }
}

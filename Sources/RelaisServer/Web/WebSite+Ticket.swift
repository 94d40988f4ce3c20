import Foundation
import Hummingbird
import RelaisCore
import RelaisStore

/// The agent's ticket page: what the ticket is, its timeline, its SLA clocks, the CRM around it,
/// and only the moves its workflow allows.
extension WebSite {
    func ticketPage(_ request: Request, key: String) async -> Response {
        await page(request) { visit in
            let user = try visit.requireStaff()
            let notice = request.uri.queryParameters["done"].flatMap { visit.words["done_" + String($0)] }
            return try await renderTicket(key: key, visit, user: user, notice: notice)
        }
    }

    /// The page of ticket `key`; `problem` says why a form of it was refused.
    func renderTicket(
        key: String, _ visit: WebVisit, user: Principal, notice: String? = nil, problem: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let services = visit.services
        let map = services.configuration.map
        let format = WebFormat(visit)
        let ticket = try await services.tickets.find(key: key, by: user)
        async let events = services.tickets.events(key: key, by: user)
        async let comments = services.tickets.comments(key: key, by: user)
        async let clocks = services.sla.state(key: key, by: user)
        async let escalations = services.escalations.list(key: key, by: user)
        let instant = now()
        let workflow = map.families[ticket.family].flatMap { map.workflow(of: $0) }
        let moves = (workflow?.allowedTargets(from: ticket.status) ?? []).map { target in
            ["code": target, "label": format.status(target), "solves": workflow?.category(of: target) == .solved] as [String: Any]
        }
        var values: [String: Any] = [
            "title": "\(ticket.key) · \(ticket.title)",
            "ticket": ticketFields(ticket, format: format),
            "moves": moves,
            "has_moves": !moves.isEmpty,
            "mine": ticket.assignee == user.name,
            "writer": user.may(.change, .ticket),
            "timeline": try await timeline(events: events, comments: comments, format: format, internalShown: true),
            "trackers": map.trackers.keys.sorted(),
            "has_trackers": !map.trackers.isEmpty,
            "escalations": try await escalations.map { item in
                [
                    "tracker": item.tracker, "status": item.status.rawValue, "issue": item.issueKey ?? "", "url": item.issueURL ?? "",
                    "state": item.issueState ?? "", "error": item.lastError ?? "",
                ] as [String: Any]
            },
            "notice": notice as Any,
            "problem": problem as Any,
        ]
        if let clocks = try await clocks {
            let rows = clocks.metrics.compactMap { metric -> [String: Any]? in
                guard metric.targetSeconds != nil else { return nil }
                var row: [String: Any] = [
                    "metric": visit.words["metric_" + metric.metric.rawValue] ?? metric.metric.rawValue,
                    "clock": visit.words["clock_" + metric.clock.rawValue] ?? metric.clock.rawValue,
                    "breached": metric.breached, "met": metric.met == true,
                ]
                if let due = metric.dueAt, metric.clock == .running {
                    let date = Date(timeIntervalSince1970: TimeInterval(due) / 1_000)
                    let deadline = format.deadline(date, now: instant)
                    row["due"] = deadline.text
                    row["due_at"] = due
                    row["due_time"] = format.instant(date)
                    row["late"] = deadline.late
                }
                return row
            }
            values["sla"] = rows
            values["has_sla"] = !rows.isEmpty
            values["policy"] = clocks.policy.code
        }
        values["crm"] = try await crmPanel(ticket, visit: visit, user: user, format: format)
        return render("pages/ticket", values, visit, status: status)
    }

    func ticketFields(_ ticket: Ticket, format: WebFormat) -> [String: Any] {
        [
            "key": ticket.key, "subject": ticket.title, "description": ticket.description, "family": format.family(ticket.family),
            "status": format.status(ticket.status), "status_category": ticket.statusCategory.rawValue,
            "priority": ticket.priority ?? "", "severity": ticket.severity ?? "", "category": format.category(ticket.category) ?? "",
            "team": ticket.team ?? "", "assignee": ticket.assignee ?? "", "level": ticket.level.map { "L\($0)" } ?? "",
            "channel": ticket.channel, "created": format.instant(ticket.createdAt), "updated": format.instant(ticket.updatedAt),
            "resolution": ticket.resolutionNote ?? "", "solved": ticket.statusCategory == .solved, "done": ticket.statusCategory.isDone,
        ]
    }

    /// Comments and history in one list, oldest first. Comment events are shown by their comment.
    func timeline(events: [TicketEventRecord], comments: [TicketComment], format: WebFormat, internalShown: Bool) -> [[String: Any]] {
        var items: [(Date, Int, [String: Any])] = []
        for (index, comment) in comments.enumerated() where internalShown || comment.isPublic {
            items.append(
                (
                    comment.createdAt, index,
                    [
                        "comment": true, "author": comment.author, "body": comment.body, "internal": !comment.isPublic,
                        "channel": comment.channel ?? "", "at": format.instant(comment.createdAt),
                    ]
                ))
        }
        for event in events where event.change.kind != .commented {
            guard let line = describe(event.change, format: format) else { continue }
            items.append(
                (
                    event.occurredAt, comments.count + event.sequence,
                    [
                        "event": true, "kind": event.change.kind.rawValue, "text": line,
                        "actor": event.change.rule.map { "\(format.words["rule"] ?? "rule") \($0)" } ?? event.actor,
                        "at": format.instant(event.occurredAt),
                        "sla": [.slaWarning, .slaBreached].contains(event.change.kind),
                    ]
                ))
        }
        return items.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map(\.2)
    }

    /// One line of history in the visitor's language; nil for what people need not read.
    func describe(_ change: TicketChange, format: WebFormat) -> String? {
        let words = format.words
        func fill(_ key: String, _ values: String...) -> String {
            var text = words[key] ?? key
            for value in values { if let range = text.range(of: "%@") { text.replaceSubrange(range, with: value) } }
            return text
        }
        switch change.kind {
        case .created: return words["event_created"]
        case .statusChanged: return fill("event_status", format.status(change.from ?? ""), format.status(change.to ?? ""))
        case .assigned where change.field == "assignee":
            return change.to.map { fill("event_assigned", $0) } ?? words["event_unassigned"]
        case .assigned: return fill("event_team", change.to ?? "—")
        case .fieldChanged: return fill("event_field", change.field ?? "", change.to ?? "—")
        case .linked: return fill("event_linked", change.field ?? "")
        case .unlinked: return fill("event_unlinked", change.field ?? "")
        case .slaWarning: return fill("event_sla_warning", words["metric_" + (change.field ?? "")] ?? change.field ?? "")
        case .slaBreached: return fill("event_sla_breached", words["metric_" + (change.field ?? "")] ?? change.field ?? "")
        case .rated: return fill("event_rated", change.to ?? "")
        case .escalated: return fill("event_escalated", change.to ?? "")
        case .escalationFailed: return fill("event_escalation_failed", change.to ?? "")
        case .trackerChanged: return fill("event_tracker", change.to ?? "")
        case .fixShipped: return words["event_fix_shipped"]
        default: return nil
        }
    }
}

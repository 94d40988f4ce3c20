import Foundation

extension TicketRules {
    /// Brings a stored ticket in line with a new map: a status the map removed becomes the one the
    /// change declared, and the status's category becomes what the new workflow says. The history
    /// names the map version (`rule`), not a workflow transition, since none was taken.
    public static func follow(_ ticket: inout Ticket, status: String, category: StatusCategory, mapVersion: Int, now: Date) -> [TicketChange] {
        var changes: [TicketChange] = []
        let rule = "map v\(mapVersion)"
        if status != ticket.status {
            changes.append(TicketChange(kind: .statusChanged, field: "status", from: ticket.status, to: status, rule: rule))
            ticket.status = status
        }
        if category != ticket.statusCategory {
            changes.append(
                TicketChange(kind: .fieldChanged, field: "status_category", from: ticket.statusCategory.rawValue, to: category.rawValue, rule: rule))
            ticket.statusCategory = category
        }
        if !changes.isEmpty { touch(&ticket, now) }
        return changes
    }
}

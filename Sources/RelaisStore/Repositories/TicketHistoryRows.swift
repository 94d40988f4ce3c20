import Foundation
import RelaisCore

/// The `ticket_events` and `outbox` rows that record changes to a ticket.
enum TicketHistoryRows {
    static let eventColumns = [
        "id", "organization_id", "ticket_id", "sequence", "occurred_at", "actor", "kind", "field", "from_value", "to_value", "rule",
    ]
    static let outboxColumns = ["id", "organization_id", "type", "subject", "sequence", "payload", "created_at"]

    /// Rows for `changes`, numbered after `sequence`. A creation is announced once, in its routed
    /// state; otherwise one outside event per type and operation.
    static func rows(
        for changes: [TicketChange], of ticket: Ticket, after sequence: Int, actor: TicketRepository.Actor
    ) -> (events: [RowInsert.Row], outbox: [RowInsert.Row]) {
        let time = Millis.from(ticket.updatedAt)
        let organization = ticket.organizationID.text, ticketID = ticket.id.text
        let isCreation = changes.contains { $0.kind == .created }
        var announced = Set<String>()
        var events: [RowInsert.Row] = [], outbox: [RowInsert.Row] = []
        events.reserveCapacity(changes.count)
        for (offset, change) in changes.enumerated() {
            let eventID = UUID.timeOrdered(at: ticket.updatedAt).text
            let number = sequence + offset + 1
            events.append([
                eventID, organization, ticketID, number, time, actor.name, change.kind.rawValue,
                change.field, change.from, change.to, change.rule,
            ])
            guard let type = change.eventType, !isCreation || change.kind == .created, announced.insert(type).inserted else { continue }
            var data: [String: String?] = [
                "key": ticket.key, "family": ticket.family, "status": ticket.status, "status_category": ticket.statusCategory.rawValue,
                "priority": ticket.priority, "team": ticket.team, "assignee": ticket.assignee, "actor": actor.name,
                "field": change.field, "from": change.from, "to": change.to,
            ]
            if let rule = change.rule { data["rule"] = rule }
            for (name, value) in change.details { data[name] = value }
            let event = CloudEvent(
                id: UUID(uuidString: eventID)!, organizationID: ticket.organizationID, type: type, subject: ticket.key,
                time: ticket.updatedAt, sequence: number, data: data)
            outbox.append([eventID, organization, type, ticket.key, number, JSONText.encode(event), time])
        }
        return (events, outbox)
    }
}

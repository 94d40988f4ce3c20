import Foundation
import RelaisCore
import RelaisMining
import RelaisStore

/// Turns Relais's ticket history into events to mine: statuses entered are activities named as
/// in the map, other changes are named for what was done (`assign team`, `reply`, `internal
/// note`), the actor is the resource, and the team holding the ticket at each moment is its
/// group. SLA breaches mark the step in progress; warnings are left out.
public enum OwnEventLog {
    public enum Activities: String, Sendable, CaseIterable {
        /// Every change to a ticket.
        case all
        /// Creation and status changes only: the path through the workflow.
        case statuses
    }

    public static func events(_ rows: [TicketEventLog.Row], activities: Activities = .all) -> [EventList.Event] {
        var events: [EventList.Event] = []
        events.reserveCapacity(rows.count)
        var team: String?, currentKey = ""
        for row in rows {
            if row.ticketKey != currentKey {
                currentKey = row.ticketKey
                team = nil
            }
            if row.kind == .assigned, row.field == "team" { team = row.to }
            var attributes = ["family": row.family]
            if let account = row.accountID { attributes["account"] = account }
            if let team { attributes["team"] = team }
            let time = Int64((row.occurredAt.timeIntervalSince1970 * 1_000_000).rounded())
            if row.kind == .slaBreached {
                // The instant the target was crossed, which the clock may record later.
                let crossed = row.to.flatMap { TimestampParser().parse($0) } ?? time
                events.append(.init(caseID: row.ticketKey, activity: "sla breach", time: crossed, attributes: attributes, isBreach: true))
                continue
            }
            guard let activity = activity(of: row), activities == .all || row.kind == .created || row.kind == .statusChanged else { continue }
            events.append(.init(caseID: row.ticketKey, activity: activity, time: time, resource: row.actor, group: team, attributes: attributes))
        }
        return events
    }

    static func activity(of row: TicketEventLog.Row) -> String? {
        switch row.kind {
        case .created, .statusChanged: return row.to
        case .assigned: return row.field == "assignee" ? "assign agent" : "assign team"
        case .commented:
            if row.field == "internal" { return "internal note" }
            return row.to == TicketChange.requesterAuthor ? "requester reply" : "reply"
        case .fieldChanged: return "change \(row.field ?? "field")"
        case .linked: return "link \(row.field ?? "object")"
        case .unlinked: return "unlink \(row.field ?? "object")"
        case .rated: return "rate"
        case .articleLinked: return row.field == "written_from" ? "write article" : "link article"
        case .itemLinked: return "link item"
        case .itemUnlinked: return "unlink item"
        case .escalated: return "escalate to developers"
        case .escalationFailed: return nil
        case .trackerChanged: return "developer issue \(row.to ?? "changed")"
        case .fixShipped: return "fix shipped"
        case .slaWarning, .slaBreached: return nil
        }
    }
}

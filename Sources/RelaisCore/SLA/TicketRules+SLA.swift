import Foundation

extension TicketRules {
    /// Records newly crossed SLA thresholds on the ticket and carries out the escalation its
    /// policy asks for: one `sla_warning` or `sla_breached` entry each, naming whom to notify;
    /// for a clock still open, a move to the team the ticket's team escalates to (once, whatever
    /// the number of breaches; the assignee, of the team left, is cleared) and a raised priority.
    /// `accountOwner` is the owner of the ticket's account, for `notify: [account_owner]`.
    public static func recordSLA(
        _ firings: [SLAFiring], policy: SLAPolicy, on ticket: inout Ticket, map: ProcessMap, accountOwner: String?, now: Date
    ) -> [TicketChange] {
        var changes: [TicketChange] = [], escalated = false
        for firing in firings {
            let escalation = policy.escalation(for: firing.kind)
            var change = TicketChange(
                kind: firing.kind == .warning ? .slaWarning : .slaBreached, field: firing.metric.rawValue,
                from: CloudEvent.timestamp(Date(milliseconds: firing.cycleStart)), to: CloudEvent.timestamp(Date(milliseconds: firing.at)),
                rule: policy.code)
            if !escalation.notify.isEmpty {
                change.details["notify"] = recipients(escalation.notify, of: ticket, accountOwner: accountOwner)
            }
            changes.append(change)
            // A clock that already stopped (the reply came late) is recorded, not escalated.
            guard firing.open else { continue }
            if escalation.escalate, !escalated, let team = ticket.team, let next = map.teams[team]?.escalatesTo {
                escalated = true
                changes.append(TicketChange(kind: .assigned, field: "team", from: team, to: next, rule: policy.code))
                ticket.team = next
                ticket.level = map.teams[next]?.level
                if let assignee = ticket.assignee {
                    changes.append(TicketChange(kind: .assigned, field: "assignee", from: assignee, to: nil, rule: policy.code))
                    ticket.assignee = nil
                }
            }
            if escalation.raisePriority > 0, let priority = ticket.priority {
                let raised = map.referential.priorityMatrix.raise(priority, by: escalation.raisePriority)
                if raised != priority {
                    changes.append(TicketChange(kind: .fieldChanged, field: "priority", from: priority, to: raised, rule: policy.code))
                    ticket.priority = raised
                }
            }
        }
        if !changes.isEmpty { touch(&ticket, now) }
        return changes
    }

    /// `team=it-l1, assignee=alice, account_owner=bob`: who must hear of it, as far as it is known.
    static func recipients(_ roles: [String], of ticket: Ticket, accountOwner: String?) -> String {
        roles.compactMap { role -> String? in
            let value: String? =
                switch role {
                case "team": ticket.team
                case "assignee": ticket.assignee
                case "requester": ticket.requesterID?.text
                case "account_owner": accountOwner
                default: nil
                }
            return value.map { "\(role)=\($0)" }
        }.joined(separator: ", ")
    }
}

extension Date {
    /// The instant `milliseconds` after 1970, as SLA clocks count.
    public init(milliseconds: Int64) { self.init(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

import Foundation

extension TicketRules {
    /// Refuses what cannot go to developers: a closed ticket (`field` names where it was given),
    /// an issue id that is not one line of 1 to 100 characters.
    public static func checkEscalation(_ ticket: Ticket, field: String, issue: String?) throws {
        if ticket.statusCategory == .closed {
            throw TicketError.notAllowed(field: field, value: ticket.key, reason: "\(ticket.key) is closed; reopen it to escalate it")
        }
        if let issue, issue.isEmpty || issue.count > 100 || issue.contains(where: \.isNewline) {
            throw TicketError.notAllowed(field: "issue", value: issue, reason: "an issue's id is one line of 1 to 100 characters")
        }
    }

    /// The ticket went to `tracker` as issue `issueKey` at `url`.
    public static func escalated(_ ticket: inout Ticket, tracker: String, issueKey: String, url: String?, now: Date) -> [TicketChange] {
        var change = TicketChange(kind: .escalated, field: tracker, to: issueKey)
        if let url { change.details["url"] = url }
        touch(&ticket, now)
        return [change]
    }

    /// The tracker will not take the issue: `reason` says what it answered.
    public static func escalationFailed(_ ticket: inout Ticket, tracker: String, reason: String, now: Date) -> [TicketChange] {
        touch(&ticket, now)
        return [TicketChange(kind: .escalationFailed, field: tracker, to: reason)]
    }

    /// The tracker's issue moved from state `from` to `update.state`. When the move ships the fix
    /// (and it had not shipped before), the ticket also records it, and moves to the tracker's
    /// `onFixed` status where its workflow allows it from where it is (with a resolution note
    /// naming the issue when the status solves it); a move its workflow does not allow is left
    /// to the agents. Nothing is recorded when the state did not change.
    public static func trackerMoved(
        _ ticket: inout Ticket, tracker: DeveloperTracker, from: String?, update: IssueUpdate, wasFixed: Bool,
        map: ProcessMap, now: Date
    ) -> [TicketChange] {
        guard from != update.state.name else { return [] }
        var changes = [TicketChange(kind: .trackerChanged, field: tracker.name, from: from, to: update.state.name)]
        changes[0].details["issue"] = update.issueKey
        if tracker.isFixed(update.state), !wasFixed {
            var shipped = TicketChange(kind: .fixShipped, field: tracker.name, to: update.issueKey)
            if let url = update.url { shipped.details["url"] = url }
            changes.append(shipped)
            if let target = tracker.onFixed, target != ticket.status, let family = map.families[ticket.family],
                let workflow = map.workflow(of: family), workflow.allows(from: ticket.status, to: target)
            {
                let note = "Fixed by the developers in \(tracker.name) \(update.issueKey)."
                var moved = ticket
                if let made = try? transition(&moved, to: target, resolutionNote: ticket.resolutionNote ?? note, map: map, now: now) {
                    ticket = moved
                    return changes
                        + made.map {
                            var change = $0
                            change.rule = "tracker \(tracker.name)"
                            return change
                        }
                }
            }
        }
        touch(&ticket, now)
        return changes
    }
}

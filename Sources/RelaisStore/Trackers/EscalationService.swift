import Foundation
import RelaisCore

/// What the API does with escalations to developers' trackers: check who asks and what, then store.
public struct EscalationService: Sendable {
    public let map: ProcessMap
    public let tickets: TicketService
    public let escalations: Escalations
    let now: @Sendable () -> Date

    public init(map: ProcessMap, tickets: TicketService, now: @escaping @Sendable () -> Date = Date.init) {
        self.map = map
        self.tickets = tickets
        self.escalations = Escalations(database: tickets.tickets.database, sla: tickets.tickets.sla)
        self.now = { Millis.date(Millis.from(now())) }
    }

    /// Escalates ticket `key`, with the tickets `also` reporting the same problem, to `tracker`:
    /// to a new issue, or to the tracker's issue `issue` when given.
    public func escalate(
        key: String, tracker name: String, issue: String?, also: [String], steps: String?,
        by principal: Principal
    ) async throws -> Escalation {
        try principal.require(.create, .escalation)
        guard let tracker = map.trackers[name] else {
            throw TicketError.unknownValue(field: "tracker", value: name, allowed: map.trackers.keys.sorted())
        }
        let issue = issue?.trimmingCharacters(in: .whitespaces)
        var keys = [key]
        for other in also where !keys.contains(other) { keys.append(other) }
        var found: [Ticket] = []
        for key in keys {
            let ticket = try await tickets.find(key: key, by: principal)
            try TicketRules.checkEscalation(ticket, field: key == keys[0] ? "key" : "also", issue: issue)
            found.append(ticket)
        }
        return try await escalations.request(found, tracker: tracker, issueID: issue, steps: steps, actor: tickets.actor(principal), at: now())
    }

    /// Applies what a tracker's checked webhook delivery says to the tickets escalated to its issue, once.
    public func receive(
        _ update: IssueUpdate?, deliveryID: String, tracker: DeveloperTracker, organizationID: UUID
    ) async throws -> Escalations.HookOutcome {
        try await escalations.apply(update, deliveryID: deliveryID, tracker: tracker, organizationID: organizationID, map: map, at: now())
    }

    /// The escalations of ticket `key`.
    public func list(key: String, by principal: Principal) async throws -> [Escalation] {
        try principal.require(.list, .escalation)
        let ticket = try await tickets.find(key: key, by: principal)
        return try await escalations.list(ticketID: ticket.id)
    }
}

import Foundation
import RelaisCore
import RelaisMining
import RelaisProcess
import Testing

@testable import RelaisServer
@testable import RelaisStore

@Suite struct OwnEventLogTests {
    func row(_ key: String, _ kind: TicketChange.Kind, field: String? = nil, to: String? = nil, at seconds: Double) -> TicketEventLog.Row {
        TicketEventLog.Row(
            ticketKey: key, family: "incident", accountID: "acc-1", kind: kind, field: field, from: nil, to: to,
            actor: "ann", occurredAt: Date(timeIntervalSince1970: seconds))
    }

    @Test func namesActivitiesFollowsTheTeamAndMarksBreaches() {
        let rows = [
            row("INC-1", .created, to: "new", at: 0),
            row("INC-1", .assigned, field: "team", to: "desk", at: 0),
            row("INC-1", .commented, field: "public", to: TicketChange.requesterAuthor, at: 10),
            row("INC-1", .commented, field: "internal", to: TicketChange.agentAuthor, at: 20),
            row("INC-1", .slaWarning, field: "resolution", to: "1970-01-01T00:00:25Z", at: 25),
            row("INC-1", .slaBreached, field: "resolution", to: "1970-01-01T00:00:30Z", at: 90),
            row("INC-1", .statusChanged, to: "in_progress", at: 40),
            row("INC-2", .created, to: "new", at: 50),
        ]
        let events = OwnEventLog.events(rows)
        #expect(events.map(\.activity) == ["new", "assign team", "requester reply", "internal note", "sla breach", "in_progress", "new"])
        #expect(events.map(\.group) == [nil, "desk", "desk", "desk", nil, "desk", nil])
        #expect(events[4].isBreach && events[4].time == 30_000_000)
        #expect(events[0].attributes == ["family": "incident", "account": "acc-1"])
        #expect(events[1].attributes["team"] == "desk")
        let statuses = OwnEventLog.events(rows, activities: .statuses)
        #expect(statuses.filter { !$0.isBreach }.map(\.activity) == ["new", "in_progress", "new"])
    }
}

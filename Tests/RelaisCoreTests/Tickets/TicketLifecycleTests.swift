import Foundation
import RelaisCore
import Testing

@Suite struct TicketLifecycleTests {
    let later = SampleMap.now.addingTimeInterval(3_600)

    @Test func transitionMovesStatusAndCategoryAndBumpsTheVersion() throws {
        var (ticket, _) = try SampleMap.open()
        let changes = try TicketRules.transition(&ticket, to: "assigned", resolutionNote: nil, map: SampleMap.map, now: later)
        #expect(ticket.status == "assigned")
        #expect(ticket.statusCategory == .open)
        #expect(ticket.version == 2)
        #expect(ticket.updatedAt == later)
        #expect(changes == [TicketChange(kind: .statusChanged, field: "status", from: "new", to: "assigned")])
    }

    @Test func forbiddenTransitionListsTheAllowedOnes() throws {
        var (ticket, _) = try SampleMap.open()
        #expect(throws: TicketError.transitionNotAllowed(from: "new", to: "resolved", allowed: ["assigned", "cancelled"])) {
            try TicketRules.transition(&ticket, to: "resolved", resolutionNote: "done", map: SampleMap.map, now: later)
        }
        #expect(ticket.status == "new")
        #expect(ticket.version == 1)
    }

    @Test func unknownStatusIsNotATransitionProblem() throws {
        var (ticket, _) = try SampleMap.open()
        #expect {
            try TicketRules.transition(&ticket, to: "vanished", resolutionNote: nil, map: SampleMap.map, now: later)
        } throws: { error in
            guard case let TicketError.unknownValue(field, _, allowed) = error else { return false }
            return field == "status" && allowed.contains("resolved")
        }
    }

    @Test func solvingRequiresTheResolutionNoteTheFamilyAsksFor() throws {
        var (ticket, _) = try SampleMap.open()
        for status in ["assigned", "in_progress"] {
            _ = try TicketRules.transition(&ticket, to: status, resolutionNote: nil, map: SampleMap.map, now: later)
        }
        #expect(throws: TicketError.self) {
            try TicketRules.transition(&ticket, to: "resolved", resolutionNote: "   ", map: SampleMap.map, now: later)
        }
        let changes = try TicketRules.transition(&ticket, to: "resolved", resolutionNote: "Replaced the switch", map: SampleMap.map, now: later)
        #expect(ticket.resolutionNote == "Replaced the switch")
        #expect(changes.map(\.kind) == [.statusChanged, .fieldChanged])
    }

    @Test func updateReroutesWhenARuleFieldChanges() throws {
        var (ticket, _) = try SampleMap.open()
        let changes = try TicketRules.update(&ticket, with: TicketPatch(severity: "critical"), map: SampleMap.map, context: [:], now: later)
        #expect(ticket.team == "l2")
        #expect(ticket.priority == "P1")
        #expect(changes.first == TicketChange(kind: .fieldChanged, field: "severity", from: nil, to: "critical"))
        #expect(changes.contains { $0.rule == "critical-to-l2" && $0.field == "team" })
    }

    @Test func updateKeepsFieldsSetInTheSamePatch() throws {
        var (ticket, _) = try SampleMap.open()
        _ = try TicketRules.update(&ticket, with: TicketPatch(severity: "critical", team: "l3"), map: SampleMap.map, context: [:], now: later)
        #expect(ticket.team == "l3")
        #expect(ticket.level == 3)
    }

    @Test func impactChangeRecomputesThePriority() throws {
        var (ticket, _) = try SampleMap.open(SampleMap.draft(impact: "low", urgency: "low"))
        _ = try TicketRules.update(&ticket, with: TicketPatch(impact: "high"), map: SampleMap.map, context: [:], now: later)
        #expect(ticket.priority == "P3")
    }

    @Test func emptyStringClearsAndNoChangeKeepsTheVersion() throws {
        var (ticket, _) = try SampleMap.open()
        _ = try TicketRules.update(&ticket, with: TicketPatch(assignee: "alex"), map: SampleMap.map, context: [:], now: later)
        #expect(ticket.assignee == "alex")
        let cleared = try TicketRules.update(&ticket, with: TicketPatch(assignee: ""), map: SampleMap.map, context: [:], now: later)
        #expect(ticket.assignee == nil)
        #expect(cleared == [TicketChange(kind: .assigned, field: "assignee", from: "alex", to: nil)])
        let version = ticket.version
        let none = try TicketRules.update(&ticket, with: TicketPatch(title: ticket.title), map: SampleMap.map, context: [:], now: later)
        #expect(none.isEmpty)
        #expect(ticket.version == version)
    }

    @Test func removingARequiredLinkIsRefused() throws {
        var (ticket, _) = try SampleMap.open()
        #expect(throws: TicketError.missingLink(kind: .account, family: "incident")) {
            try TicketRules.update(&ticket, with: TicketPatch(links: []), map: SampleMap.map, context: [:], now: later)
        }
    }

    @Test func emptyCommentIsRefused() throws {
        var (ticket, _) = try SampleMap.open()
        #expect(throws: TicketError.self) { try TicketRules.comment(&ticket, isPublic: true, body: " \n", now: later) }
        #expect(try TicketRules.comment(&ticket, isPublic: false, body: "checked logs", now: later).first?.field == "internal")
    }
}

import Foundation
import RelaisCore
import Testing

@Suite struct ResolutionTests {
    let later = SampleMap.now.addingTimeInterval(3_600)

    func solved() throws -> Ticket {
        var (ticket, _) = try SampleMap.open()
        for status in ["assigned", "in_progress", "resolved"] {
            _ = try TicketRules.transition(&ticket, to: status, resolutionNote: "Replaced the cable", map: SampleMap.map, now: later)
        }
        return ticket
    }

    @Test func confirmingASolvedTicketClosesIt() throws {
        var ticket = try solved()
        let changes = try TicketRules.confirmResolution(&ticket, map: SampleMap.map, now: later)
        #expect(ticket.status == "closed")
        #expect(ticket.statusCategory == .closed)
        #expect(changes == [TicketChange(kind: .statusChanged, field: "status", from: "resolved", to: "closed")])
    }

    @Test func onlyASolvedTicketCanBeConfirmed() throws {
        var (ticket, _) = try SampleMap.open()
        #expect {
            try TicketRules.confirmResolution(&ticket, map: SampleMap.map, now: later)
        } throws: { error in
            guard case let TicketError.notAllowed(field, value, _) = error else { return false }
            return field == "status" && value == "new"
        }
        #expect(ticket.status == "new")
    }

    @Test func aWorkflowWithoutAClosedStepFromSolvedRefusesConfirmation() throws {
        var map = SampleMap.map
        let code = try #require(map.families.values.first?.workflow)
        map.workflows[code]?.transitions.removeAll { $0.from == "resolved" }
        var ticket = try solved()
        #expect(throws: TicketError.self) { try TicketRules.confirmResolution(&ticket, map: map, now: later) }
        #expect(ticket.status == "resolved")
    }

    @Test func aDuplicateIsClosedNamingTheTicketItRepeats() throws {
        var (duplicate, _) = try SampleMap.open()
        var (target, _) = try SampleMap.open()
        target.id = UUID()
        target.key = "INC-2"
        let changes = try TicketRules.markDuplicate(&duplicate, of: target, map: SampleMap.map, now: later)
        #expect(duplicate.statusCategory == .closed)
        #expect(duplicate.customFields["duplicate_of"] == "INC-2")
        #expect(duplicate.resolutionNote == "Duplicate of INC-2")
        #expect(changes.first == TicketChange(kind: .fieldChanged, field: "custom.duplicate_of", from: nil, to: "INC-2"))
        #expect(changes.contains(TicketChange(kind: .statusChanged, field: "status", from: "new", to: "cancelled")))
    }

    @Test func neitherItselfNorADoneTicketIsMergedInto() throws {
        var (ticket, _) = try SampleMap.open()
        let copy = ticket
        #expect(throws: TicketError.self) { try TicketRules.markDuplicate(&ticket, of: copy, map: SampleMap.map, now: later) }
        var done = try solved()
        done.id = UUID()
        #expect(throws: TicketError.self) { try TicketRules.markDuplicate(&ticket, of: done, map: SampleMap.map, now: later) }
        #expect(ticket.status == "new")
    }
}

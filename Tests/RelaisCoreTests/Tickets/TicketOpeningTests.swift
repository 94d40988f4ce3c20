import Foundation
import RelaisCore
import Testing

@Suite struct TicketOpeningTests {
    @Test func opensInTheInitialStatusWithTheFirstTeamAndAMatrixPriority() throws {
        let (ticket, changes) = try SampleMap.open(SampleMap.draft(impact: "medium", urgency: "high"))
        #expect(ticket.status == "new")
        #expect(ticket.statusCategory == .new)
        #expect(ticket.team == "l1")
        #expect(ticket.level == 1)
        #expect(ticket.priority == "P2")
        #expect(ticket.version == 1)
        #expect(changes == [TicketChange(kind: .created, to: "new")])
    }

    @Test func routingRulesFireInOrderAndTheHistoryNamesThem() throws {
        let (ticket, changes) = try SampleMap.open(SampleMap.draft(severity: "critical", category: "network"))
        #expect(ticket.team == "l2")
        #expect(ticket.level == 2)
        #expect(ticket.priority == "P1")
        #expect(ticket.tags == ["network"])
        #expect(changes.filter { $0.rule == "critical-to-l2" }.compactMap(\.field) == ["team", "level", "priority"])
        #expect(changes.contains { $0.rule == "network-tag" && $0.field == "tags" })
    }

    @Test func firstMatchWinsUnlessTheRuleContinues() throws {
        // network-tag does not continue, so strategic-first never runs for a network ticket.
        let (ticket, _) = try SampleMap.open(
            SampleMap.draft(category: "network", impact: "low", urgency: "low"),
            context: ["account.tier": "strategic"])
        #expect(ticket.priority == "P5")
        let (raised, changes) = try SampleMap.open(SampleMap.draft(impact: "low", urgency: "low"), context: ["account.tier": "strategic"])
        #expect(raised.priority == "P4")
        #expect(changes.last?.rule == "strategic-first")
    }

    @Test func explicitTeamIsNotOverriddenByRouting() throws {
        var draft = SampleMap.draft(severity: "critical")
        draft.team = "l3"
        let (ticket, _) = try SampleMap.open(draft)
        #expect(ticket.team == "l3")
        #expect(ticket.priority == "P1")
    }

    @Test func unknownFamilyIsRefusedWithTheKnownOnes() {
        #expect(throws: TicketError.unknownValue(field: "family", value: "outage", allowed: ["incident"])) {
            try SampleMap.open(SampleMap.draft(family: "outage"))
        }
    }

    @Test func channelsAndOpenersComeFromTheFamily() {
        #expect(throws: TicketError.self) { try SampleMap.open(SampleMap.draft(channel: "fax")) }
        var draft = SampleMap.draft()
        draft.openedBy = "partner"
        #expect {
            try SampleMap.open(draft)
        } throws: { error in
            guard case let TicketError.notAllowed(field, value, _) = error else { return false }
            return field == "opened_by" && value == "partner"
        }
    }

    @Test(arguments: [("severity", "blocker"), ("category", "weather"), ("impact", "huge"), ("urgency", "now")])
    func referentialValuesAreChecked(field: String, value: String) {
        var draft = SampleMap.draft()
        switch field {
        case "severity": draft.severity = value
        case "category": draft.category = value
        case "impact": draft.impact = value
        default: draft.urgency = value
        }
        #expect {
            try SampleMap.open(draft)
        } throws: { error in
            guard case let TicketError.unknownValue(name, given, allowed) = error else { return false }
            return name == field && given == value && !allowed.isEmpty
        }
    }

    @Test func requiredCRMLinkIsEnforced() {
        #expect(throws: TicketError.missingLink(kind: .account, family: "incident")) {
            try SampleMap.open(SampleMap.draft(links: []))
        }
        #expect(throws: TicketError.self) {
            try SampleMap.open(SampleMap.draft(links: [CRMLink(kind: .account, id: SampleMap.accountID), CRMLink(kind: .invoice, id: UUID())]))
        }
    }

    @Test func emptyTitleIsRefused() {
        var draft = SampleMap.draft()
        draft.title = "  "
        #expect(throws: TicketError.missingField(field: "title", reason: "must not be empty")) { try SampleMap.open(draft) }
    }

    @Test func teamOutsideTheFamilyIsRefused() {
        var map = SampleMap.map
        map.teams["billing"] = Team(code: "billing", level: 2)
        var draft = SampleMap.draft()
        draft.team = "billing"
        #expect(throws: TicketError.self) {
            try TicketRules.open(draft, map: map, context: [:], id: UUID(), organizationID: SampleMap.organizationID, now: SampleMap.now)
        }
    }
}

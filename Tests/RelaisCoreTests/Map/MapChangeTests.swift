import Foundation
import RelaisCore
import Testing

@Suite struct MapChangeTests {
    @Test func sectionsAndDomainsFollowWhatChanged() {
        let old = SampleMap.map
        #expect(MapChange(from: old, to: old).sections.isEmpty)

        var routing = old
        routing.routing.removeLast()
        #expect(MapChange(from: old, to: routing).sections == [.routing])
        #expect(MapChange(from: old, to: routing).domains.isEmpty)

        // A workflow change reaches the families that follow it, and their domain.
        var workflow = old
        workflow.workflows["incident-flow"]!.statuses["waiting"] = .open
        let change = MapChange(from: old, to: workflow)
        #expect(change.sections == [.families])
        #expect(change.domains == [.itsm])

        // A team a family relies on, too.
        var team = old
        team.teams["l2"]!.escalatesTo = nil
        #expect(MapChange(from: old, to: team).domains == [.itsm])

        var governance = old
        governance.governance.defaults.secondApprover = true
        #expect(MapChange(from: old, to: governance).sections == [.governance])

        #expect(MapChange(from: nil, to: old).sections == Set(MapSection.allCases))
    }

    @Test func governanceNamesEveryMissingPermission() {
        var governance = MapGovernance(defaults: .init(propose: ["admin"], approve: ["admin"]))
        governance.sections[.routing] = .init(propose: ["agent"], approve: ["admin"])
        let change = MapChange(sections: [.routing, .sla], domains: [.support])
        #expect(governance.missing(.propose, role: "agent", change: change) == ["map.sla.propose", "map.domain.support.propose"])
        #expect(governance.missing(.propose, role: "admin", change: change).isEmpty)
        #expect(
            governance.missing(.approve, role: "agent", change: change) == ["map.sla.approve", "map.routing.approve", "map.domain.support.approve"])
        #expect(governance.missing(.approve, role: "requester", change: MapChange(sections: [.routing], domains: [])) == ["map.routing.approve"])

        // A change of the text alone takes what the default rule allows.
        #expect(governance.missing(.propose, role: "agent", change: MapChange(sections: [], domains: [])) == ["map.propose"])
        #expect(governance.missing(.propose, role: "admin", change: MapChange(sections: [], domains: [])).isEmpty)

        #expect(!governance.needsSecondApprover(change))
        governance.domains[.support] = .init(secondApprover: true)
        #expect(governance.needsSecondApprover(change))
        #expect(!governance.needsSecondApprover(MapChange(sections: [.routing], domains: [])))
    }

    static func ticket(status: String, category: StatusCategory, severity: String? = nil, tier: String? = nil) throws -> (Ticket, RoutingContext) {
        var (ticket, _) = try SampleMap.open(SampleMap.draft(severity: severity))
        ticket.status = status
        ticket.statusCategory = category
        return (ticket, tier.map { ["account.tier": $0] } ?? [:])
    }

    @Test func removedStatusesNeedAMoveAndMovesAreChecked() throws {
        let old = SampleMap.map
        var new = old
        new.workflows["incident-flow"] = Workflow(
            code: "incident-flow", initial: "new",
            statuses: [("new", .new), ("working", .open), ("waiting", .open), ("resolved", .solved), ("closed", .closed), ("cancelled", .closed)],
            transitions: [.init(from: "new", to: "working"), .init(from: "working", to: "resolved"), .init(from: "resolved", to: "closed")])
        let live = LiveTickets(statuses: [
            .init(family: "incident", status: "assigned", category: .open, tickets: 3),
            .init(family: "incident", status: "in_progress", category: .open, tickets: 2),
            .init(family: "incident", status: "waiting", category: .pending, tickets: 4),
            .init(family: "incident", status: "closed", category: .closed, tickets: 9),
        ])
        let refused = MapImpact(from: old, to: new, live: live, moves: [])
        #expect(!refused.canApply)
        #expect(refused.removedStatuses.map(\.status) == ["assigned", "in_progress"])
        #expect(refused.problems.count == 2)
        #expect(refused.problems[0].contains("incident:assigned=STATUS"))
        #expect(refused.categoryChanges == [.init(family: "incident", status: "waiting", from: .pending, to: .open, tickets: 4)])

        let moves = [
            StatusMove(family: "incident", from: "assigned", to: "working"), StatusMove(family: "incident", from: "in_progress", to: "working"),
        ]
        let accepted = MapImpact(from: old, to: new, live: live, moves: moves)
        #expect(accepted.canApply)
        #expect(accepted.removedStatuses.map(\.movedTo) == ["working", "working"])

        // A move to a status the new workflow lacks, or from one it still has, is refused by name.
        let wrong = MapImpact(
            from: old, to: new, live: live,
            moves: moves + [
                StatusMove(family: "incident", from: "resolved", to: "done"), StatusMove(family: "incident", from: "waiting", to: "working"),
                StatusMove(family: "nope", from: "a", to: "b"),
            ])
        #expect(
            wrong.problems == [
                "move incident:resolved=done: 'done' is not a status of workflow 'incident-flow'",
                "move incident:waiting=working: 'waiting' is still a status of workflow 'incident-flow'",
                "move nope:a=b: the new map has no family 'nope'",
            ])
    }

    @Test func familiesWithTicketsCannotBeRemovedNorTheOrganisationRenamed() {
        var new = SampleMap.map
        new.families = [:]
        new.organization.name = "Other"
        let impact = MapImpact(
            from: SampleMap.map, to: new, live: LiveTickets(statuses: [.init(family: "incident", status: "new", category: .new, tickets: 1)]),
            moves: [])
        #expect(impact.removedFamilies == [.init(family: "incident", tickets: 1)])
        #expect(impact.problems.count == 2)
        #expect(impact.problems.contains { $0.hasPrefix("organization.name") })
    }

    @Test func aTrackerWithEscalationsStillFollowedCannotBeRemoved() {
        var old = SampleMap.map
        old.trackers = [
            "product": DeveloperTracker(name: "product", kind: .github, url: "https://api.github.com", project: "acme/app", tokenVariable: "T"),
            "ops": DeveloperTracker(name: "ops", kind: .gitlab, url: "https://gitlab.example", project: "ops", tokenVariable: "T"),
        ]
        var live = LiveTickets()
        live.trackerEscalations = ["product": 2]
        var new = old
        new.trackers["ops"] = nil
        #expect(MapImpact(from: old, to: new, live: live, moves: []).problems.isEmpty)
        new.trackers["product"] = nil
        #expect(
            MapImpact(from: old, to: new, live: live, moves: []).problems == [
                "trackers.product: 2 escalations are still followed in this tracker (pending, or open with the fix not shipped); a tracker in use cannot be removed"
            ])
        #expect(MapChange(from: old, to: new).sections == [.integrations])
    }

    @Test func entitiesAndBrandsThatTicketsOrAccountsBelongToCannotBeRemoved() {
        var old = SampleMap.map
        old.entities = ["north": LegalEntity(code: "north", name: "North", brands: ["nord"]), "south": LegalEntity(code: "south", name: "South")]
        old.entityOrder = ["north", "south"]
        old.brands = ["nord": Brand(code: "nord", entity: "north", name: "Nord")]
        var live = LiveTickets()
        live.entityTickets = ["north": 3]
        live.brandTickets = ["nord": 2]
        live.entityAccounts = ["north": 1, "south": 1]
        var new = old
        #expect(MapImpact(from: old, to: new, live: live, moves: []).problems.isEmpty)
        new.entities["south"] = nil
        new.entityOrder = ["north"]
        #expect(
            MapImpact(from: old, to: new, live: live, moves: []).problems == [
                "entities.south: 0 tickets and 1 account belong to this entity; an entity they belong to cannot be removed"
            ])
        // A map without entities at all would strand every ticket and account that has one.
        let none = MapImpact(from: old, to: SampleMap.map, live: live, moves: [])
        #expect(none.problems.count == 3)
        #expect(none.problems.contains("brand 'nord': 2 tickets came through this brand; a brand with tickets cannot be removed"))
        // Declaring entities where there were none is no change to refuse.
        #expect(MapImpact(from: SampleMap.map, to: old, live: LiveTickets(), moves: []).problems.isEmpty)
    }

    @Test func slaTargetsRoutingAndMappingsAreCompared() throws {
        var old = SampleMap.map
        old.calendars["office"] = BusinessCalendar(code: "office", timezone: "UTC", hours: [:])
        old.sla["std"] = SLAPolicy(code: "std", calendar: "office", targets: ["P1": [.resolution: 3600], "P2": [.resolution: 7200]])
        old.referential.mappings = [
            ValueMapping(source: "servicenow", match: ["category": "Network"], set: ["category": "network"]),
            ValueMapping(source: "servicenow", match: ["category": "Billing"], set: ["category": "billing"]),
        ]
        var new = old
        new.sla["std"]!.targets["P1"] = [.resolution: 1800]
        new.sla["std"]!.targets["P2"] = nil
        new.referential.mappings = [ValueMapping(source: "servicenow", match: ["category": "Network"], set: ["category": "network"])]
        new.routing[0].actions.team = "l3"
        let critical = try Self.ticket(status: "assigned", category: .open, severity: "critical")
        let minor = try Self.ticket(status: "assigned", category: .open, severity: "minor")
        let live = LiveTickets(sla: [.init(policy: "std", priority: "P1", openTickets: 5)], sample: [critical, minor])
        let impact = MapImpact(from: old, to: new, live: live, moves: [])
        #expect(
            impact.slaTargets == [
                .init(policy: "std", priority: "P1", metric: "resolution", from: 3600, to: 1800, openTickets: 5),
                .init(policy: "std", priority: "P2", metric: "resolution", from: 7200, to: nil, openTickets: 0),
            ])
        #expect(impact.routingSampled == 2)
        #expect(impact.routingChanged == 1)
        #expect(impact.rerouted.first?.before["team"] == "l2")
        #expect(impact.rerouted.first?.after["team"] == "l3")
        #expect(impact.mappings == [.init(source: "servicenow", match: ["category": "Billing"], before: ["category": "billing"], now: [:])])
        #expect(impact.canApply)

        var calendar = old
        calendar.calendars["office"]!.holidays.insert(CivilDate(year: 2026, month: 12, day: 25)!)
        #expect(MapImpact(from: old, to: calendar, live: LiveTickets(), moves: []).calendarsChanged == ["std"])
    }

    @Test func statusMovesReadFromText() {
        #expect(StatusMove("incident: in_progress = working") == StatusMove(family: "incident", from: "in_progress", to: "working"))
        #expect(StatusMove("incident:in_progress") == nil)
        #expect(StatusMove(":a=b") == nil)
        #expect(StatusMove("incident:a=") == nil)
    }

    @Test func followingANewMapRecordsTheMoveAndTheCategory() throws {
        var (ticket, _) = try SampleMap.open()
        let version = ticket.version
        let changes = TicketRules.follow(&ticket, status: "working", category: .open, mapVersion: 7, now: SampleMap.now.addingTimeInterval(60))
        #expect(changes.map(\.kind) == [.statusChanged, .fieldChanged])
        #expect(changes.allSatisfy { $0.rule == "map v7" })
        #expect(ticket.status == "working")
        #expect(ticket.statusCategory == .open)
        #expect(ticket.version == version + 1)
        #expect(TicketRules.follow(&ticket, status: "working", category: .open, mapVersion: 8, now: SampleMap.now).isEmpty)
    }
}

import Foundation
import RelaisCore
import Testing

@Suite struct DeveloperIssueTests {
    func ticket(_ title: String = "Export to CSV times out", description: String = "Exports of more than 10,000 rows never finish.") throws -> Ticket
    {
        var (ticket, _) = try SampleMap.open()
        ticket.key = "INC-1"
        ticket.title = title
        ticket.description = description
        return ticket
    }

    @Test func theIssueCarriesTheTicketTheStepsTheAccountsHeaviestFirstAndTheWayBack() throws {
        let first = try ticket()
        var second = try ticket()
        second.key = "INC-2"
        let issue = DeveloperIssue.compose(
            ticket: first, others: [second], steps: "1. Export\n2. Wait",
            accounts: [
                AffectedAccount(name: "Small | Co", tier: "standard", annualRevenue: 90_000, currency: "EUR", tickets: ["INC-2"]),
                AffectedAccount(name: "Helix Pharma", tier: "strategic", annualRevenue: 2_400_000, currency: "EUR", tickets: [first.key]),
                AffectedAccount(name: "Nowhere", tickets: ["INC-2"]),
            ],
            link: "https://desk.example/api/v1/tickets/\(first.key)", labels: ["support"])
        #expect(issue.title == "[\(first.key)] Export to CSV times out" && issue.labels == ["support"])
        #expect(issue.body.contains("## Description\n\nExports of more than 10,000 rows never finish."))
        #expect(issue.body.contains("## Steps to reproduce\n\n1. Export\n2. Wait"))
        #expect(issue.body.contains("- Also reported in: INC-2"))
        #expect(issue.body.contains("3 accounts affected, 2,490,000 EUR of annual revenue."))
        let rows = issue.body.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Account") && !$0.hasPrefix("| ---") }
        #expect(
            rows == [
                "| Helix Pharma | strategic | 2,400,000 EUR | \(first.key) |", "| Small \\| Co | standard | 90,000 EUR | INC-2 |",
                "| Nowhere | none | unknown | INC-2 |",
            ])
        #expect(issue.body.hasSuffix("Escalated from Relais: https://desk.example/api/v1/tickets/\(first.key)"))
    }

    @Test func aLongTitleIsCutAtAWordAndMissingPartsAreSaid() throws {
        let long = try ticket(String(repeating: "timeout ", count: 60), description: "  ")
        let issue = DeveloperIssue.compose(ticket: long, steps: "  ", accounts: [], link: nil, labels: [])
        #expect(issue.title.count <= DeveloperIssue.longestTitle + 1 && issue.title.hasSuffix("timeout…"))
        #expect(issue.body.contains("_No description was given._") && !issue.body.contains("Steps to reproduce"))
        #expect(issue.body.contains("No customer account is tied to these tickets.") && !issue.body.contains("Escalated from Relais"))
    }

    func tracker(fixed: [String]? = nil, onFixed: String? = "resolved") -> DeveloperTracker {
        DeveloperTracker(
            name: "product", kind: .github, url: "https://api.github.com", project: "acme/app", tokenVariable: "T",
            fixedStates: fixed, onFixed: onFixed)
    }

    @Test func aShippedFixIsRecordedOnceAndMovesTheTicketWhereItsWorkflowAllows() throws {
        var inProgress = try ticket()
        inProgress.status = "in_progress"
        inProgress.statusCategory = .open
        let closed = IssueUpdate(
            issueID: "7", issueKey: "#7", state: IssueState(name: "closed", done: true), url: "https://github.com/acme/app/issues/7")
        var moved = inProgress
        let changes = TicketRules.trackerMoved(
            &moved, tracker: tracker(), from: "open", update: closed, wasFixed: false, map: SampleMap.map, now: SampleMap.now)
        #expect(changes.map(\.kind) == [.trackerChanged, .fixShipped, .statusChanged, .fieldChanged])
        #expect(changes[0].from == "open" && changes[0].to == "closed" && changes[0].details["issue"] == "#7")
        #expect(changes[1].to == "#7" && changes[1].details["url"] == "https://github.com/acme/app/issues/7")
        #expect(changes[2].to == "resolved" && changes[2].rule == "tracker product")
        #expect(changes[3].field == "resolution_note" && changes[3].to == "Fixed by the developers in product #7.")
        #expect(moved.status == "resolved" && moved.version == inProgress.version + 1 && moved.updatedAt == SampleMap.now)

        // From `new` the workflow does not allow `resolved`: recorded, not moved.
        var fresh = try ticket()
        let recorded = TicketRules.trackerMoved(
            &fresh, tracker: tracker(), from: "open", update: closed, wasFixed: false, map: SampleMap.map, now: SampleMap.now)
        #expect(recorded.map(\.kind) == [.trackerChanged, .fixShipped] && fresh.status == "new")
        // Shipped before: not told twice; the same state: nothing at all.
        var again = inProgress
        #expect(
            TicketRules.trackerMoved(
                &again, tracker: tracker(), from: "reopened", update: closed, wasFixed: true, map: SampleMap.map,
                now: SampleMap.now
            ).map(\.kind) == [.trackerChanged])
        var same = inProgress
        #expect(
            TicketRules.trackerMoved(
                &same, tracker: tracker(), from: "closed", update: closed, wasFixed: false, map: SampleMap.map, now: SampleMap.now
            ).isEmpty)
        #expect(same == inProgress)
    }

    @Test func theMapsFixedStatesReplaceTheTrackersNotionOfDone() {
        let done = IssueState(name: "Done", done: true), released = IssueState(name: "Released", done: false)
        #expect(tracker().isFixed(done) && !tracker().isFixed(released))
        #expect(!tracker(fixed: ["released"]).isFixed(done) && tracker(fixed: ["released"]).isFixed(released))
    }

    @Test func theRequesterIsToldTheFixShippedInTheirLanguage() {
        #expect(MailNotice.of(type: "relais.ticket.fix_shipped", data: [:]) == .fixShipped)
        #expect(MailNotice.fixShipped.autoSubmitted == "auto-generated" && MailNotice.fixShipped.subject(key: "INC-1", title: "t") == "Re: [INC-1] t")
        let english = MailNotice.fixShipped.body(.init(requesterName: "Ana", key: "INC-1", title: "Export fails", organization: "Acme"))
        #expect(english.contains("The fix our developers made for ticket INC-1: Export fails has shipped."))
        let french = MailNotice.fixShipped.body(
            .init(requesterName: "Ana", key: "INC-1", title: "Export fails", organization: "Acme", language: "fr"))
        #expect(french.hasPrefix("Bonjour Ana,") && french.contains("a été livré"))
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisProcess
import RelaisServer
import RelaisStore
import RelaisTestSupport
import Testing

/// The managers' pages: dashboards, the account 360 and the process page.
@Suite struct WebManagerTests {
    @Test(arguments: Engine.available)
    func dashboardsChartTheWeeksWorkloadAndTheBacklog(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let admin = try await harness.user("ada")
            let tickets = harness.services.tickets
            var keys: [String] = []
            // Three weeks of tickets: two, then three, then one; the first two are solved in week two.
            for (week, count) in [(0, 2), (1, 3), (2, 1)] {
                if week > 0 { harness.clock.advance(7 * 86_400) }
                for index in 0..<count {
                    let draft = TicketDraft(
                        family: "service_request", title: "Week \(week) request \(index)", channel: "portal", openedBy: "internal")
                    keys.append(try await tickets.open(draft, by: admin).ticket.key)
                }
                if week == 1 {
                    for key in keys.prefix(2) {
                        var ticket = try await tickets.find(key: key, by: admin)
                        let map = harness.services.configuration.map
                        let family = try #require(map.families[ticket.family])
                        let workflow = try #require(map.workflow(of: family))
                        while workflow.category(of: ticket.status) != .solved {
                            let targets = workflow.allowedTargets(from: ticket.status)
                            let next = try #require(
                                targets.first { workflow.category(of: $0) == .solved } ?? targets.first { workflow.category(of: $0) == .open })
                            ticket = try await tickets.transition(key: key, to: next, resolutionNote: "done", ifMatch: nil, by: admin)
                        }
                    }
                }
            }
            let workload = try await tickets.weeklyWorkload(weeks: 4, in: .gmt, by: admin)
            #expect(workload.weeks.count == 4)
            #expect(workload.opened["service_request"]?.suffix(3) == [2, 3, 1])
            #expect(workload.backlog.suffix(3) == [2, 3, 4])

            let browser = try await WebBrowser.signedIn("ada", on: client)
            let page = try await browser.get("/manage")
            WebPageTests.checkPage(page)
            // The volume and the backlog are drawn; without SLA targets or ratings yet, the other
            // two charts say there is nothing to show.
            #expect(page.text.contains(#"<figure id="chart-volume"><figcaption>Tickets opened per week and family</figcaption><svg"#))
            #expect(page.text.contains(#"<figure id="chart-backlog"><figcaption>Backlog at the end of each week</figcaption><svg"#))
            #expect(page.text.components(separatedBy: "No data for the period.").count - 1 == 2)
            #expect(page.text.contains("Service request"))
            // The backlog's last point is the number of tickets still open.
            #expect(page.text.contains(": 4</title></circle>"))
            // A role of the map without reports.view reaches none of the managers' pages.
            let agent = try await WebBrowser.signedIn("ivy", on: client)
            for path in ["/manage", "/manage/process"] {
                let refused = try await agent.get(path)
                #expect(refused.status == .forbidden, "\(path)")
                #expect(refused.headers[.contentType] == "text/html; charset=utf-8")
            }
            let requester = try await WebBrowser.signedIn("rita", on: client)
            #expect(try await requester.get("/manage").headers[.location] == "/portal")
        }
    }

    @Test(arguments: Engine.available)
    func theAccountPageAndTheProcessPageShowWhatTheLogHolds(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let admin = try await harness.user("ada")
            for index in 0..<3 {
                let draft = TicketDraft(
                    family: "customer_support", title: "Export fails \(index)", channel: "portal", openedBy: "internal",
                    severity: "critical", links: [CRMLink(kind: .account, id: harness.accountID)])
                _ = try await harness.services.tickets.open(draft, by: admin)
                harness.clock.advance(3_600)
            }
            let browser = try await WebBrowser.signedIn("ada", on: client)
            let account = try await browser.get("/manage/accounts/\(harness.accountID.text)")
            WebPageTests.checkPage(account)
            #expect(account.text.contains("Helix Pharma"))
            #expect(account.text.contains(#"<dd id="account-tickets">3</dd>"#))
            #expect(account.text.contains("Export fails 2"))
            #expect(try await browser.get("/manage/accounts/\(UUID().uuidString)").status == .notFound)
            let process = try await browser.get("/manage/process?family=customer_support&days=30")
            WebPageTests.checkPage(process)
            #expect(process.text.contains("3 cases"))
            // Both drawings when Graphviz is there; a clear word when it is not.
            if Graphviz.executable != nil {
                #expect(process.text.contains(#"<figure id="declared"><figcaption>Declared map</figcaption><svg"#))
                #expect(process.text.contains(#"<figure id="mined"><figcaption>As lived (colour: waiting time)</figcaption><svg"#))
            } else {
                #expect(process.text.contains("Graphviz"))
            }
        }
    }
}

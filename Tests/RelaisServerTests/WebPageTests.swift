import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

/// The pages of the workspace and the portal, and what their forms do.
@Suite struct WebPageTests {
    /// The key of the ticket a creation redirected to.
    static func key(from answer: TestResponse) throws -> String {
        let location = try #require(answer.headers[.location], "\(answer.status) \(answer.text)")
        return try #require(location.split(separator: "/").last?.split(separator: "?").first.map(String.init))
    }

    static func checkPage(_ answer: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == .ok, "\(answer.text)", sourceLocation: sourceLocation)
        #expect(answer.headers[.contentType] == "text/html; charset=utf-8", sourceLocation: sourceLocation)
        #expect(answer.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, sourceLocation: sourceLocation)
        #expect(answer.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
        #expect(answer.body.readableBytes <= 150_000, sourceLocation: sourceLocation)
        // Absent values must not leak into the page as Swift's words for them.
        #expect(!answer.text.contains(">nil<") && !answer.text.contains("Optional("), sourceLocation: sourceLocation)
    }

    @Test(arguments: Engine.available)
    func anAgentTakesRepliesAndMovesATicketAlongItsWorkflowOnly(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let agent = try await WebBrowser.signedIn("sam", on: client)
            Self.checkPage(try await agent.get("/app/new"))
            let key = try Self.key(
                from: try await agent.post(
                    "/app/tickets",
                    [
                        ("family", "service_request"), ("subject", "Badge does not open the door"),
                        ("description", "Since Monday."),
                    ]))
            // Nobody holds it yet: it is in the unassigned queue, not in mine.
            Self.checkPage(try await agent.get("/app?view=unassigned"))
            #expect(agent.lastPage.contains("/app/tickets/\(key)"))
            try await agent.get("/app?view=mine")
            #expect(!agent.lastPage.contains("/app/tickets/\(key)"))
            Self.checkPage(try await agent.get("/app/tickets/\(key)"))
            #expect(try await agent.post("/app/tickets/\(key)/take", []).headers[.location] == "/app/tickets/\(key)?done=taken")
            try await agent.get("/app?view=mine")
            #expect(agent.lastPage.contains("/app/tickets/\(key)"))
            try await agent.get("/app/tickets/\(key)")
            try await agent.post("/app/tickets/\(key)/reply", [("body", "We are on it."), ("visibility", "public")])
            try await agent.post("/app/tickets/\(key)/reply", [("body", "Door controller 3 again"), ("visibility", "internal")])
            Self.checkPage(try await agent.get("/app/tickets/\(key)?done=replied"))
            #expect(agent.lastPage.contains("We are on it.") && agent.lastPage.contains("Door controller 3 again"))
            #expect(agent.lastPage.contains("Your reply was added."))
            // Only the workflow's moves are offered, and another is refused with the reason on the page.
            let map = harness.services.configuration.map
            let workflow = try #require(map.families["service_request"].flatMap { map.workflow(of: $0) })
            let offered = workflow.allowedTargets(from: workflow.initial)
            for status in workflow.statusOrder {
                #expect(agent.lastPage.contains(#"<option value="\#(status)""#) == offered.contains(status), "\(status)")
            }
            let forbidden = try #require(workflow.statusOrder.first { !offered.contains($0) && $0 != workflow.initial })
            let refused = try await agent.post("/app/tickets/\(key)/move", [("to", forbidden)])
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("class=\"problem\""))
            #expect(refused.text.contains(key))
            let target = try #require(offered.first)
            #expect(try await agent.post("/app/tickets/\(key)/move", [("to", target)]).status == .seeOther)
            let ticket = try #require(try await harness.services.tickets.tickets.find(organizationID: harness.services.organization.id, key: key))
            #expect(ticket.status == target)
            #expect(ticket.assignee == "sam")
            let comments = try await harness.services.tickets.tickets.comments(
                organizationID: ticket.organizationID, ticketID: ticket.id, includeInternal: true)
            #expect(comments.map(\.isPublic) == [true, false])
        }
    }

    /// Text is escaped scalar by scalar: a mark that joins `<` or `"` into one Swift character
    /// (U+0600 before, U+0301 after) does not carry markup into a page.
    @Test(arguments: Engine.available)
    func marksBesideMarkupDoNotCarryItIntoPages(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
            func contains(_ page: String, _ part: String) -> Bool { bytes(page).firstRange(of: bytes(part)) != nil }
            let agent = try await WebBrowser.signedIn("sam", on: client)
            let key = try await agent.create([
                ("family", "service_request"), ("subject", "\u{600}<script>alert(1)</script>"),
                ("description", "x \u{600}<img src=x onerror=alert(1)>"),
            ])
            for page in ["/app/tickets/\(key)", "/app?view=unassigned"] {
                Self.checkPage(try await agent.get(page))
                #expect(contains(agent.lastPage, "&lt;script&gt;alert(1)"), "\(page)")
                #expect(!contains(agent.lastPage, "<script>alert") && !contains(agent.lastPage, "<img src=x"), "\(page)")
            }
            let stranger = WebBrowser(client)
            let hostile = "x\"\u{301} autofocus onfocus=alert(1) x=\"", escaped = "x&quot;\u{301} autofocus", raw = "x\"\u{301} autofocus"
            let refused = try await stranger.signIn(hostile, password: "wrong").text
            let escapedShown = contains(refused, escaped), rawShown = contains(refused, raw)
            #expect(escapedShown, "\(refused)")
            #expect(!rawShown)
        }
    }

    @Test(arguments: Engine.available)
    func aDuplicateIsMergedIntoTheTicketItRepeats(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let agent = try await WebBrowser.signedIn("sam", on: client)
            // Changes may end from any status (`["*", cancelled]` in the example map).
            let kept = try await agent.create([("family", "change"), ("subject", "Upgrade the badge readers")])
            let duplicate = try await agent.create([("family", "change"), ("subject", "Replace the door badge readers")])
            try await agent.get("/app/tickets/\(duplicate)")
            // Merging into itself, or into a ticket that does not exist, is refused on the page.
            #expect(try await agent.post("/app/tickets/\(duplicate)/merge", [("into", duplicate)]).status == .unprocessableContent)
            #expect(try await agent.post("/app/tickets/\(duplicate)/merge", [("into", "CHG-999")]).status == .notFound)
            let merged = try await agent.post("/app/tickets/\(duplicate)/merge", [("into", kept.lowercased())])
            #expect(
                merged.headers[.location] == "/app/tickets/\(kept)?done=merged",
                "\(merged.status) \(merged.text.components(separatedBy: "class=\"problem\"").dropFirst().first?.prefix(300) ?? "")")
            let organization = harness.services.organization.id
            let closed = try #require(try await harness.services.tickets.tickets.find(organizationID: organization, key: duplicate))
            #expect(closed.statusCategory == .closed)
            #expect(closed.customFields["duplicate_of"] == kept)
            #expect(closed.resolutionNote == "Duplicate of \(kept)")
            try await agent.get("/app/tickets/\(kept)?done=merged")
            #expect(agent.lastPage.contains("\(duplicate) was merged into this ticket: Replace the door badge readers"))
            #expect(agent.lastPage.contains("The duplicate was closed and noted here."))
            // A closed ticket offers no merge, and merging it again is refused.
            try await agent.get("/app/tickets/\(duplicate)")
            #expect(!agent.lastPage.contains("id=\"merge\""))
            try await agent.get("/app/tickets/\(kept)")
            #expect(try await agent.post("/app/tickets/\(duplicate)/merge", [("into", kept)]).status == .unprocessableContent)
            // A workflow with no way to end from the duplicate's status says so.
            let request = try await agent.create([("family", "service_request"), ("subject", "Badge for Jo")])
            try await agent.get("/app/tickets/\(request)")
            let refused = try await agent.post("/app/tickets/\(request)/merge", [("into", kept)])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("cannot end as a duplicate"))
        }
    }

    @Test(arguments: Engine.available)
    func quickCreationSuggestsTheCategoryFromPastSubjects(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let agent = try await WebBrowser.signedIn("sam", on: client)
            try await agent.get("/app/new")
            for (subject, category) in [
                ("VPN drops every hour", "network"), ("Wifi is slow on floor 2", "network"), ("VPN certificate expired", "network"),
                ("Invoice charged twice", "billing"), ("Refund for a duplicate invoice", "billing"),
            ] {
                let answer = try await agent.post("/app/tickets", [("family", "service_request"), ("subject", subject), ("category", category)])
                #expect(answer.status == .seeOther, "\(answer.text)")
            }
            let suggestions = try await agent.get("/app/suggest?subject=VPN%20is%20down%20again")
            #expect(suggestions.headers[.contentType] == "application/json")
            #expect(suggestions.text.hasPrefix(#"[{"code":"network""#), "\(suggestions.text)")
            // Sent without a category, the ticket takes the first suggestion.
            let key = try await agent.create([("subject", "The VPN will not connect")])
            let ticket = try await harness.services.tickets.tickets.find(organizationID: harness.services.organization.id, key: key)
            #expect(ticket?.category == "network")
            // The account is found by its name as typed, offered as one types, and refused when unknown.
            #expect(try await agent.get("/app/accounts?q=hel").text == #"[{"id":"\#(harness.accountID.text)","name":"Helix Pharma"}]"#)
            #expect(try await agent.get("/app/accounts?q=50%25").text == "[]")
            let linked = try await agent.create([("family", "incident"), ("subject", "Mail is down"), ("account", "helix pharma")])
            #expect(
                try await harness.services.tickets.tickets.find(organizationID: harness.services.organization.id, key: linked)?.accountID
                    == harness.accountID)
            try await agent.get("/app/new")
            let unknown = try await agent.post("/app/tickets", [("family", "incident"), ("subject", "Mail is down"), ("account", "Globex")])
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.text.contains("no account is named"))
            // A missing subject is named on the form, which keeps what was typed.
            let refused = try await agent.post("/app/tickets", [("family", "service_request"), ("description", "Forgot the subject")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("subject"))
            #expect(refused.text.contains("Forgot the subject"))
        }
    }

    @Test(arguments: Engine.available)
    func aRequesterOpensFollowsRefusesThenConfirmsAndRates(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let requester = try await WebBrowser.signedIn("rita", on: client)
            Self.checkPage(try await requester.get("/portal/new"))
            // Only the families the map lets customers open are offered.
            let map = harness.services.configuration.map
            for family in map.families.values {
                #expect(requester.lastPage.contains(#"<option value="\#(family.code)""#) == family.openedBy.contains("customer"), "\(family.code)")
            }
            let key = try Self.key(
                from: try await requester.post(
                    "/portal/tickets",
                    [
                        ("family", "customer_support"), ("subject", "Export to CSV fails"), ("category", "product"),
                        ("description", "Error 500 on export."),
                    ]))
            // The requester is taken for their CRM contact, which brings the account along.
            let ticket = try #require(try await harness.services.tickets.tickets.find(organizationID: harness.services.organization.id, key: key))
            #expect(ticket.accountID == harness.accountID)
            #expect(ticket.openedBy == "customer")
            Self.checkPage(try await requester.get("/portal/tickets/\(key)?done=created"))
            try await requester.post("/portal/tickets/\(key)/reply", [("body", "It also fails for PDF.")])

            let agent = try await WebBrowser.signedIn("sam", on: client)
            try await agent.get("/app/tickets/\(key)")
            try await agent.post("/app/tickets/\(key)/reply", [("body", "Internal: known bug"), ("visibility", "internal")])
            let workflow = try #require(map.families["customer_support"].flatMap { map.workflow(of: $0) })
            func solve() async throws {
                var current = try #require(try await harness.services.tickets.tickets.find(organizationID: ticket.organizationID, key: key))
                while workflow.category(of: current.status) != .solved {
                    let targets = workflow.allowedTargets(from: current.status)
                    let next = try #require(
                        targets.first { workflow.category(of: $0) == .solved } ?? targets.first { workflow.category(of: $0) == .open })
                    try await agent.get("/app/tickets/\(key)")
                    let moved = try await agent.post("/app/tickets/\(key)/move", [("to", next), ("resolution_note", "Fixed in 4.3")])
                    #expect(moved.status == .seeOther, "\(moved.text)")
                    current = try #require(try await harness.services.tickets.tickets.find(organizationID: ticket.organizationID, key: key))
                }
            }
            try await solve()
            Self.checkPage(try await requester.get("/portal/tickets/\(key)"))
            #expect(requester.lastPage.contains("It also fails for PDF."))
            // The desk's internal notes never reach the portal.
            #expect(!requester.lastPage.contains("known bug"))
            #expect(requester.lastPage.contains("/portal/tickets/\(key)/confirm"))
            // Refusing needs a reason, then takes the ticket back to the team.
            #expect(try await requester.post("/portal/tickets/\(key)/refuse", [("reason", "  ")]).status == .unprocessableContent)
            #expect(try await requester.post("/portal/tickets/\(key)/refuse", [("reason", "Still failing for PDF")]).status == .seeOther)
            let reopened = try #require(try await harness.services.tickets.tickets.find(organizationID: ticket.organizationID, key: key))
            #expect(reopened.statusCategory == .open)
            try await solve()
            try await requester.get("/portal/tickets/\(key)")
            #expect(try await requester.post("/portal/tickets/\(key)/confirm", []).status == .seeOther)
            let closed = try #require(try await harness.services.tickets.tickets.find(organizationID: ticket.organizationID, key: key))
            #expect(closed.statusCategory == .closed)
            try await requester.get("/portal/tickets/\(key)?done=confirmed")
            #expect(try await requester.post("/portal/tickets/\(key)/rate", [("score", "9")]).status == .unprocessableContent)
            #expect(try await requester.post("/portal/tickets/\(key)/rate", [("score", "4"), ("comment", "Quick")]).status == .seeOther)
            #expect(try await harness.services.tickets.tickets.rating(ticketID: closed.id)?.score == 4)
            // Confirming again is refused: the ticket is no longer solved.
            #expect(try await requester.post("/portal/tickets/\(key)/confirm", []).status == .unprocessableContent)
        }
    }

    @Test(arguments: Engine.available)
    func aRequesterReachesNothingButTheirOwnTicketsAndThePortal(engine: Engine) async throws {
        try await WebHarness.with(engine) { _, client in
            let rita = try await WebBrowser.signedIn("rita", on: client)
            let own = try await rita.create(in: "portal", [("family", "customer_support"), ("subject", "Login page is blank")])
            let agent = try await WebBrowser.signedIn("sam", on: client)
            let staffs = try await agent.create([("family", "service_request"), ("subject", "Rack 4 is loud")])
            let rob = try await WebBrowser.signedIn("rob", on: client)
            for path in ["/app", "/app/new", "/app/tickets/\(staffs)", "/app?view=breached"] {
                #expect(try await rob.get(path).headers[.location] == "/portal", "\(path)")
            }
            // Someone else's ticket does not exist for them, nor does a staff ticket.
            for key in [own, staffs] {
                let answer = try await rob.get("/portal/tickets/\(key)")
                #expect(answer.status == .notFound)
                #expect(!answer.text.contains("Login page is blank") && !answer.text.contains("Rack 4"))
            }
            try await rob.get("/portal")
            #expect(try await rob.post("/portal/tickets/\(own)/reply", [("body", "hijack")]).status == .notFound)
            #expect(try await rob.post("/app/tickets/\(own)/reply", [("body", "hijack")]).headers[.location] == "/portal")
            try await rob.get("/portal")
            #expect(!rob.lastPage.contains(own))
            try await rita.get("/portal")
            #expect(rita.lastPage.contains(own) && !rita.lastPage.contains(staffs))
        }
    }

    @Test(arguments: Engine.available)
    func pagesSpeakTheBrowsersLanguageThenTheUsersChoice(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let browser = WebBrowser(client)
            browser.language = "de-DE, fr;q=0.8, en;q=0.5"
            try await browser.get("/login")
            #expect(browser.lastPage.contains(#"<html lang="fr">"#))
            #expect(browser.lastPage.contains("Mot de passe"))
            try await browser.signIn("sam")
            try await browser.get("/app")
            #expect(browser.lastPage.contains("Les miens"))
            // The user picks English, kept with them, whatever the browser says.
            let saved = try await browser.post("/preferences", [("language", "en"), ("time_zone", "America/New_York"), ("back", "/app")])
            #expect(saved.headers[.location] == "/app")
            try await browser.get("/app")
            #expect(browser.lastPage.contains(#"<html lang="en">"#))
            let elsewhere = WebBrowser(client)
            elsewhere.language = "fr"
            try await elsewhere.signIn("sam")
            try await elsewhere.get("/app")
            #expect(elsewhere.lastPage.contains(#"<html lang="en">"#))
            // Times are shown in the user's zone: a ticket opened now reads in New York's hour.
            let key = try await elsewhere.create([("family", "service_request"), ("subject", "Clock check")])
            try await elsewhere.get("/app/tickets/\(key)")
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = try #require(TimeZone(identifier: "America/New_York"))
            let hour = calendar.component(.hour, from: harness.clock.now)
            let minute = calendar.component(.minute, from: harness.clock.now)
            #expect(elsewhere.lastPage.contains(String(format: "%02d:%02d", hour, minute)))
            #expect(try await elsewhere.post("/preferences", [("time_zone", "Mars/Olympus")]).status == .unprocessableContent)
            // The header's language switch sends the language alone: the zone stays.
            WebPageTests.checkPage(try await elsewhere.get("/preferences"))
            #expect(elsewhere.lastPage.contains("<option selected>America/New_York</option>"))
            try await elsewhere.post("/preferences", [("language", "fr")])
            try await elsewhere.get("/preferences")
            #expect(elsewhere.lastPage.contains(#"<html lang="fr">"#))
            #expect(elsewhere.lastPage.contains("<option selected>America/New_York</option>"))
        }
    }

    @Test(arguments: Engine.available)
    func everyPageAnswersForWhoMayReadIt(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let admin = WebBrowser(client)
            #expect(try await admin.get("/").headers[.location] == "/login")
            try await admin.signIn("ada")
            #expect(try await admin.get("/").headers[.location] == "/app")
            let key = try await admin.create([("family", "service_request"), ("subject", "Walk the pages")])
            for path in [
                "/app", "/app?view=team", "/app?view=unassigned", "/app?view=due", "/app?view=breached", "/app/new", "/app/tickets/\(key)",
                "/preferences", "/manage", "/manage/process", "/manage/accounts/\(harness.accountID.text)", "/admin", "/admin/map",
                "/admin/users", "/admin/webhooks",
            ] {
                Self.checkPage(try await admin.get(path))
            }
            let requester = try await WebBrowser.signedIn("rita", on: client)
            for path in ["/portal", "/portal/new", "/preferences"] { Self.checkPage(try await requester.get(path)) }
            let style = try await admin.get("/assets/relais.css")
            #expect(style.status == .ok)
            #expect(style.headers[.contentType] == "text/css; charset=utf-8")
            #expect(try await admin.get("/assets/relais.js").headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(try await admin.get("/assets/nothing.js").status == .notFound)
            #expect(try await admin.get("/app/tickets/NOPE-1").status == .notFound)
        }
    }

    @Test func everyTextHasItsFrenchTranslation() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/RelaisServer/Resources/web/text")
        let english = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: folder.appendingPathComponent("en.json")))
        let french = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: folder.appendingPathComponent("fr.json")))
        #expect(Set(english.keys).subtracting(french.keys).sorted() == [])
        #expect(Set(french.keys).subtracting(english.keys).sorted() == [])
        // Placeholders agree, so a sentence never loses its value in translation.
        for (key, text) in english {
            #expect(text.components(separatedBy: "%@").count == (french[key] ?? "").components(separatedBy: "%@").count, "\(key)")
        }
    }
}

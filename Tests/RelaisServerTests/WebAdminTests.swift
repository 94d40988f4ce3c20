import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisServer
import RelaisStore
import RelaisTestSupport
import Testing

/// The administration pages: the map, users, tokens, webhooks.
@Suite struct WebAdminTests {
    @Test(arguments: Engine.available)
    func aMapIsCheckedWithItsProblemsPlacedThenProposed(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let admin = try await WebBrowser.signedIn("ada", on: client)
            WebPageTests.checkPage(try await admin.get("/admin/map"))
            #expect(admin.lastPage.contains("Running version <strong>1</strong>"))
            let broken = try ExampleMap.text().replacingOccurrences(of: "workflow: customer-case", with: "workflow: no-such-flow")
            let checked = try await admin.post("/admin/map/check", [("map", broken)])
            #expect(checked.status == .unprocessableContent)
            let line = try #require(broken.components(separatedBy: "\n").firstIndex { $0.contains("no-such-flow") }) + 1
            #expect(checked.text.contains("<strong>line \(line), column "), "\(checked.text.prefix(3000))")
            #expect(checked.text.contains("no-such-flow"))
            // What was sent stays in the form to be mended.
            #expect(checked.text.contains("workflow: no-such-flow"))
            let text = try ExampleMap.text().replacingOccurrences(
                of: "label: { fr: \"Support client\", en: \"Customer support\" }",
                with: "label: { fr: \"Support clients\", en: \"Customer care\" }")
            try await admin.get("/admin/map")
            let valid = try await admin.post("/admin/map/check", [("map", text)])
            #expect(valid.status == .ok)
            #expect(valid.text.contains("id=\"map-valid\""))
            admin.lastPage = valid.text
            let proposed = try await admin.post("/admin/map/propose", [("map", text), ("message", "Rename support")])
            #expect(proposed.headers[.location] == "/admin/map?done=proposed", "\(proposed.text.prefix(2000))")
            let versions = try await harness.services.versions.list(organizationID: harness.services.organization.id, limit: 5)
            #expect(versions.first?.message == "Rename support")
            #expect(versions.first?.state == .proposed)
            // Proposing a broken map is refused whatever the form says.
            try await admin.get("/admin/map")
            #expect(try await admin.post("/admin/map/propose", [("map", broken)]).status == .unprocessableContent)
        }
    }

    @Test(arguments: Engine.available)
    func usersPasswordsAndTokensAreManagedFromThePage(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let admin = try await WebBrowser.signedIn("ada", on: client)
            WebPageTests.checkPage(try await admin.get("/admin/users"))
            #expect(
                try await admin.post(
                    "/admin/users/add", [("name", "lea"), ("email", "lea@acme.example"), ("role", "agent"), ("teams", "support-l1")]
                )
                .headers[.location] == "/admin/users?done=user_added")
            try await admin.get("/admin/users")
            #expect(try await admin.post("/admin/users/add", [("name", "lea"), ("role", "agent")]).status == .conflict)
            try await admin.get("/admin/users")
            #expect(try await admin.post("/admin/users/password", [("name", "lea"), ("password", "short")]).status == .unprocessableContent)
            try await admin.get("/admin/users")
            #expect(try await admin.post("/admin/users/password", [("name", "lea"), ("password", "a long enough secret")]).status == .seeOther)
            #expect(try await WebBrowser(client).signIn("lea", password: "a long enough secret").headers[.location] == "/app")
            // A token is shown once, works on the API, and stops working once revoked.
            try await admin.get("/admin/users")
            let made = try await admin.post("/admin/users/token", [("name", "lea"), ("label", "script")])
            let token = try #require(
                made.text.range(of: #"<code>(rls_[A-Za-z0-9_-]+)</code>"#, options: .regularExpression)
                    .map { String(made.text[$0].dropFirst(6).dropLast(7)) })
            #expect(try await client.send(.get, "/api/v1/tickets", token: token).status == .ok)
            try await admin.get("/admin/users")
            #expect(!admin.lastPage.contains(token))
            let id = try #require(admin.value(of: "id"))
            #expect(try await admin.post("/admin/users/revoke", [("id", id)]).headers[.location] == "/admin/users?done=token_revoked")
            try await client.send(.get, "/api/v1/tickets", token: token).expectProblem(.unauthorized)
            // Agents do not administer.
            let agent = try await WebBrowser.signedIn("sam", on: client)
            for path in ["/admin", "/admin/map", "/admin/users", "/admin/webhooks"] {
                #expect(try await agent.get(path).status == .forbidden, "\(path)")
            }
            try await agent.get("/app")
            #expect(try await agent.post("/admin/users/add", [("name", "mallory"), ("role", "admin")]).status == .forbidden)
            #expect(try await harness.services.directory.user(organizationID: harness.services.organization.id, name: "mallory") == nil)
        }
    }

    @Test(arguments: Engine.available)
    func webhookEndpointsAreListed(engine: Engine) async throws {
        try await WebHarness.with(engine, settings: { _ in }) { harness, client in
            let admin = try await harness.user("ada")
            _ = try await harness.services.webhooks.create(
                url: "https://hooks.example.com/relais", description: "CRM bridge", eventTypes: ["relais.ticket.*"], by: admin)
            _ = try await harness.services.tickets.open(
                TicketDraft(family: "service_request", title: "Printer on fire", channel: "portal", openedBy: "internal"), by: admin)
            let browser = try await WebBrowser.signedIn("ada", on: client)
            let page = try await browser.get("/admin/webhooks")
            WebPageTests.checkPage(page)
            #expect(page.text.contains("https://hooks.example.com/relais"))
            #expect(page.text.contains("CRM bridge"))
        }
    }
}

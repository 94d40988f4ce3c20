import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

/// Signing in and out of the web workspace: cookies, expiry, throttling, form tokens.
@Suite struct WebSessionTests {
    @Test(arguments: Engine.available)
    func signingInSetsAGuardedCookieAndLandsEachRoleAtHome(engine: Engine) async throws {
        try await WebHarness.with(engine) { _, client in
            let agent = WebBrowser(client)
            let answer = try await agent.signIn("sam")
            #expect(answer.status == .seeOther)
            #expect(answer.headers[.location] == "/app")
            let cookie = try #require(answer.headers[values: .setCookie].first { $0.hasPrefix("relais_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("Secure"), "sessions are Secure unless the server is started with --insecure-cookies")
            #expect(cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Path=/"))
            #expect(try await agent.get("/app").status == .ok)
            #expect(agent.lastPage.contains("sam"))

            let requester = WebBrowser(client)
            #expect(try await requester.signIn("rita").headers[.location] == "/portal")
            // The e-mail address signs in too, whatever its case.
            #expect(try await WebBrowser(client).signIn("Rita@Helix.example").headers[.location] == "/portal")
            // Pages of the workspace need a session, and say where to come back.
            let stranger = WebBrowser(client)
            let refused = try await stranger.get("/app/tickets/INC-1")
            #expect(refused.status == .seeOther)
            #expect(refused.headers[.location] == "/login?next=/app/tickets/INC-1")
        }
    }

    @Test(arguments: Engine.available)
    func wrongPasswordsAreRefusedAlikeAndAudited(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let browser = WebBrowser(client)
            let wrong = try await browser.signIn("sam", password: "not the password")
            #expect(wrong.status == .unauthorized)
            let unknown = try await browser.signIn("nobody", password: "whatever it is")
            #expect(unknown.status == .unauthorized)
            // The same words for an unknown login and a wrong password: nothing tells which logins exist.
            #expect(wrong.text.contains("The name or the password is wrong."))
            #expect(unknown.text.contains("The name or the password is wrong."))
            #expect(browser.cookies["relais_session"] == nil)
            let refusals = try await AuditLog(database: harness.services.database)
                .entries(organizationID: harness.services.organization.id, action: "session.refused", limit: 50)
            #expect(Set(refusals.map(\.target)) == ["sam", "nobody"])
        }
    }

    @Test(arguments: Engine.available)
    func repeatedFailuresThrottleTheLoginUntilTheWindowPasses(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let browser = WebBrowser(client)
            for _ in 0..<3 { #expect(try await browser.signIn("sam", password: "guess guess guess").status == .unauthorized) }
            // The right password is refused too while the login is throttled.
            let throttled = try await browser.signIn("sam")
            #expect(throttled.status == .tooManyRequests)
            let wait = try #require(throttled.headers[.retryAfter].flatMap(Int.init))
            #expect(wait > 0 && wait <= 15 * 60)
            // Another login is not held up.
            #expect(try await WebBrowser(client).signIn("kim").status == .seeOther)
            harness.clock.advance(15 * 60 + 1)
            #expect(try await browser.signIn("sam").status == .seeOther)
        }
    }

    /// One address trying many logins is slowed down too; behind a trusted load balancer the
    /// address is the one it forwards, and an untrusted peer cannot choose its own.
    @Test(arguments: Engine.available)
    func repeatedFailuresFromOneAddressThrottleItWhateverTheLogin(engine: Engine) async throws {
        try await WebHarness.with(
            engine, live: true,
            settings: {
                $0.addressAttempts = 4
                $0.trustedProxies = ["127.0.0.1"]
            }
        ) { harness, client in
            func attempt(_ login: String, password: String = "guess guess guess", from address: String) async throws -> TestResponse {
                let browser = WebBrowser(client)
                browser.forwardedFor = address
                return try await browser.signIn(login, password: password)
            }
            for login in ["sam", "kim", "ada", "ivy"] { #expect(try await attempt(login, from: "203.0.113.7").status == .unauthorized) }
            // That address is held back, the right password included, for a login it never tried.
            let held = try await attempt("rita", password: WebHarness.password, from: "203.0.113.7")
            #expect(held.status == .tooManyRequests)
            #expect(held.headers[.retryAfter].flatMap(Int.init).map { $0 > 0 && $0 <= 15 * 60 } == true)
            // Another address signs in.
            #expect(try await attempt("rita", password: WebHarness.password, from: "198.51.100.9").status == .seeOther)
            let refusals = try await AuditLog(database: harness.services.database)
                .entries(organizationID: harness.services.organization.id, action: "session.refused", limit: 50)
            #expect(refusals.contains { $0.detail.contains("from 203.0.113.7") })
        }
    }

    /// Without a trusted proxy, X-Forwarded-For is the client's own words: not believed.
    @Test(arguments: Engine.available)
    func anUntrustedPeerCannotChooseItsAddress(engine: Engine) async throws {
        try await WebHarness.with(engine, live: true, settings: { $0.addressAttempts = 4 }) { _, client in
            for (index, login) in ["sam", "kim", "ada", "ivy"].enumerated() {
                let browser = WebBrowser(client)
                browser.forwardedFor = "192.0.2.\(index)"
                let refused = try await browser.signIn(login, password: "guess guess guess")
                #expect(refused.status == .unauthorized)
            }
            let browser = WebBrowser(client)
            browser.forwardedFor = "192.0.2.99"
            let held = try await browser.signIn("rita")
            #expect(held.status == .tooManyRequests)
        }
    }

    @Test(arguments: Engine.available)
    func sessionsExpireWhenIdleAndAtTheirAbsoluteEnd(engine: Engine) async throws {
        try await WebHarness.with(engine, settings: { $0.lifetime = .init(idle: 30 * 60, absolute: 2 * 3_600) }) { harness, client in
            let idle = try await WebBrowser.signedIn("sam", on: client)
            harness.clock.advance(20 * 60)
            #expect(try await idle.get("/app").status == .ok)
            harness.clock.advance(20 * 60)
            // 20 minutes after the last request: still within the idle limit.
            #expect(try await idle.get("/app").status == .ok)
            harness.clock.advance(31 * 60)
            #expect(try await idle.get("/app").headers[.location]?.hasPrefix("/login") == true)

            let busy = try await WebBrowser.signedIn("kim", on: client)
            for _ in 0..<4 {
                harness.clock.advance(29 * 60)
                #expect(try await busy.get("/app").status == .ok)
            }
            harness.clock.advance(29 * 60)
            // Active all along, but signed in more than two hours ago.
            #expect(try await busy.get("/app").status == .seeOther)
        }
    }

    @Test(arguments: Engine.available)
    func signingOutEndsTheSessionOnTheServer(engine: Engine) async throws {
        try await WebHarness.with(engine) { _, client in
            let browser = try await WebBrowser.signedIn("sam", on: client)
            try await browser.get("/app")
            let stolen = try #require(browser.cookies["relais_session"])
            let out = try await browser.post("/logout", [])
            #expect(out.status == .seeOther)
            #expect(out.headers[.location] == "/login")
            #expect(browser.cookies["relais_session"] == nil)
            // A copy of the cookie taken before is worth nothing now.
            let thief = WebBrowser(client)
            thief.cookies["relais_session"] = stolen
            #expect(try await thief.get("/app").headers[.location]?.hasPrefix("/login") == true)
        }
    }

    @Test(arguments: Engine.available)
    func formsWithoutTheSessionsTokenChangeNothing(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let agent = try await WebBrowser.signedIn("sam", on: client)
            try await agent.get("/app/new")
            let created = try await agent.post("/app/tickets", [("family", "service_request"), ("subject", "New laptop for Jo")])
            #expect(created.status == .seeOther, "\(created.text)")
            let location = try #require(created.headers[.location])
            let key = try #require(location.split(separator: "/").last?.split(separator: "?").first.map(String.init))
            try await agent.get("/app/tickets/\(key)")
            let other = try await WebBrowser.signedIn("kim", on: client)
            try await other.get("/app")
            let othersToken = try #require(other.formToken)
            for token in ["", "forged", othersToken] {
                let answer = try await agent.post("/app/tickets/\(key)/reply", [("body", "Sneaky")], token: token)
                #expect(answer.status == .forbidden)
                #expect(answer.headers[.contentType] == "text/html; charset=utf-8")
            }
            // Nor does a form sent as something else than a form.
            let json = try await client.execute(
                uri: "/app/tickets/\(key)/reply", method: .post,
                headers: [.cookie: "relais_session=\(agent.cookies["relais_session"] ?? "")", .contentType: "application/json"],
                body: .init(string: #"{"body":"x"}"#))
            #expect(json.status == .unsupportedMediaType)
            let comments = try await harness.services.tickets.comments(
                key: key,
                by: try #require(
                    try await harness.services.directory.user(
                        organizationID: harness.services.organization.id, name: "sam")))
            #expect(comments.isEmpty)
            // Reading never changes anything: there is no GET behind a form's address.
            #expect(try await agent.get("/app/tickets/\(key)/take").status.code >= 400)
            let ticket = try await harness.services.tickets.tickets.find(organizationID: harness.services.organization.id, key: key)
            #expect(ticket?.assignee == nil)
        }
    }

    @Test(arguments: Engine.available)
    func signInFormsCarryTheirOwnToken(engine: Engine) async throws {
        try await WebHarness.with(engine) { _, client in
            // A post to /login that did not come from its page (another site's form) is refused.
            let browser = WebBrowser(client)
            let answer = try await browser.post(
                "/login", [("login", "sam"), ("password", WebHarness.password), ("login_token", "made-up")], token: "")
            #expect(answer.status == .forbidden)
            #expect(browser.cookies["relais_session"] == nil)
            // `next` only leads within the site.
            for next in [
                "//evil.example/", "/\\evil.example", "https://evil.example/", "/\t/evil.example", "/ /evil.example", "javascript:alert(1)",
                "/%0d%0aSet-Cookie:x=y".removingPercentEncoding!, "\\\\evil.example",
                "//\u{301}evil.example/", "/\u{600}/evil.example",
            ] {
                let signedIn = WebBrowser(client)
                try await signedIn.get("/login?next=" + WebBrowser.encode(next))
                #expect(signedIn.value(of: "next") ?? "" == "", "\(next.debugDescription) is offered back")
                let landed = try await signedIn.post(
                    "/login",
                    [
                        ("login_token", signedIn.value(of: "login_token") ?? ""), ("login", "sam"),
                        ("password", WebHarness.password), ("next", next),
                    ], token: "")
                #expect(landed.headers[.location] == "/app", "\(next.debugDescription)")
            }
            // A path of the site is where one lands.
            let kept = WebBrowser(client)
            try await kept.get("/login?next=/app/tickets/INC-1")
            let landed = try await kept.post(
                "/login",
                [
                    ("login_token", kept.value(of: "login_token") ?? ""), ("login", "sam"),
                    ("password", WebHarness.password), ("next", "/app/tickets/INC-1"),
                ], token: "")
            #expect(landed.headers[.location] == "/app/tickets/INC-1")
        }
    }

    /// Every form of the site, signed in as someone who may send it, without its token.
    static let forms = [
        "/logout", "/preferences", "/app/filters", "/app/filters/00000000-0000-0000-0000-000000000000/delete", "/app/tickets",
        "/app/tickets/KEY/reply", "/app/tickets/KEY/move", "/app/tickets/KEY/take", "/app/tickets/KEY/links", "/app/tickets/KEY/escalate",
        "/app/tickets/KEY/merge", "/admin/map/check", "/admin/map/propose", "/admin/users/add", "/admin/users/password", "/admin/users/token",
        "/admin/users/revoke", "/admin/webhooks/deliveries/00000000-0000-0000-0000-000000000000/replay",
        "/portal/tickets", "/portal/tickets/KEY/reply", "/portal/tickets/KEY/confirm", "/portal/tickets/KEY/refuse", "/portal/tickets/KEY/rate",
    ]

    @Test(arguments: Engine.available)
    func everyFormIsRefusedWithoutItsToken(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let admin = WebBrowser(client), requester = WebBrowser(client)
            try await admin.signIn("ada")
            try await requester.signIn("rita")
            let key = try await requester.create(in: "portal", [("family", "customer_support"), ("subject", "Token check")])
            let organization = harness.services.organization.id
            let before = try #require(try await harness.services.tickets.tickets.find(organizationID: organization, key: key))
            let fields = [
                ("body", "x"), ("to", "open"), ("into", key), ("name", "eve"), ("role", "admin"), ("password", "long enough password"),
                ("map", try ExampleMap.text()), ("subject", "Forged"), ("family", "customer_support"), ("score", "5"), ("reason", "no"),
                ("language", "fr"), ("query", "view=mine"), ("kind", "account"), ("id", harness.accountID.text), ("tracker", "product"),
            ]
            for form in Self.forms {
                let browser = form.hasPrefix("/portal") ? requester : admin
                let answer = try await browser.post(form.replacingOccurrences(of: "KEY", with: key), fields, token: "")
                #expect(answer.status == .forbidden, "\(form): \(answer.status)")
            }
            // Nothing moved: the ticket, the users, the sessions (both still signed in), the map versions.
            let after = try #require(try await harness.services.tickets.tickets.find(organizationID: organization, key: key))
            #expect(after.version == before.version)
            #expect(try await harness.services.directory.user(organizationID: organization, name: "eve") == nil)
            #expect(try await admin.get("/app").status == .ok)
            #expect(try await requester.get("/portal").status == .ok)
            #expect(try await harness.services.versions.list(organizationID: organization, limit: 5).count == 1)
            #expect(
                try await harness.services.tickets.tickets.comments(organizationID: organization, ticketID: after.id, includeInternal: true).isEmpty)
        }
    }
}

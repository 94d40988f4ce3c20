import Foundation
import Hummingbird
import RelaisCore
import RelaisStore

/// Signing in and out, and the preferences of the signed-in user.
extension WebSite {
    static let loginTokenCookie = "relais_login"

    /// Where a user lands: agents in their queue, requesters on the portal.
    static func home(of user: Principal) -> String { AccessPolicy.enters(.portal, by: user) ? "/portal" : "/app" }

    func loginPage(_ request: Request) async -> Response {
        await page(request) { visit in
            var visit = visit
            if let user = visit.user { return Self.seeOther(Self.home(of: user)) }
            var cookies: [Cookie] = []
            if let asked = request.uri.queryParameters["lang"].flatMap({ WebText.Language(rawValue: String($0)) }) {
                visit.language = asked
                visit.words = text[asked]
                cookies.append(cookie(Self.languageCookie, asked.rawValue, maxAge: 365 * 86_400))
            }
            let next = LocalPath.validated(request.uri.queryParameters["next"].map(String.init)) ?? ""
            return loginForm(visit, next: next, login: "", message: nil, status: .ok, cookies: cookies)
        }
    }

    /// The sign-in form, with a fresh token in a cookie and in the form: a post without both equal
    /// did not come from this page (another site cannot read or set the cookie).
    func loginForm(
        _ visit: WebVisit, next: String, login: String, message: String?, status: HTTPResponse.Status, cookies: [Cookie] = [],
        retryAfter: Int? = nil
    ) -> Response {
        let token = DirectoryRepository.newSecret()
        var response = render(
            "pages/login",
            [
                "next": next, "login": login, "message": message as Any, "login_token": token,
                "title": visit.words["login_title"] ?? "",
            ],
            visit, status: status, cookies: cookies + [cookie(Self.loginTokenCookie, token, maxAge: 3_600)])
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    func login(_ request: Request, address: String? = nil) async -> Response {
        await page(request) { visit in
            let form = try await WebForm.read(request)
            guard let sent = form["login_token"], let held = request.cookies[Self.loginTokenCookie]?.value, ConstantTime.equal(sent, held) else {
                throw WebFormError.forged
            }
            let login = form["login"] ?? ""
            let next = LocalPath.validated(form["next"]) ?? ""
            let sessions = WebSessions(database: visit.services.database)
            let organization = visit.services.organization.id
            let instant = now()
            // Too many recent failures for this login, or from this address: refused without
            // looking at the password.
            let since = instant.addingTimeInterval(-settings.loginWindow)
            let byLogin = try await sessions.failures(organizationID: organization, login: login, since: since)
            var byAddress: [Date] = []
            if let address { byAddress = try await sessions.failures(organizationID: organization, address: address, since: since) }
            let oldest = [
                byLogin.count >= settings.loginAttempts ? byLogin.first : nil,
                byAddress.count >= settings.addressAttempts ? byAddress[byAddress.count - settings.addressAttempts] : nil,
            ]
            .compactMap { $0 }.max()
            if let oldest {
                let wait = max(1, Int(oldest.addingTimeInterval(settings.loginWindow).timeIntervalSince(instant).rounded(.up)))
                return loginForm(visit, next: next, login: login, message: visit.words["login_throttled"], status: .tooManyRequests, retryAfter: wait)
            }
            let found = try await sessions.credentials(organizationID: organization, login: login)
            let password = form.raw("password") ?? ""
            let checked: String
            if let hash = found?.passwordHash { checked = hash } else { checked = try await passwords.decoy }
            let matches = try await passwords.verify(password, hash: checked)
            guard let found, found.passwordHash != nil, matches,
                let user = found.user.resolved(in: visit.services.configuration.map)
            else {
                try await sessions.recordFailure(
                    organizationID: organization, login: login, address: address,
                    reason: found == nil ? "unknown login" : "wrong password or no password set", at: instant)
                return loginForm(visit, next: next, login: login, message: visit.words["login_refused"], status: .unauthorized)
            }
            try await sessions.clearFailures(organizationID: organization, login: login)
            let started = try await sessions.start(for: user, at: instant)
            var response = Self.seeOther(next.isEmpty ? Self.home(of: user) : next)
            response.setCookie(cookie(Self.sessionCookie, started.cookie, maxAge: Int(settings.lifetime.absolute)))
            response.setCookie(cookie(Self.loginTokenCookie, "", maxAge: 0))
            return response
        }
    }

    func logout(_ request: Request) async -> Response {
        await submit(request) { visit, _ in
            if let cookie = visit.cookie { try await WebSessions(database: visit.services.database).end(cookie: cookie, at: now()) }
            var response = Self.seeOther("/login")
            response.setCookie(cookie(Self.sessionCookie, "", maxAge: 0))
            return response
        }
    }

    func preferencesPage(_ request: Request) async -> Response {
        await page(request) { visit in
            _ = try visit.requireUser()
            let zone = visit.session?.timeZone
            return render(
                "pages/preferences",
                [
                    "title": visit.words["preferences"] ?? "",
                    "languages": [("en", "English"), ("fr", "Français")].map {
                        ["code": $0.0, "label": $0.1, "selected": $0.0 == visit.language.rawValue] as [String: Any]
                    },
                    "zones": TimeZone.knownTimeZoneIdentifiers.sorted().map { ["name": $0, "selected": $0 == zone] as [String: Any] },
                ], visit)
        }
    }

    /// Keeps the user's language and time zone (an empty choice goes back to the browser's).
    func savePreferences(_ request: Request) async -> Response {
        await submit(request) { visit, form in
            let user = try visit.requireUser()
            // What the form leaves out stays as it was: the language switch of the header sends
            // the language alone.
            let language =
                form.raw("language") == nil
                ? visit.session?.locale.flatMap(WebText.Language.init(rawValue:))
                : form["language"].flatMap(WebText.Language.init(rawValue:))
            let zone = form.raw("time_zone") == nil ? visit.session?.timeZone : form["time_zone"]
            if let zone, TimeZone(identifier: zone) == nil {
                throw StoreError.invalidValue(field: "time_zone", reason: "'\(zone)' is not a time zone of the IANA database")
            }
            try await WebSessions(database: visit.services.database).setPreferences(locale: language?.rawValue, timeZone: zone, of: user)
            var response = Self.seeOther(LocalPath.validated(form["back"]) ?? Self.home(of: user))
            if let language { response.setCookie(cookie(Self.languageCookie, language.rawValue, maxAge: 365 * 86_400)) }
            return response
        }
    }
}

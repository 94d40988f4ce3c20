import Foundation
import HTTPTypes
import Hummingbird
import RelaisCore
import RelaisStore

/// How every page is served: the visit is read from the cookies, errors become pages (never a
/// stack trace), forms must carry their session's token, and answers carry the headers that keep
/// a browser from framing, sniffing or caching them.
extension WebSite {
    static let sessionCookie = "relais_session"
    static let languageCookie = "relais_lang"
    static let zoneCookie = "relais_tz"

    /// Reads who visits: the session behind the cookie (a session whose role the running map no
    /// longer has counts as none), the language and the time zone.
    func visit(_ request: Request) async throws -> WebVisit {
        let services = RequestServices.current ?? runtime.current
        let cookies = request.cookies
        var session: WebSessions.Session?
        var user: Principal?
        let cookie = cookies[Self.sessionCookie]?.value
        if let cookie, !cookie.isEmpty {
            session = try await WebSessions(database: services.database).session(
                cookie: cookie, organizationID: services.organization.id, at: now(),
                lifetime: settings.lifetime)
            user = session?.user.resolved(in: services.configuration.map)
            if user == nil { session = nil }
        }
        let language = WebText.language(
            chosen: session?.locale ?? cookies[Self.languageCookie]?.value,
            acceptLanguage: request.headers[.acceptLanguage])
        let zone =
            [session?.timeZone, cookies[Self.zoneCookie]?.value.removingPercentEncoding, services.configuration.map.organization.timezone]
            .lazy.compactMap { $0.flatMap(TimeZone.init(identifier:)) }.first ?? .gmt
        return WebVisit(
            services: services, session: session, user: user, cookie: session == nil ? nil : cookie, language: language, timeZone: zone,
            path: request.uri.string, words: text[language])
    }

    /// Serves a page read with GET: nothing it does changes what is stored.
    func page(_ request: Request, _ body: (WebVisit) async throws -> Response) async -> Response {
        let visit: WebVisit
        do {
            visit = try await self.visit(request)
        } catch {
            return Self.bare(.internalServerError, "Relais could not read the session.")
        }
        do {
            return try await body(visit)
        } catch {
            return failure(error, visit)
        }
    }

    /// Serves a form post of a signed-in user: the form must carry the session's token.
    /// `failed` renders the page again with what went wrong; without it the error page does.
    func submit(
        _ request: Request, _ body: (WebVisit, WebForm) async throws -> Response,
        failed: ((WebVisit, WebForm, String, HTTPResponse.Status) async throws -> Response)? = nil
    ) async -> Response {
        await page(request) { visit in
            // A form sent after its session ended goes to the sign-in page, then home.
            guard visit.user != nil else { throw WebRedirect(to: "/login") }
            let form = try await WebForm.read(request)
            guard let session = visit.session, let sent = form["_csrf"], ConstantTime.equal(sent, session.csrfToken) else {
                throw WebFormError.forged
            }
            do {
                return try await body(visit, form)
            } catch let error where failed != nil && !(error is WebRedirect) {
                let problem = ProblemResponse.problem(for: error)
                guard problem.status < 500, let failed else { throw error }
                return try await failed(visit, form, problem.detail, HTTPResponse.Status(code: problem.status))
            }
        }
    }

    /// The page for an error: a redirect, a refused form, or a problem of the services.
    func failure(_ error: any Error, _ visit: WebVisit) -> Response {
        if let redirect = error as? WebRedirect { return Self.seeOther(redirect.to) }
        let status: HTTPResponse.Status
        let message: String
        switch error {
        case WebFormError.forged:
            (status, message) = (.forbidden, visit.words["error_forged"] ?? "")
        case let WebFormError.unsupported(detail):
            (status, message) = (.unsupportedMediaType, detail)
        default:
            let problem = ProblemResponse.problem(for: error)
            status = HTTPResponse.Status(code: problem.status)
            message = problem.status >= 500 ? (visit.words["error_internal"] ?? "") : problem.detail
            if problem.status >= 500 {
                logger.critical("page failed", metadata: ["path": .string(visit.path), "error": .string(String(reflecting: error))])
            }
        }
        return render("pages/error", ["message": message, "status": status.code, "title": visit.words["error_title"] ?? ""], visit, status: status)
    }

    /// Renders `template` with `values` and what every page shows (texts, the user, the form token).
    func render(
        _ template: String, _ values: [String: Any], _ visit: WebVisit, status: HTTPResponse.Status = .ok,
        cookies: [Cookie] = []
    ) -> Response {
        var context = Self.clean(values)
        context["t"] = visit.words
        context["lang"] = visit.language.rawValue
        context["csrf"] = visit.session?.csrfToken ?? ""
        context["organization"] = visit.services.configuration.map.organization.name
        if let user = visit.user {
            let canReport = AccessPolicy.enters(.dashboards, by: user)
            let canAdmin = AccessPolicy.enters(.administration, by: user)
            context["me"] =
                [
                    "name": user.name, "staff": visit.isStaff, "reports": canReport, "admin": canAdmin,
                    "requester": AccessPolicy.enters(.portal, by: user),
                ] as [String: Any]
        }
        context["other_language"] = visit.language == .fr ? "en" : "fr"
        guard let html = pages.render(context, withTemplate: template) else {
            // Never an empty 200: a page without its template is a fault of this release, logged.
            logger.critical("page template missing", metadata: ["template": .string(template), "path": .string(visit.path)])
            return Self.bare(.internalServerError, visit.words["error_internal"] ?? "Relais could not show this page.")
        }
        var response = Response(
            status: status, headers: Self.pageHeaders("text/html; charset=utf-8"), body: .init(byteBuffer: ByteBuffer(string: html)))
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// Drops absent values and empty texts, which Mustache sections would otherwise take for
    /// present ones, throughout the nested values of a page.
    static func clean(_ values: [String: Any]) -> [String: Any] {
        var kept: [String: Any] = [:]
        for (key, value) in values {
            if let cleaned = clean(value: value) { kept[key] = cleaned }
        }
        return kept
    }

    static func clean(value: Any) -> Any? {
        switch value {
        case let text as String: return text.isEmpty ? nil : text
        case let nested as [String: Any]: return clean(nested)
        case let list as [[String: Any]]: return list.map { clean($0) }
        default:
            let mirror = Mirror(reflecting: value)
            guard mirror.displayStyle == .optional else { return value }
            return mirror.children.first.flatMap { clean(value: $0.value) }
        }
    }

    static func pageHeaders(_ type: String) -> HTTPFields {
        [
            .contentType: type,
            .cacheControl: "no-store",
            .contentSecurityPolicy:
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .xContentTypeOptions: "nosniff",
            HTTPField.Name("X-Frame-Options")!: "DENY",
            HTTPField.Name("Referrer-Policy")!: "same-origin",
        ]
    }

    static func seeOther(_ location: String) -> Response {
        // Only paths of this site: a `next` or `back` field must not send people elsewhere.
        Response(status: .seeOther, headers: [.location: LocalPath.validated(location) ?? "/", .cacheControl: "no-store"])
    }

    static func bare(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: pageHeaders("text/plain; charset=utf-8"), body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A cookie of this site: HttpOnly, SameSite=Lax (followed links carry it, cross-site posts
    /// do not), Secure when the site is served over HTTPS.
    func cookie(_ name: String, _ value: String, maxAge: Int? = nil, httpOnly: Bool = true) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: settings.secureCookies, httpOnly: httpOnly, sameSite: .lax)
    }
}

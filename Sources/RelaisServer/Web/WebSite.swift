import Foundation
import Hummingbird
import Logging
import Mustache
import RelaisCore
import RelaisStore

/// The web workspace: pages rendered on the server from the Mustache templates under
/// `Resources/web`, in French or English, over the same services as the API.
public struct WebSite: Sendable {
    let pages: MustacheLibrary
    let text: WebText
    let runtime: MapRuntime
    let settings: WebSettings
    let passwords: Passwords
    let assets: [String: (body: ByteBuffer, type: String)]
    let logger: Logger
    let now: @Sendable () -> Date

    /// Loads the templates, texts and assets once; a template that does not parse stops start-up.
    public static func load(
        runtime: MapRuntime, settings: WebSettings, logger: Logger = Logger(label: "relais.web"),
        now: @escaping @Sendable () -> Date = Date.init
    ) throws -> WebSite {
        // The bundle's resource folder is the target's `Resources` on Linux, the bundle above it elsewhere.
        guard let base = Bundle.module.resourceURL,
            let root = [base.appendingPathComponent("web"), base.appendingPathComponent("Resources/web")]
                .first(where: { FileManager.default.fileExists(atPath: $0.path) })
        else {
            throw WebSiteError.missingResources("the web folder of the server's resources")
        }
        ScalarHTML.register()
        var pages = MustacheLibrary()
        for folder in ["", "pages"] {
            let directory = folder.isEmpty ? root : root.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where name.hasSuffix(".mustache") {
                let template = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
                let named = (folder.isEmpty ? "" : folder + "/") + String(name.dropLast(".mustache".count))
                do {
                    try pages.register(ScalarHTML.pragma + template, named: named)
                } catch {
                    throw WebSiteError.template(named, "\(error)")
                }
            }
        }
        let text = try WebText(folder: root.appendingPathComponent("text"))
        var assets: [String: (ByteBuffer, String)] = [:]
        let folder = root.appendingPathComponent("assets")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            let type =
                switch (name as NSString).pathExtension {
                case "css": "text/css; charset=utf-8"
                case "js": "text/javascript; charset=utf-8"
                case "svg": "image/svg+xml"
                default: "application/octet-stream"
                }
            assets[name] = (ByteBuffer(bytes: data), type)
        }
        return WebSite(
            pages: pages, text: text, runtime: runtime, settings: settings, passwords: Passwords(cost: settings.passwordCost),
            assets: assets, logger: logger, now: now)
    }
}

enum WebSiteError: Error, CustomStringConvertible {
    case missingResources(String)
    case template(String, String)
    var description: String {
        switch self {
        case let .missingResources(what): "the server was built without \(what)"
        case let .template(name, problem): "the page template '\(name)' does not parse: \(problem)"
        }
    }
}

/// One request to a page: who asks (when signed in), in which language and time zone.
struct WebVisit: Sendable {
    var services: RelaisServices
    var session: WebSessions.Session?
    /// The signed-in user, their role read in the running map.
    var user: Principal?
    var cookie: String?
    var language: WebText.Language
    var timeZone: TimeZone
    var path: String
    /// The page texts in `language`.
    var words: [String: String]

    /// The signed-in user, or the way to the sign-in page.
    func requireUser() throws -> Principal {
        guard let user else { throw WebRedirect(to: "/login?next=" + WebForm.escape(path)) }
        return user
    }

    /// The signed-in user, when the access policy lets them into `area`; elsewhere, their home.
    func require(_ area: WorkspaceArea) throws -> Principal {
        let user = try requireUser()
        guard AccessPolicy.enters(area, by: user) else {
            // Someone of the desk without the right for this part is refused; the others go home.
            if area != .portal, AccessPolicy.enters(.desk, by: user) { throw AccessError.forbidden("your role does not open this page") }
            throw WebRedirect(to: WebSite.home(of: user))
        }
        return user
    }

    /// Staff reach the desk; requesters only the portal.
    func requireStaff() throws -> Principal { try require(.desk) }

    var isStaff: Bool { user.map { AccessPolicy.enters(.desk, by: $0) } ?? false }
}

/// Sends the browser elsewhere (303 See Other), from anywhere in a page's handler.
struct WebRedirect: Error {
    var to: String
}

/// How every value put into a page is escaped: scalar by scalar, as browsers read HTML.
///
/// Mustache's own HTML escaping compares Swift characters, which are grapheme clusters: a
/// prepended mark (U+0600 ARABIC NUMBER SIGN) before `<`, or a combining mark after `"`, makes
/// one character that is not `<` or `"`, and the text went into the page unescaped — a ticket
/// titled `؀<script>…` ran in every agent's browser. Each template starts with a pragma choosing
/// this escaping, which goes through `Markup.escape` (written on scalars) instead.
enum ScalarHTML: MustacheContentType {
    case html

    static let name = "RELAIS_HTML"
    static let pragma = "{{% CONTENT_TYPE: \(name) }}"
    static func register() { MustacheContentTypes.register(ScalarHTML.html, named: name) }

    func escapeText(_ text: String) -> String { Markup.escape(text) }
}

import Hummingbird

/// The addresses of the web workspace. Reading is GET, changing is POST (with the session's form
/// token); nothing under `/api/` is here. The table is what the authorisation tests walk, so a
/// page added here is checked by construction.
public enum WebRoutes {
    typealias Handler = @Sendable (WebSite, Request, RelaisRequestContext) async -> Response

    struct Route: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var handler: Handler
    }

    /// Every page and form: method and path, with `:name` for a parameter.
    public static var paths: [(method: String, path: String)] { table.map { ($0.method.rawValue, $0.path) } }

    static func register(on router: Hummingbird.Router<RelaisRequestContext>, site: WebSite) {
        for route in table {
            let handler = route.handler
            router.on(RouterPath(route.path), method: route.method) { request, context in await handler(site, request, context) }
        }
    }

    static func get(_ path: String, _ handler: @escaping Handler) -> Route { Route(method: .get, path: path, handler: handler) }
    static func post(_ path: String, _ handler: @escaping Handler) -> Route { Route(method: .post, path: path, handler: handler) }

    /// A route parameter; a route without it never matched.
    static func parameter(_ name: String, _ context: RelaisRequestContext) -> String { context.parameters.get(name) ?? "" }

    static let table: [Route] = [
        get("/") { site, request, _ in
            await site.page(request) { visit in WebSite.seeOther(visit.user.map(WebSite.home(of:)) ?? "/login") }
        },
        get("/assets/:name") { site, _, context in
            guard let asset = site.assets[parameter("name", context)] else { return WebSite.bare(.notFound, "no such file") }
            var headers = WebSite.pageHeaders(asset.type)
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
        },
        get("/login") { site, request, _ in await site.loginPage(request) },
        post("/login") { site, request, context in
            await site.login(request, address: context.clientAddress(request, trustedProxies: site.settings.trustedProxies))
        },
        post("/logout") { site, request, _ in await site.logout(request) },
        get("/preferences") { site, request, _ in await site.preferencesPage(request) },
        post("/preferences") { site, request, _ in await site.savePreferences(request) },

        get("/app") { site, request, _ in await site.queuePage(request) },
        post("/app/filters") { site, request, _ in await site.saveFilter(request) },
        post("/app/filters/:id/delete") { site, request, context in await site.deleteFilter(request, id: parameter("id", context)) },
        get("/app/new") { site, request, _ in await site.newTicketPage(request) },
        post("/app/tickets") { site, request, _ in await site.createTicket(request) },
        get("/app/suggest") { site, request, _ in await site.suggest(request) },
        get("/app/accounts") { site, request, _ in await site.accountChoices(request) },
        get("/app/tickets/:key") { site, request, context in await site.ticketPage(request, key: parameter("key", context)) },
        post("/app/tickets/:key/reply") { site, request, context in await site.reply(request, key: parameter("key", context)) },
        post("/app/tickets/:key/move") { site, request, context in await site.move(request, key: parameter("key", context)) },
        post("/app/tickets/:key/take") { site, request, context in await site.take(request, key: parameter("key", context)) },
        post("/app/tickets/:key/links") { site, request, context in await site.relink(request, key: parameter("key", context)) },
        post("/app/tickets/:key/escalate") { site, request, context in await site.escalate(request, key: parameter("key", context)) },
        post("/app/tickets/:key/merge") { site, request, context in await site.merge(request, key: parameter("key", context)) },

        get("/manage") { site, request, _ in await site.dashboardPage(request) },
        get("/manage/process") { site, request, _ in await site.processPage(request) },
        get("/manage/accounts/:id") { site, request, context in await site.accountPage(request, id: parameter("id", context)) },

        get("/admin") { site, request, _ in await site.adminPage(request) },
        get("/admin/map") { site, request, _ in await site.adminMapPage(request) },
        post("/admin/map/check") { site, request, _ in await site.checkMap(request) },
        post("/admin/map/propose") { site, request, _ in await site.proposeMap(request) },
        get("/admin/users") { site, request, _ in await site.adminUsersPage(request) },
        post("/admin/users/add") { site, request, _ in await site.adminUsersAction(request, action: "add") },
        post("/admin/users/password") { site, request, _ in await site.adminUsersAction(request, action: "password") },
        post("/admin/users/token") { site, request, _ in await site.adminUsersAction(request, action: "token") },
        post("/admin/users/revoke") { site, request, _ in await site.adminUsersAction(request, action: "revoke") },
        get("/admin/webhooks") { site, request, _ in await site.adminWebhooksPage(request) },
        post("/admin/webhooks/deliveries/:id/replay") { site, request, context in await site.replayDelivery(request, id: parameter("id", context)) },

        get("/portal") { site, request, _ in await site.portalPage(request) },
        get("/portal/new") { site, request, _ in await site.portalNewPage(request) },
        post("/portal/tickets") { site, request, _ in await site.portalCreate(request) },
        get("/portal/tickets/:key") { site, request, context in await site.portalTicketPage(request, key: parameter("key", context)) },
        post("/portal/tickets/:key/reply") { site, request, context in await site.portalReply(request, key: parameter("key", context)) },
        post("/portal/tickets/:key/confirm") { site, request, context in await site.portalConfirm(request, key: parameter("key", context)) },
        post("/portal/tickets/:key/refuse") { site, request, context in await site.portalRefuse(request, key: parameter("key", context)) },
        post("/portal/tickets/:key/rate") { site, request, context in await site.portalRate(request, key: parameter("key", context)) },
    ]
}

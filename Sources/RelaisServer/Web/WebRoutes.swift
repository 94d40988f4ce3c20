import Hummingbird

/// The addresses of the web workspace. Reading is GET, changing is POST (with the session's form
/// token); nothing under `/api/` is here.
enum WebRoutes {
    static func register(on router: Router<BasicRequestContext>, site: WebSite) {
        router.get("/") { request, _ in
            await site.page(request) { visit in WebSite.seeOther(visit.user.map(WebSite.home(of:)) ?? "/login") }
        }
        router.get("/assets/:name") { _, context in
            guard let name = context.parameters.get("name"), let asset = site.assets[name] else { return WebSite.bare(.notFound, "no such file") }
            var headers = WebSite.pageHeaders(asset.type)
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
        }
        router.get("/login") { request, _ in await site.loginPage(request) }
        router.post("/login") { request, _ in await site.login(request) }
        router.post("/logout") { request, _ in await site.logout(request) }
        router.get("/preferences") { request, _ in await site.preferencesPage(request) }
        router.post("/preferences") { request, _ in await site.savePreferences(request) }

        router.get("/app") { request, _ in await site.queuePage(request) }
        router.post("/app/filters") { request, _ in await site.saveFilter(request) }
        router.post("/app/filters/:id/delete") { request, context in await site.deleteFilter(request, id: context.parameters.get("id") ?? "") }
        router.get("/app/new") { request, _ in await site.newTicketPage(request) }
        router.post("/app/tickets") { request, _ in await site.createTicket(request) }
        router.get("/app/suggest") { request, _ in await site.suggest(request) }
        router.get("/app/accounts") { request, _ in await site.accountChoices(request) }
        router.get("/app/tickets/:key") { request, context in await site.ticketPage(request, key: context.parameters.get("key") ?? "") }
        let ticketForms: [(String, @Sendable (WebSite) -> (Request, String) async -> Response)] = [
            ("reply", { site in site.reply }), ("move", { site in site.move }), ("take", { site in site.take }),
            ("links", { site in site.relink }), ("escalate", { site in site.escalate }), ("merge", { site in site.merge }),
        ]
        for (action, handler) in ticketForms {
            router.post("/app/tickets/:key/\(action)") { request, context in await handler(site)(request, context.parameters.get("key") ?? "") }
        }

        router.get("/manage") { request, _ in await site.dashboardPage(request) }
        router.get("/manage/process") { request, _ in await site.processPage(request) }
        router.get("/manage/accounts/:id") { request, context in await site.accountPage(request, id: context.parameters.get("id") ?? "") }

        router.get("/admin") { request, _ in
            await site.page(request) { visit in
                _ = try site.requireAdmin(visit)
                return site.render("pages/admin", ["title": visit.words["nav_admin"] ?? ""], visit)
            }
        }
        router.get("/admin/map") { request, _ in await site.adminMapPage(request) }
        router.post("/admin/map/check") { request, _ in await site.checkMap(request) }
        router.post("/admin/map/propose") { request, _ in await site.proposeMap(request) }
        router.get("/admin/users") { request, _ in await site.adminUsersPage(request) }
        for action in ["add", "password", "token", "revoke"] {
            router.post("/admin/users/\(action)") { request, _ in await site.adminUsersAction(request, action: action) }
        }
        router.get("/admin/webhooks") { request, _ in await site.adminWebhooksPage(request) }
        router.post("/admin/webhooks/deliveries/:id/replay") { request, context in
            await site.replayDelivery(request, id: context.parameters.get("id") ?? "")
        }

        router.get("/portal") { request, _ in await site.portalPage(request) }
        router.get("/portal/new") { request, _ in await site.portalNewPage(request) }
        router.post("/portal/tickets") { request, _ in await site.portalCreate(request) }
        router.get("/portal/tickets/:key") { request, context in await site.portalTicketPage(request, key: context.parameters.get("key") ?? "") }
        let portalForms: [(String, @Sendable (WebSite) -> (Request, String) async -> Response)] = [
            ("reply", { site in site.portalReply }), ("confirm", { site in site.portalConfirm }),
            ("refuse", { site in site.portalRefuse }), ("rate", { site in site.portalRate }),
        ]
        for (action, handler) in portalForms {
            router.post("/portal/tickets/:key/\(action)") { request, context in await handler(site)(request, context.parameters.get("key") ?? "") }
        }
    }
}

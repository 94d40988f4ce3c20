import Foundation
import Hummingbird
import RelaisCore
import RelaisStore

/// The requesters' portal: open a ticket in the families the map lets customers open, follow
/// one's own tickets, reply, accept or refuse a resolution, rate it. A requester reaches nothing
/// else.
extension WebSite {
    func requireRequester(_ visit: WebVisit) throws -> Principal { try visit.require(.portal) }

    func portalPage(_ request: Request) async -> Response {
        await page(request) { visit in
            let user = try requireRequester(visit)
            let format = WebFormat(visit)
            var query = TicketQuery(organizationID: user.organizationID)
            query.limit = 100
            let tickets = try await visit.services.tickets.list(query, by: user).tickets
            return render(
                "pages/portal",
                [
                    "title": visit.words["portal_title"] ?? "",
                    "tickets": tickets.map {
                        [
                            "key": $0.key, "subject": $0.title, "status": format.status($0.status), "family": format.family($0.family),
                            "updated": format.instant($0.updatedAt), "solved": $0.statusCategory == .solved,
                        ] as [String: Any]
                    },
                    "empty": tickets.isEmpty,
                    "notice": request.uri.queryParameters["done"].flatMap { visit.words["done_" + String($0)] } as Any,
                ], visit)
        }
    }

    func portalNewPage(_ request: Request) async -> Response {
        await page(request) { visit in
            portalForm(visit, user: try requireRequester(visit), values: [:], problem: nil, status: .ok)
        }
    }

    func portalForm(_ visit: WebVisit, user: Principal, values: [String: String], problem: String?, status: HTTPResponse.Status) -> Response {
        let map = visit.services.configuration.map
        let format = WebFormat(visit)
        let family = map.defaultFamily(for: user, openedBy: "customer", asked: values["family"])
        return render(
            "pages/portal-new",
            [
                "title": visit.words["portal_new_title"] ?? "",
                "families": familyChoices(map, format: format, selected: family, openedBy: "customer"),
                "categories": categoryChoices(map, format: format, selected: values["category"]),
                "subject": values["subject"] ?? "", "description": values["description"] ?? "",
                "problem": problem as Any,
            ], visit, status: status)
    }

    func portalCreate(_ request: Request) async -> Response {
        await submit(
            request,
            { visit, form in
                let user = try requireRequester(visit)
                let key = try await open(form, visit: visit, user: user, openedBy: "customer", channel: "portal")
                return Self.seeOther("/portal/tickets/\(WebForm.escape(key))?done=created")
            },
            failed: { visit, form, problem, status in
                portalForm(visit, user: try requireRequester(visit), values: Self.values(of: form), problem: problem, status: status)
            })
    }

    func portalTicketPage(_ request: Request, key: String) async -> Response {
        await page(request) { visit in
            let user = try requireRequester(visit)
            let notice = request.uri.queryParameters["done"].flatMap { visit.words["done_" + String($0)] }
            return try await renderPortalTicket(key: key, visit, user: user, notice: notice)
        }
    }

    func renderPortalTicket(
        key: String, _ visit: WebVisit, user: Principal, notice: String? = nil, problem: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let format = WebFormat(visit)
        let ticket = try await visit.services.tickets.find(key: key, by: user)
        let comments = try await visit.services.tickets.comments(key: key, by: user)
        // Requesters read the conversation and the moves of their ticket, not the desk's internals.
        let events = try await visit.services.tickets.events(key: key, by: user).filter {
            [.created, .statusChanged, .rated].contains($0.change.kind)
        }
        return render(
            "pages/portal-ticket",
            [
                "title": "\(ticket.key) · \(ticket.title)",
                "ticket": ticketFields(ticket, format: format),
                "timeline": timeline(events: events, comments: comments, format: format, internalShown: false),
                "ratings": TicketRules.ratingScale.map { ["score": $0] },
                "notice": notice as Any,
                "problem": problem as Any,
            ], visit, status: status)
    }

    func portalReply(_ request: Request, key: String) async -> Response {
        await ticketAction(request, key: key, done: "replied", area: .portal) { visit, form, user in
            _ = try await visit.services.tickets.comment(key: key, body: form.raw("body") ?? "", isPublic: true, by: user)
        }
    }

    func portalConfirm(_ request: Request, key: String) async -> Response {
        await ticketAction(request, key: key, done: "confirmed", area: .portal) { visit, _, user in
            _ = try await visit.services.tickets.confirmResolution(key: key, by: user)
        }
    }

    func portalRefuse(_ request: Request, key: String) async -> Response {
        await ticketAction(request, key: key, done: "refused", area: .portal) { visit, form, user in
            _ = try await visit.services.tickets.refuseResolution(key: key, reason: form.raw("reason") ?? "", by: user)
        }
    }

    func portalRate(_ request: Request, key: String) async -> Response {
        await ticketAction(request, key: key, done: "rated", area: .portal) { visit, form, user in
            guard let score = form["score"].flatMap(Int.init) else {
                throw TicketError.missingField(field: "score", reason: "choose a score from 1 to 5")
            }
            _ = try await visit.services.tickets.rate(key: key, score: score, comment: form.raw("comment"), by: user)
        }
    }
}

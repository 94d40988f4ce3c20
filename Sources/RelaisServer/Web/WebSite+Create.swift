import Foundation
import Hummingbird
import RelaisCore
import RelaisStore

/// Opening a ticket from the workspace in three steps at most (open the form, type the subject,
/// send): the family comes preselected and the category is suggested from the subject.
extension WebSite {
    func newTicketPage(_ request: Request) async -> Response {
        await page(request) { visit in
            let user = try visit.requireStaff()
            return newTicketForm(
                visit, user: user, values: [:], problem: nil, status: .ok,
                family: request.uri.queryParameters["family"].map(String.init))
        }
    }

    func newTicketForm(
        _ visit: WebVisit, user: Principal, values: [String: String], problem: String?, status: HTTPResponse.Status,
        family asked: String?
    ) -> Response {
        let map = visit.services.configuration.map
        let format = WebFormat(visit)
        let family = map.defaultFamily(for: user, openedBy: "internal", asked: asked)
        return render(
            "pages/new",
            [
                "title": visit.words["new_title"] ?? "",
                "families": familyChoices(map, format: format, selected: family, openedBy: "internal")
                    .filter { AccessPolicy.mayOpen(family: $0["code"] as? String ?? "", by: user) },
                "categories": categoryChoices(map, format: format, selected: values["category"]),
                "priorities": map.referential.priorityMatrix.priorities.map { ["code": $0, "selected": $0 == values["priority"]] as [String: Any] },
                "subject": values["subject"] ?? "", "description": values["description"] ?? "", "account": values["account"] ?? "",
                "problem": problem as Any,
            ], visit, status: status)
    }

    func categoryChoices(_ map: ProcessMap, format: WebFormat, selected: String?) -> [[String: Any]] {
        map.referential.categories.map { ["code": $0.code, "label": format.category($0.code) ?? $0.code, "selected": $0.code == selected] }
    }

    func createTicket(_ request: Request) async -> Response {
        await submit(
            request,
            { visit, form in
                let user = try visit.requireStaff()
                let key = try await open(form, visit: visit, user: user, openedBy: "internal", channel: "portal")
                return Self.seeOther("/app/tickets/\(WebForm.escape(key))?done=created")
            },
            failed: { visit, form, problem, status in
                newTicketForm(
                    visit, user: try visit.requireStaff(), values: Self.values(of: form), problem: problem, status: status, family: form["family"])
            })
    }

    static func values(of form: WebForm) -> [String: String] {
        Dictionary(form.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Opens the ticket a form describes; without a category, the first suggested one is taken.
    func open(_ form: WebForm, visit: WebVisit, user: Principal, openedBy: String, channel: String) async throws -> String {
        let map = visit.services.configuration.map
        guard let family = form["family"] ?? map.defaultFamily(for: user, openedBy: openedBy, asked: nil) else {
            throw TicketError.missingField(field: "family", reason: "no family of the map may be opened here")
        }
        guard let subject = form["subject"] else { throw TicketError.missingField(field: "subject", reason: "say in a few words what it is about") }
        var category = form["category"]
        if category == nil {
            category = try await visit.services.tickets.suggestCategories(subject: subject, family: family, by: user, limit: 1).first
        }
        var links: [CRMLink] = []
        if let account = form["account"] {
            links.append(CRMLink(kind: .account, id: try await visit.services.crm.accountID(named: account, by: user)))
        }
        let chosenChannel = map.channel(for: family, preferring: channel)
        let draft = TicketDraft(
            family: family, title: subject, description: form.raw("description") ?? "", channel: chosenChannel, openedBy: openedBy,
            priority: form["priority"], category: category, links: links)
        return try await visit.services.tickets.open(draft, by: user).ticket.key
    }

    /// Accounts whose name starts with what was typed, as JSON for the form's script (read only).
    func accountChoices(_ request: Request) async -> Response {
        await page(request) { visit in
            let user = try visit.requireStaff()
            let typed = request.uri.queryParameters["q"].map(String.init) ?? ""
            let accounts = typed.count < 2 ? [] : try await visit.services.crm.accounts(named: typed, by: user)
            return try Self.json(accounts.map { Choice(id: $0.id.text, name: $0.name) })
        }
    }

    /// The categories suggested for a subject, as JSON for the form's script (read only).
    func suggest(_ request: Request) async -> Response {
        await page(request) { visit in
            let user = try visit.requireUser()
            let subject = request.uri.queryParameters["subject"].map(String.init) ?? ""
            let family = request.uri.queryParameters["family"].map(String.init)
            let codes = subject.count < 3 ? [] : try await visit.services.tickets.suggestCategories(subject: subject, family: family, by: user)
            let format = WebFormat(visit)
            return try Self.json(codes.map { Suggestion(code: $0, label: format.category($0) ?? $0) })
        }
    }

    struct Choice: Encodable { var id: String, name: String }
    struct Suggestion: Encodable { var code: String, label: String }

    /// What a form's script reads, as JSON.
    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: .ok, headers: pageHeaders("application/json"), body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

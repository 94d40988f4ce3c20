import Foundation
import Hummingbird
import RelaisCore
import RelaisStore

/// The CRM panel of the ticket page and what an agent does from that page. Each form posts,
/// and a refused one shows the page again with the reason.
extension WebSite {
    /// The account with its tier (and revenue for those who may see it), the contact, the other
    /// linked records, the account's contracts, latest invoices and open signals.
    func crmPanel(_ ticket: Ticket, visit: WebVisit, user: Principal, format: WebFormat) async throws -> [String: Any]? {
        guard user.may(.read, .account) else { return nil }
        let crm = visit.services.crm
        var panel: [String: Any] = [:]
        var links: [[String: Any]] = []
        for link in ticket.links {
            var row: [String: Any] = [
                "kind": link.kind.rawValue, "kind_label": visit.words["crm_" + link.kind.rawValue] ?? link.kind.rawValue,
                "id": link.id.text,
            ]
            switch link.kind {
            case .account:
                guard let account = try? await crm.account(link.id, by: user) else { continue }
                row["name"] = account.name
                var shown: [String: Any] = [
                    "id": account.id.text, "name": account.name, "tier": account.tier ?? "", "segment": account.segment ?? "",
                ]
                if user.may(.read, .revenue), let revenue = account.annualRevenue {
                    shown["revenue"] = "\(revenue.formatted(.number.grouping(.automatic))) \(account.currency ?? "")"
                }
                panel["account"] = shown
            case .contact:
                guard let contact = try? await crm.contact(link.id, by: user) else { continue }
                row["name"] = contact.name
                row["detail"] = contact.email ?? ""
            default:
                guard let record = try? await crm.record(link.kind, link.id, by: user) else { continue }
                row["name"] = record.name ?? record.number ?? record.product ?? link.id.text
                row["detail"] = [record.status, record.stage, record.slaLevel.map { "SLA \($0)" }].compactMap { $0 }.joined(separator: " · ")
            }
            links.append(row)
        }
        panel["links"] = links
        if let accountID = ticket.accountID {
            let contracts = try await crm.records(.contract, accountID: accountID, limit: 5, after: nil, by: user)
            panel["contracts"] = contracts.map {
                [
                    "name": $0.name ?? $0.number ?? "", "sla": $0.slaLevel ?? "", "status": $0.status ?? "",
                    "end": $0.endDate?.description ?? "",
                ]
            }
            let invoices = try await crm.records(.invoice, accountID: accountID, limit: 5, after: nil, by: user)
            panel["invoices"] = invoices.map { invoice -> [String: Any] in
                var row: [String: Any] = [
                    "number": invoice.number ?? invoice.name ?? "", "status": invoice.status ?? "",
                    "due": invoice.dueDate?.description ?? "",
                ]
                if let cents = invoice.amountCents, user.may(.read, .revenue) {
                    row["amount"] = String(format: "%.2f %@", Double(cents) / 100, invoice.currency ?? "")
                }
                return row
            }
            let signals = try await crm.signals(status: .open, accountID: accountID, by: user)
            panel["signals"] = signals.map { ["rule": $0.rule, "subject": $0.subject, "opened": format.instant($0.openedAt)] }
            panel["has_contracts"] = !contracts.isEmpty
            panel["has_invoices"] = !invoices.isEmpty
            panel["has_signals"] = !signals.isEmpty
        }
        panel["kinds"] = CRMObjectKind.allCases.map { ["code": $0.rawValue, "label": visit.words["crm_" + $0.rawValue] ?? $0.rawValue] }
        return panel
    }

    /// Serves a form of a ticket's page in `area` (the desk's or the portal's): `change` does the
    /// work, then the page is shown again (after a redirect) with `done` as its notice; a refusal
    /// shows the page with what went wrong.
    func ticketAction(
        _ request: Request, key: String, done: String, area: WorkspaceArea = .desk,
        _ change: @escaping (WebVisit, WebForm, Principal) async throws -> Void
    ) async -> Response {
        let base = area == .portal ? "/portal/tickets/" : "/app/tickets/"
        return await submit(
            request,
            { visit, form in
                try await change(visit, form, try visit.require(area))
                return Self.seeOther(base + "\(WebForm.escape(key))?done=\(done)")
            },
            failed: { visit, _, problem, status in
                let user = try visit.require(area)
                return area == .portal
                    ? try await renderPortalTicket(key: key, visit, user: user, problem: problem, status: status)
                    : try await renderTicket(key: key, visit, user: user, problem: problem, status: status)
            })
    }

    func reply(_ request: Request, key: String) async -> Response {
        await ticketAction(request, key: key, done: "replied") { visit, form, user in
            _ = try await visit.services.tickets.comment(key: key, body: form.raw("body") ?? "", isPublic: form["visibility"] != "internal", by: user)
        }
    }

    func move(_ request: Request, key: String) async -> Response {
        await ticketAction(request, key: key, done: "moved") { visit, form, user in
            _ = try await visit.services.tickets.transition(
                key: key, to: form["to"] ?? "", resolutionNote: form.raw("resolution_note"),
                ifMatch: form["version"].flatMap(Int.init), by: user)
        }
    }

    func take(_ request: Request, key: String) async -> Response {
        await ticketAction(request, key: key, done: "taken") { visit, _, user in
            _ = try await visit.services.tickets.update(key: key, with: TicketPatch(assignee: user.name), ifMatch: nil, by: user)
        }
    }

    /// Links a CRM object (`kind`, `id`) to the ticket, or unlinks it when `unlink` is set.
    func relink(_ request: Request, key: String) async -> Response {
        await ticketAction(request, key: key, done: "linked") { visit, form, user in
            let ticket = try await visit.services.tickets.find(key: key, by: user)
            guard let kind = form["kind"].flatMap(CRMObjectKind.init(rawValue:)) else {
                throw TicketError.unknownValue(field: "kind", value: form["kind"] ?? "", allowed: CRMObjectKind.allCases.map(\.rawValue))
            }
            guard let id = form["id"].flatMap(UUID.init(uuidString:)) else {
                throw StoreError.invalidValue(field: "id", reason: "the id of a CRM object is a UUID")
            }
            var links = ticket.links
            if form["unlink"] != nil {
                links.removeAll { $0.kind == kind && $0.id == id }
            } else if !links.contains(where: { $0.kind == kind && $0.id == id }) {
                links.append(CRMLink(kind: kind, id: id))
            }
            _ = try await visit.services.tickets.update(key: key, with: TicketPatch(links: links), ifMatch: nil, by: user)
        }
    }

    /// Closes this ticket as a duplicate of the one named, and shows that one.
    func merge(_ request: Request, key: String) async -> Response {
        await submit(
            request,
            { visit, form in
                let user = try visit.requireStaff()
                let kept = try await visit.services.tickets.merge(key: key, into: form["into"] ?? "", by: user)
                return Self.seeOther("/app/tickets/\(WebForm.escape(kept.key))?done=merged")
            },
            failed: { visit, _, problem, status in
                try await renderTicket(key: key, visit, user: try visit.requireStaff(), problem: problem, status: status)
            })
    }

    func escalate(_ request: Request, key: String) async -> Response {
        await ticketAction(request, key: key, done: "escalated") { visit, form, user in
            _ = try await visit.services.escalations.escalate(
                key: key, tracker: form["tracker"] ?? "", issue: form["issue"], also: [],
                steps: form.raw("steps"), by: user)
        }
    }
}

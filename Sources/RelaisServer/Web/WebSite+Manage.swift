import Foundation
import Hummingbird
import RelaisCore
import RelaisStore

/// Managers' pages: dashboards drawn on the server, the account 360, and the process page where
/// the declared map stands beside the process as the event log shows it.
extension WebSite {
    /// Weeks the dashboards look back.
    static let dashboardWeeks = 12
    /// Accounts drawn at most on the revenue chart.
    static let revenuePoints = 250

    func requireReports(_ visit: WebVisit) throws -> Principal {
        try visit.require(.dashboards)
    }

    func dashboardPage(_ request: Request) async -> Response {
        await page(request) { visit in
            let user = try requireReports(visit)
            let services = visit.services
            let format = WebFormat(visit)
            let words = visit.words
            let workload = try await services.tickets.weeklyWorkload(weeks: Self.dashboardWeeks, in: visit.timeZone, by: user)
            let labels = workload.weeks.map { week in format.instant(week).split(separator: " ").prefix(2).joined(separator: " ") }
            let families = workload.opened.keys.sorted { format.family($0) < format.family($1) }
            let to = now(), from = workload.weeks.first ?? to.addingTimeInterval(-84 * 86_400)
            var values: [String: Any] = [
                "title": words["dashboard_title"] ?? "",
                "period": "\(format.instant(from)) – \(format.instant(to))",
                "volume": SVGChart.stackedBars(
                    title: words["chart_volume"] ?? "", categories: labels,
                    series: families.map { (format.family($0), workload.opened[$0, default: []].map(Double.init)) }),
                "backlog": SVGChart.line(title: words["chart_backlog"] ?? "", categories: labels, values: workload.backlog.map(Double.init)),
            ]
            let reports = try await services.crm.dashboard(from: from, to: to, by: user)
            let compliance = reports.compliance
            let shares = compliance.rows.compactMap { row -> (String, Double, String)? in
                guard case let .number(share) = row[6] else { return nil }
                let tickets = row[1].integer ?? 0
                return (row[0].text ?? (words["no_tier"] ?? "—"), share, "\(tickets) · \(Int((share * 100).rounded())) %")
            }
            values["compliance"] = shares.isEmpty ? nil : SVGChart.shares(title: words["chart_compliance"] ?? "", items: shares)
            let satisfaction = reports.satisfaction
            let bands = satisfaction.rows.compactMap { row -> (String, Double, String)? in
                guard case let .number(mean) = row[3] else { return nil }
                return (
                    words["band_" + (row[0].text ?? "")] ?? row[0].text ?? "", mean / 5, String(format: "%.2f / 5 · %d", mean, row[2].integer ?? 0)
                )
            }
            values["satisfaction"] = bands.isEmpty ? nil : SVGChart.shares(title: words["chart_satisfaction"] ?? "", items: bands)
            if let revenue = reports.revenue {
                let all = revenue.rows.compactMap { row -> (label: String, x: Double, y: Double)? in
                    guard let amount = row[3].integer, let tickets = row[5].integer else { return nil }
                    return (row[0].text ?? "", Double(amount), Double(tickets))
                }
                // The accounts with the most tickets: a point per account of a large CRM would make
                // the page too heavy to send.
                let points = Array(all.sorted { $0.y > $1.y }.prefix(Self.revenuePoints))
                values["revenue"] =
                    points.isEmpty
                    ? nil
                    : SVGChart.scatter(
                        title: words["chart_revenue"] ?? "", points: points,
                        xName: words["annual_revenue"] ?? "", yName: words["tickets"] ?? "")
                if all.count > points.count {
                    values["revenue_note"] = (words["revenue_note"] ?? "").replacingOccurrences(of: "%@", with: "\(points.count)")
                        .replacingOccurrences(of: "%d", with: "\(all.count)")
                }
            }
            let accounts = try await services.crm.accounts(limit: 20, after: nil, by: user)
            values["accounts"] = accounts.map { ["id": $0.id.text, "name": $0.name, "tier": $0.tier ?? ""] }
            return render("pages/dashboard", values, visit)
        }
    }

    func accountPage(_ request: Request, id: String) async -> Response {
        await page(request) { visit in
            let user = try visit.requireStaff()
            guard let accountID = UUID(uuidString: id) else { throw StoreError.notFound(what: "account", id: id) }
            let format = WebFormat(visit)
            let to = now(), from = to.addingTimeInterval(-365 * 86_400)
            let overview = try await visit.services.crm.overview(of: accountID, from: from, to: to, by: user)
            let account = overview.account
            func split(_ counts: [String: Int], label: (String) -> String) -> String? {
                counts.isEmpty
                    ? nil
                    : SVGChart.shares(
                        title: "",
                        items: counts.sorted { $0.value > $1.value }.map { item in
                            (label(item.key), Double(item.value) / Double(max(overview.tickets, 1)), "\(item.value)")
                        })
            }
            var values: [String: Any] = [
                "title": account.name,
                "account": [
                    "name": account.name, "tier": account.tier ?? "", "segment": account.segment ?? "", "region": account.region ?? "",
                    "owner": account.owner ?? "",
                ],
                "tickets": overview.tickets,
                "by_family": split(overview.byFamily, label: format.family) as Any,
                "by_severity": split(overview.bySeverity, label: { $0 }) as Any,
                "compliance": overview.slaCompliance.map { String(format: "%.0f %%", $0 * 100) } as Any,
                "sla_met": overview.slaMet, "sla_breached": overview.slaBreached,
                "resolution": overview.medianResolutionHours.map { format.span($0 * 3_600) } as Any,
                "satisfaction": overview.meanSatisfaction.map { String(format: "%.2f / 5 (%d)", $0, overview.ratings) } as Any,
                "critical": overview.openCritical.map { brief(of: $0, format: format) },
                "latest": overview.latest.map { brief(of: $0, format: format) },
                "signals": overview.openSignals.map { ["rule": $0.rule, "subject": $0.subject, "opened": format.instant($0.openedAt)] },
                "records": overview.records.map { record -> [String: Any] in
                    [
                        "kind": visit.words["crm_" + record.kind.rawValue] ?? record.kind.rawValue,
                        "name": record.name ?? record.number ?? record.product ?? "",
                        "status": record.status ?? record.stage ?? "", "sla": record.slaLevel ?? "",
                    ]
                },
                "renewal": overview.nextRenewal?.description as Any,
            ]
            if user.may(.read, .revenue), let revenue = account.annualRevenue {
                values["revenue"] = "\(revenue.formatted()) \(account.currency ?? "")"
            }
            return render("pages/account", values, visit)
        }
    }

    func brief(of ticket: TicketBrief, format: WebFormat) -> [String: Any] {
        [
            "key": ticket.key, "subject": ticket.title, "family": format.family(ticket.family), "status": format.status(ticket.status),
            "severity": ticket.severity ?? "", "opened": format.instant(ticket.createdAt),
        ]
    }
}

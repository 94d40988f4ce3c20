import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisStore

extension RelaisAPI {
    func getTicketSLA(_ input: Operations.GetTicketSLA.Input) async throws -> Operations.GetTicketSLA.Output {
        guard let sla = try await services.sla.state(key: input.path.key, by: try RequestPrincipal.require()) else {
            throw APIProblem("not-found", .notFound, "ticket \(input.path.key) is not covered by an SLA policy")
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        key: sla.ticket.key, policy: sla.policy.code, calendar: sla.policy.calendar, evaluatedAt: sla.evaluatedAt,
                        metrics: sla.metrics.map(encode)))))
    }

    func listSLADue(_ input: Operations.ListSLADue.Input) async throws -> Operations.ListSLADue.Output {
        let text = input.query.within ?? "4h"
        // A window of real time: days here are 24 hours, not business days.
        guard let seconds = BusinessDuration.seconds(in: text, day: 86_400, week: 7 * 86_400) else {
            throw APIProblem.invalidField("within", "within: '\(text)' is not a duration such as 30m, 4h or 2d")
        }
        let items = try await services.sla.dueSoon(
            within: TimeInterval(seconds), limit: try limit(input.query.limit), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: items.map(encode)))))
    }

    func listSLABreached(_ input: Operations.ListSLABreached.Input) async throws -> Operations.ListSLABreached.Output {
        let items = try await services.sla.breached(limit: try limit(input.query.limit), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: items.map(encode)))))
    }

    func getSLAReport(_ input: Operations.GetSLAReport.Input) async throws -> Operations.GetSLAReport.Output {
        let to = input.query.to ?? Date()
        let from = input.query.from ?? to.addingTimeInterval(-30 * 86_400)
        guard from < to else { throw APIProblem.invalidField("from", "from: must be before to") }
        let grouping = SLAService.Grouping(rawValue: input.query.groupBy?.rawValue ?? "family") ?? .family
        let groups = try await services.sla.report(
            groupBy: grouping, from: from, to: to, entity: input.query.entity, brand: input.query.brand,
            by: try RequestPrincipal.require())
        let wantsCSV =
            input.query.format == .csv
            || (input.query.format == nil && input.headers.accept.sortedByQuality().first?.contentType == .csv)
        if wantsCSV {
            return .ok(.init(body: .csv(HTTPBody(SLAReportCSV.render(groups, grouping: grouping)))))
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        groupBy: grouping.rawValue, from: from, to: to,
                        groups: groups.map { group in
                            .init(
                                group: group.group, tickets: group.tickets,
                                metrics: SLAPolicy.Metric.allCases.compactMap { metric in
                                    group.metrics[metric].map {
                                        .init(metric: metric.rawValue, met: $0.met, breached: $0.breached, open: $0.open, compliance: $0.compliance)
                                    }
                                })
                        }))))
    }

    func encode(_ metric: SLAMetricState) -> Components.Schemas.SLAMetric {
        func date(_ millis: Int64?) -> Date? { millis.map(Date.init(milliseconds:)) }
        return .init(
            metric: .init(rawValue: metric.metric.rawValue) ?? .resolution, targetSeconds: metric.targetSeconds,
            startedAt: date(metric.startedAt)!, elapsedSeconds: Double(metric.elapsedMilliseconds) / 1000,
            remainingSeconds: metric.remainingMilliseconds.map { Double($0) / 1000 },
            clock: .init(rawValue: metric.clock.rawValue) ?? .running, dueAt: date(metric.dueAt), warningAt: date(metric.warningAt),
            breached: metric.breached, breachedAt: date(metric.breachedAt), met: metric.met, stoppedAt: date(metric.stoppedAt),
            pauses: metric.pauses.map { .init(from: date($0.from)!, to: date($0.to)) }, cycles: metric.cycles, breaches: metric.breaches)
    }

    func encode(_ item: SLAListItem) -> Components.Schemas.SLAListItem {
        .init(
            key: item.key, title: item.title, family: item.family, team: item.team, priority: item.priority,
            policy: item.policy, dueAt: item.dueAt, breached: item.breached)
    }
}

/// The compliance report as CSV (RFC 4180): one line per group and metric.
enum SLAReportCSV {
    static func render(_ groups: [SLAReportGroup], grouping: SLAService.Grouping) -> String {
        var lines = ["\(grouping.rawValue),tickets,metric,met,breached,open,compliance"]
        for group in groups {
            for metric in SLAPolicy.Metric.allCases {
                guard let counts = group.metrics[metric] else { continue }
                let compliance = counts.compliance.map { String(format: "%.4f", $0) } ?? ""
                lines.append(
                    [
                        CSVField.escape(group.group ?? ""), "\(group.tickets)", metric.rawValue, "\(counts.met)", "\(counts.breached)",
                        "\(counts.open)", compliance,
                    ].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

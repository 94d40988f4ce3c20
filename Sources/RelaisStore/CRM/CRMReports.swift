import Foundation
import RelaisCore
import SQLKit

/// A report as a table: named columns and rows of values, for JSON and CSV alike.
public struct ReportTable: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case integer(Int)
        case number(Double)
        case null
    }
    public var name: String
    public var columns: [String]
    public var rows: [[Value]]
}

/// What the CRM reports and the account overview read of one ticket.
struct TicketFacts: Sendable {
    var id: String
    var key: String
    var title: String
    var family: String
    var severity: String?
    var category: String?
    var statusCategory: StatusCategory
    var createdAt: Int
    var accountID: String?
    var accountName: String?
    var segment: String?
    var region: String?
    var tier: String?
    var revenue: Int?
    var currency: String?
    var firstResponse: SLAMetricState.Outcome?
    var resolution: SLAMetricState.Outcome?
    var score: Int?
    var product: String?
    /// Milliseconds from creation to the last entry into a solved or closed status, when it is done.
    var resolutionTime: Int?
}

/// Reports that put support and the customer relationship side by side, and the account overview.
public struct CRMReports: Sendable {
    public let map: ProcessMap
    public let database: RelaisDatabase

    public init(map: ProcessMap, database: RelaisDatabase) {
        self.map = map
        self.database = database
    }

    /// The most severe value of the referential (`critical`).
    var topSeverity: String? { map.referential.severities.last }

    func facts(organizationID: UUID, from: Date, to: Date, accountID: UUID? = nil, cut: Cut = .init()) async throws -> [TicketFacts] {
        let organization = organizationID.text, start = Millis.from(from), end = Millis.from(to)
        let account = accountID.map { SQLQueryString(" AND t.account_id = \(bind: $0.text)") } ?? SQLQueryString("")
        let accountFilter: SQLQueryString = "\(account) AND \(cut.condition(table: "t"))"
        return try await database.read { db in
            var facts = try await db.raw(
                """
                SELECT t.id, t.key, t.title, t.family, t.severity, t.category, t.status_category, t.created_at, t.account_id,
                       a.name AS account_name, a.segment, a.region, a.tier, a.annual_revenue, a.currency,
                       s.first_response, s.resolution, r.score
                FROM tickets t LEFT JOIN accounts a ON a.id = t.account_id
                LEFT JOIN ticket_sla s ON s.ticket_id = t.id LEFT JOIN ticket_ratings r ON r.ticket_id = t.id
                WHERE t.organization_id = \(bind: organization) AND t.created_at >= \(bind: start) AND t.created_at < \(bind: end)\(accountFilter)
                ORDER BY t.created_at, t.id
                """
            ).all().map { row in
                TicketFacts(
                    id: try row.decode(column: "id", as: String.self), key: try row.decode(column: "key", as: String.self),
                    title: try row.decode(column: "title", as: String.self), family: try row.decode(column: "family", as: String.self),
                    severity: try row.decode(column: "severity", as: String?.self), category: try row.decode(column: "category", as: String?.self),
                    statusCategory: StatusCategory(rawValue: try row.decode(column: "status_category", as: String.self)) ?? .open,
                    createdAt: try row.decode(column: "created_at", as: Int.self), accountID: try row.decode(column: "account_id", as: String?.self),
                    accountName: try row.decode(column: "account_name", as: String?.self),
                    segment: try row.decode(column: "segment", as: String?.self),
                    region: try row.decode(column: "region", as: String?.self), tier: try row.decode(column: "tier", as: String?.self),
                    revenue: try row.decode(column: "annual_revenue", as: Int?.self), currency: try row.decode(column: "currency", as: String?.self),
                    firstResponse: try row.decode(column: "first_response", as: String?.self).flatMap(SLAMetricState.Outcome.init(rawValue:)),
                    resolution: try row.decode(column: "resolution", as: String?.self).flatMap(SLAMetricState.Outcome.init(rawValue:)),
                    score: try row.decode(column: "score", as: Int?.self))
            }
            guard !facts.isEmpty else { return facts }
            var index: [String: Int] = [:]
            for (position, fact) in facts.enumerated() { index[fact.id] = position }
            let products = try await db.raw(
                """
                SELECT l.ticket_id, c.product FROM ticket_links l JOIN crm_records c ON c.id = l.object_id
                JOIN tickets t ON t.id = l.ticket_id
                WHERE l.organization_id = \(bind: organization) AND l.kind = 'subscription'
                  AND t.created_at >= \(bind: start) AND t.created_at < \(bind: end)\(accountFilter)
                """
            ).all()
            for row in products {
                if let position = index[try row.decode(column: "ticket_id", as: String.self)], facts[position].product == nil {
                    facts[position].product = try row.decode(column: "product", as: String?.self)
                }
            }
            let moves = try await db.raw(
                """
                SELECT e.ticket_id, e.from_value, e.to_value, e.occurred_at FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
                WHERE t.organization_id = \(bind: organization) AND t.created_at >= \(bind: start) AND t.created_at < \(bind: end)\(accountFilter)
                  AND e.kind = 'status_changed'
                ORDER BY e.ticket_id, e.sequence
                """
            ).all()
            for row in moves {
                guard let position = index[try row.decode(column: "ticket_id", as: String.self)], facts[position].statusCategory.isDone,
                    let workflow = map.families[facts[position].family].flatMap({ map.workflows[$0.workflow] }),
                    let status = try row.decode(column: "to_value", as: String?.self), workflow.category(of: status)?.isDone == true
                else { continue }
                // Entering a done status from one that is not: the last such entry is the final resolution
                // (a reopened ticket counts to its last one; closing a solved ticket keeps the time it was solved).
                let previous = try row.decode(column: "from_value", as: String?.self).flatMap { workflow.category(of: $0) }
                if previous?.isDone != true {
                    facts[position].resolutionTime = try row.decode(column: "occurred_at", as: Int.self) - facts[position].createdAt
                }
            }
            return facts
        }
    }

    // MARK: Cross reports

    public enum SLAGrouping: String, Sendable, CaseIterable { case account, segment, region, product, tier }

    /// Which tickets of the period a report reads.
    public typealias Cut = TicketCut

    /// Per account: its revenue beside the tickets it opened in the period.
    public func revenueAgainstIncidents(organizationID: UUID, from: Date, to: Date, cut: Cut = .init()) async throws -> ReportTable {
        revenueAgainstIncidents(try await facts(organizationID: organizationID, from: from, to: to, cut: cut))
    }

    func revenueAgainstIncidents(_ facts: [TicketFacts]) -> ReportTable {
        let facts = facts.filter { $0.accountID != nil }
        let severe = topSeverity
        var table = ReportTable(
            name: "revenue-incidents",
            columns: ["account", "segment", "tier", "annual_revenue", "currency", "tickets", "critical_tickets", "tickets_per_million"], rows: [])
        for (_, tickets) in Dictionary(grouping: facts, by: { $0.accountID! }).sorted(by: {
            ($0.value[0].revenue ?? -1, $0.key) > ($1.value[0].revenue ?? -1, $1.key)
        }) {
            let first = tickets[0]
            let perMillion: ReportTable.Value =
                first.revenue.flatMap { $0 > 0 ? .number(Self.round(Double(tickets.count) * 1_000_000 / Double($0))) : nil } ?? .null
            table.rows.append([
                .text(first.accountName ?? ""), Self.text(first.segment), Self.text(first.tier),
                first.revenue.map(ReportTable.Value.integer) ?? .null,
                Self.text(first.currency), .integer(tickets.count), .integer(tickets.filter { $0.severity == severe && severe != nil }.count),
                perMillion,
            ])
        }
        return table
    }

    /// Satisfaction by how long resolution took, in bands.
    public func satisfactionAgainstResolution(organizationID: UUID, from: Date, to: Date, cut: Cut = .init()) async throws -> ReportTable {
        satisfactionAgainstResolution(try await facts(organizationID: organizationID, from: from, to: to, cut: cut))
    }

    func satisfactionAgainstResolution(_ facts: [TicketFacts]) -> ReportTable {
        let bands: [(String, Int)] = [("under 4h", 4), ("4h to 1d", 24), ("1d to 3d", 72), ("3d to 7d", 168), ("over 7d", Int.max)]
        let facts = facts.filter { $0.resolutionTime != nil }
        var table = ReportTable(name: "satisfaction-resolution", columns: ["resolution_time", "resolved", "rated", "mean_score"], rows: [])
        var lower = 0
        for (name, upperHours) in bands {
            let upper = upperHours == Int.max ? Int.max : upperHours * 3_600_000
            let inBand = facts.filter { $0.resolutionTime! >= lower && $0.resolutionTime! < upper }
            let scores = inBand.compactMap(\.score)
            table.rows.append([
                .text(name), .integer(inBand.count), .integer(scores.count),
                scores.isEmpty ? .null : .number(Self.round(Double(scores.reduce(0, +)) / Double(scores.count))),
            ])
            lower = upper
        }
        return table
    }

    /// SLA compliance of the tickets opened in the period, per account, segment, region, product or tier.
    public func slaCompliance(organizationID: UUID, from: Date, to: Date, by grouping: SLAGrouping, cut: Cut = .init()) async throws -> ReportTable {
        slaCompliance(try await facts(organizationID: organizationID, from: from, to: to, cut: cut), by: grouping)
    }

    func slaCompliance(_ facts: [TicketFacts], by grouping: SLAGrouping) -> ReportTable {
        let facts = facts.filter { $0.firstResponse != nil || $0.resolution != nil }
        var table = ReportTable(
            name: "sla-compliance",
            columns: [
                grouping.rawValue, "tickets", "first_response_met", "first_response_breached",
                "resolution_met", "resolution_breached", "compliance",
            ], rows: [])
        let groups = Dictionary(grouping: facts) { fact -> String in
            switch grouping {
            case .account: fact.accountName ?? ""
            case .segment: fact.segment ?? ""
            case .region: fact.region ?? ""
            case .product: fact.product ?? ""
            case .tier: fact.tier ?? ""
            }
        }
        for (name, tickets) in groups.sorted(by: { $0.key < $1.key }) {
            let counts = [
                tickets.filter { $0.firstResponse == .met }.count, tickets.filter { $0.firstResponse == .breached }.count,
                tickets.filter { $0.resolution == .met }.count, tickets.filter { $0.resolution == .breached }.count,
            ]
            let decided = counts.reduce(0, +)
            table.rows.append(
                [name.isEmpty ? .null : .text(name), .integer(tickets.count)] + counts.map(ReportTable.Value.integer)
                    + [decided == 0 ? .null : .number(Self.round(Double(counts[0] + counts[2]) / Double(decided)))])
        }
        return table
    }

    /// Tickets opened in the period per global category and customer segment.
    public func volume(organizationID: UUID, from: Date, to: Date, cut: Cut = .init()) async throws -> ReportTable {
        let facts = try await facts(organizationID: organizationID, from: from, to: to, cut: cut)
        var table = ReportTable(name: "volume", columns: ["category", "segment", "tickets"], rows: [])
        let groups = Dictionary(grouping: facts) { [$0.category ?? "", $0.segment ?? ""] }
        for (key, tickets) in groups.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            table.rows.append([key[0].isEmpty ? .null : .text(key[0]), key[1].isEmpty ? .null : .text(key[1]), .integer(tickets.count)])
        }
        return table
    }

    static func text(_ value: String?) -> ReportTable.Value { value.map(ReportTable.Value.text) ?? .null }
    static func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

/// A ticket as the account overview lists it.
public struct TicketBrief: Sendable, Equatable {
    public var key: String
    public var title: String
    public var family: String
    public var severity: String?
    public var status: String
    public var statusCategory: StatusCategory
    public var createdAt: Date
}

/// Everything sales, customer success and management need to see of one account (its "360").
public struct AccountOverview: Sendable {
    public var account: Account
    public var from: Date
    public var to: Date
    /// Tickets opened in the period, and their split.
    public var tickets: Int
    public var byFamily: [String: Int]
    public var bySeverity: [String: Int]
    public var byStatusCategory: [String: Int]
    public var slaMet: Int
    public var slaBreached: Int
    public var slaCompliance: Double?
    public var meanResolutionHours: Double?
    public var medianResolutionHours: Double?
    public var ratings: Int
    public var meanSatisfaction: Double?
    /// Open tickets of the most severe level, whenever they were opened.
    public var openCritical: [TicketBrief]
    /// The five most recent tickets.
    public var latest: [TicketBrief]
    public var openSignals: [Signal]
    public var records: [CRMRecord]
    /// The nearest renewal date of its contracts and subscriptions still to come.
    public var nextRenewal: CivilDate?
}

extension CRMReports {
    /// An account's overview; its tickets are those within `scope` only.
    public func overview(
        organizationID: UUID, accountID: UUID, from: Date, to: Date, today: CivilDate,
        scope: AccessScope = .everything
    ) async throws -> AccountOverview {
        let crm = CRMRepository(database: database)
        guard let account = try await crm.account(organizationID: organizationID, id: accountID) else {
            throw StoreError.notFound(what: "account", id: accountID.text)
        }
        let facts = try await facts(organizationID: organizationID, from: from, to: to, accountID: accountID, cut: Cut(scope: scope))
        var overview = AccountOverview(
            account: account, from: from, to: to, tickets: facts.count,
            byFamily: Dictionary(grouping: facts, by: \.family).mapValues(\.count),
            bySeverity: Dictionary(grouping: facts, by: { $0.severity ?? "" }).mapValues(\.count),
            byStatusCategory: Dictionary(grouping: facts, by: \.statusCategory.rawValue).mapValues(\.count),
            slaMet: 0, slaBreached: 0, ratings: 0, openCritical: [], latest: [], openSignals: [], records: [])
        let outcomes = facts.flatMap { [$0.firstResponse, $0.resolution] }.compactMap { $0 }
        overview.slaMet = outcomes.filter { $0 == .met }.count
        overview.slaBreached = outcomes.filter { $0 == .breached }.count
        if overview.slaMet + overview.slaBreached > 0 {
            overview.slaCompliance = Self.round(Double(overview.slaMet) / Double(overview.slaMet + overview.slaBreached))
        }
        let hours = facts.compactMap(\.resolutionTime).map { Double($0) / 3_600_000 }.sorted()
        if !hours.isEmpty {
            overview.meanResolutionHours = Self.round(hours.reduce(0, +) / Double(hours.count))
            overview.medianResolutionHours = Self.round(
                hours.count % 2 == 1 ? hours[hours.count / 2] : (hours[hours.count / 2 - 1] + hours[hours.count / 2]) / 2)
        }
        let scores = facts.compactMap(\.score)
        overview.ratings = scores.count
        if !scores.isEmpty { overview.meanSatisfaction = Self.round(Double(scores.reduce(0, +)) / Double(scores.count)) }
        let severe = topSeverity
        (overview.openCritical, overview.latest) = try await database.read { db in
            func briefs(_ select: SQLSelectBuilder) async throws -> [TicketBrief] {
                try await select.all().map { row in
                    TicketBrief(
                        key: try row.decode(column: "key", as: String.self), title: try row.decode(column: "title", as: String.self),
                        family: try row.decode(column: "family", as: String.self), severity: try row.decode(column: "severity", as: String?.self),
                        status: try row.decode(column: "status", as: String.self),
                        statusCategory: StatusCategory(rawValue: try row.decode(column: "status_category", as: String.self)) ?? .open,
                        createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)))
                }
            }
            func base() -> SQLSelectBuilder {
                db.select().columns("key", "title", "family", "severity", "status", "status_category", "created_at").from("tickets")
                    .where("organization_id", .equal, organizationID.text).where("account_id", .equal, accountID.text)
                    .where(AccessFilter.condition(scope, table: "tickets"))
            }
            let critical =
                severe == nil
                ? []
                : try await briefs(
                    base().where("severity", .equal, severe!)
                        .where("status_category", .notIn, [StatusCategory.solved.rawValue, StatusCategory.closed.rawValue])
                        .orderBy("created_at").limit(50))
            let latest = try await briefs(base().orderBy("created_at", .descending).orderBy("id", .descending).limit(5))
            return (critical, latest)
        }
        overview.openSignals = try await SignalService(map: map, database: database).list(
            organizationID: organizationID, status: .open, accountID: accountID)
        overview.records = try await crm.records(organizationID: organizationID, accountID: accountID)
        overview.nextRenewal = overview.records.filter { CRMStatus.isInForce($0.status) }
            .compactMap(\.renewalDate).filter { $0 >= today }.min()
        return overview
    }
}

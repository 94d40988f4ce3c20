import Foundation

/// A business signal for sales or customer success (churn risk, upsell, renewal at risk), as the
/// map declares it: conditions on the account and its contracts, and a count of matching tickets
/// in a sliding window.
public struct SignalRule: Sendable, Equatable {
    /// `account`: one signal per account; `all`: one signal per feature across accounts.
    public enum Scope: String, Sendable, Equatable { case account, all }

    /// Which tickets count.
    public struct TicketFilter: Sendable, Equatable {
        /// Ticket field -> accepted values (`severity: [major, critical]`); `tags` matches any tag.
        public var fields: [String: [String]]
        /// Tickets are counted per value of this field (`category` or `tag`): "the same feature".
        public var same: String?
        public var atLeast: Int
        /// With `scope: all`, how many distinct accounts the tickets must come from.
        public var accountsAtLeast: Int

        public init(fields: [String: [String]] = [:], same: String? = nil, atLeast: Int = 1, accountsAtLeast: Int = 1) {
            self.fields = fields
            self.same = same
            self.atLeast = atLeast
            self.accountsAtLeast = accountsAtLeast
        }

        public static let readableFields = ["family", "severity", "category", "priority", "status_category", "channel", "team", "tags", "opened_by"]
        public static let groupings = ["category", "tag", "family", "severity"]
    }

    public struct Actions: Sendable, Equatable {
        /// Title of the follow-up task opened for the account owner.
        public var crmTask: String?
        /// Family of that task.
        public var taskFamily: String?
        /// Who hears of it: `account.owner`, a team or an address; carried in the event.
        public var notify: String?
        public init(crmTask: String? = nil, taskFamily: String? = nil, notify: String? = nil) {
            self.crmTask = crmTask
            self.taskFamily = taskFamily
            self.notify = notify
        }
    }

    public var code: String
    public var scope: Scope
    /// Conditions on the account (`account.tier`) and its contracts (`contract.sla_level`).
    public var conditions: [RoutingRule.Condition]
    /// With `contract.renews_within`, some contract of the account renews within this many days.
    public var renewsWithinDays: Int?
    /// Length of the sliding window tickets are counted over, in seconds.
    public var window: Int
    public var tickets: TicketFilter
    public var actions: Actions

    public init(
        code: String, scope: Scope = .account, conditions: [RoutingRule.Condition] = [], renewsWithinDays: Int? = nil,
        window: Int = 30 * 86_400, tickets: TicketFilter = .init(), actions: Actions = .init()
    ) {
        self.code = code
        self.scope = scope
        self.conditions = conditions
        self.renewsWithinDays = renewsWithinDays
        self.window = window
        self.tickets = tickets
        self.actions = actions
    }
}

/// What signals read of a ticket.
public struct SignalTicket: Sendable, Equatable {
    public var key: String
    public var accountID: UUID?
    public var createdAt: Date
    public var fields: [String: String]
    public var tags: [String]

    public init(key: String, accountID: UUID?, createdAt: Date, fields: [String: String], tags: [String]) {
        self.key = key
        self.accountID = accountID
        self.createdAt = createdAt
        self.fields = fields
        self.tags = tags
    }

    public init(_ ticket: Ticket) {
        var fields: [String: String] = [:]
        for field in SignalRule.TicketFilter.readableFields where field != "tags" { fields[field] = ticket.value(of: field) }
        self.init(key: ticket.key, accountID: ticket.accountID, createdAt: ticket.createdAt, fields: fields, tags: ticket.tags)
    }

    /// The values this ticket has for a grouping field.
    func values(of grouping: String) -> [String] {
        grouping == "tag" ? tags : fields[grouping].map { [$0] } ?? []
    }
}

/// What signals read of an account: its attributes as routing names them and its contracts'.
public struct SignalAccount: Sendable, Equatable {
    public var id: UUID
    /// `account.tier`, `account.annual_revenue`, ...
    public var attributes: [String: String]
    /// Per contract: `contract.sla_level`, `contract.status`, `contract.renewal_date`, ...
    public var contracts: [[String: String]]

    public init(id: UUID, attributes: [String: String], contracts: [[String: String]] = []) {
        self.id = id
        self.attributes = attributes
        self.contracts = contracts
    }
}

/// A rule's condition holding for a subject, with the tickets that make it hold.
public struct SignalFinding: Sendable, Equatable {
    public var rule: String
    /// What the signal is about: the account id, then `/` and the feature when tickets are grouped.
    public var subject: String
    public var accountID: UUID?
    public var group: String?
    /// Keys of the tickets counted, oldest first.
    public var evidence: [String]
}

public enum SignalEngine {
    /// The findings of `rule` over one account's tickets (scope `account`) or every account's
    /// (scope `all`, with `account` nil), at `now`.
    public static func evaluate(_ rule: SignalRule, account: SignalAccount?, tickets: [SignalTicket], now: Date) -> [SignalFinding] {
        if rule.scope == .account {
            guard let account, accountMatches(rule, account, now: now) else { return [] }
        }
        let since = now.addingTimeInterval(-TimeInterval(rule.window))
        let counted = tickets.filter { $0.createdAt >= since && $0.createdAt <= now && matches(rule.tickets, $0) }
            .sorted { ($0.createdAt, $0.key) < ($1.createdAt, $1.key) }
        var groups: [(value: String?, tickets: [SignalTicket])] = []
        if let same = rule.tickets.same {
            var byValue: [String: [SignalTicket]] = [:]
            for ticket in counted { for value in Set(ticket.values(of: same)) { byValue[value, default: []].append(ticket) } }
            groups = byValue.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        } else {
            groups = [(nil, counted)]
        }
        var findings: [SignalFinding] = []
        for (value, tickets) in groups where tickets.count >= rule.tickets.atLeast && tickets.count > 0 {
            let accounts = Set(tickets.compactMap(\.accountID))
            if rule.scope == .all, accounts.count < rule.tickets.accountsAtLeast { continue }
            let base = rule.scope == .account ? account!.id.text : "*"
            findings.append(
                SignalFinding(
                    rule: rule.code, subject: value.map { "\(base)/\($0)" } ?? base,
                    accountID: rule.scope == .account ? account!.id : nil, group: value, evidence: tickets.map(\.key)))
        }
        return findings
    }

    static func accountMatches(_ rule: SignalRule, _ account: SignalAccount, now: Date) -> Bool {
        for condition in rule.conditions {
            if condition.field.hasPrefix("account.") {
                guard condition.accepts(account.attributes[condition.field]) else { return false }
            } else if !account.contracts.contains(where: { condition.accepts($0[condition.field]) }) {
                return false
            }
        }
        if let days = rule.renewsWithinDays {
            let today = CivilDate(utcDayOf: now)
            let renewing = account.contracts.contains { contract in
                guard CRMStatus.isInForce(contract["contract.status"]),
                    let date = contract["contract.renewal_date"].flatMap({ CivilDate(iso: $0) })
                else { return false }
                return date >= today && date.daysSinceEpoch - today.daysSinceEpoch <= days
            }
            if !renewing { return false }
        }
        return true
    }

    static func matches(_ filter: SignalRule.TicketFilter, _ ticket: SignalTicket) -> Bool {
        filter.fields.allSatisfy { field, values in
            field == "tags" ? !Set(values).isDisjoint(with: ticket.tags) : ticket.fields[field].map(values.contains) ?? false
        }
    }
}

/// Which CRM records still bind: a contract or subscription ended (expired, terminated,
/// cancelled) no longer renews; one without a status is taken as in force.
public enum CRMStatus {
    public static let ended: Set<String> = ["expired", "terminated", "cancelled"]
    public static func isInForce(_ status: String?) -> Bool { status.map { !ended.contains($0) } ?? true }
}

extension CivilDate {
    /// The UTC calendar date of an instant.
    public init(utcDayOf date: Date) {
        self.init(daysSinceEpoch: Int((date.timeIntervalSince1970 / 86_400).rounded(.down)))
    }
}

/// The attributes of linked CRM objects that routing rules and signals may read.
public enum CRMVocabulary {
    public static let fields: [CRMObjectKind: [String]] = [
        .account: ["id", "name", "tier", "segment", "region", "domain", "owner", "annual_revenue"],
        .contract: ["id", "name", "status", "sla_level", "renewal_date", "end_date", "amount"],
        .opportunity: ["id", "name", "stage", "amount"],
        .invoice: ["id", "status", "amount"],
        .subscription: ["id", "product", "status", "renewal_date", "end_date"],
        .asset: ["id", "name", "status", "product"],
    ]
    /// Fields compared as numbers with `at_least` / `at_most`.
    public static let numeric: Set<String> = ["account.annual_revenue", "contract.amount", "opportunity.amount", "invoice.amount"]

    /// Whether `field` (`account.tier`) names a readable attribute.
    public static func knows(_ field: String) -> Bool {
        let parts = field.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = CRMObjectKind(rawValue: parts[0]) else { return false }
        return fields[kind]?.contains(parts[1]) ?? false
    }

    public static var all: [String] {
        fields.flatMap { kind, names in names.map { "\(kind.rawValue).\($0)" } }.sorted()
    }
}

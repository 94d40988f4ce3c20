import Foundation

/// A developers' issue tracker tickets can be escalated to, as the map's `trackers` section
/// declares it. Credentials are never in the map: it names the environment variables that hold
/// them, so a map can be reviewed and versioned without leaking a token.
public struct DeveloperTracker: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case github, gitlab, jira, azure
    }

    public var name: String
    public var kind: Kind
    /// The API's base address: `https://api.github.com`, `https://gitlab.example.com`,
    /// `https://acme.atlassian.net`, `https://dev.azure.com/acme`.
    public var url: String
    /// Where issues go: `owner/repo` (GitHub), a project path or number (GitLab), a project key
    /// (Jira), a project name (Azure DevOps).
    public var project: String
    /// The issue or work item type, where the tracker has types (Jira, Azure DevOps): `Bug` unless set.
    public var issueType: String
    /// Labels put on every issue Relais opens.
    public var labels: [String]
    /// The environment variable holding the API token.
    public var tokenVariable: String
    /// For Jira, the environment variable holding the account's e-mail that goes with the token.
    public var userVariable: String?
    /// The environment variable holding the secret the tracker's webhooks are checked with.
    public var secretVariable: String?
    /// Issue states that mean the fix shipped; nil takes the tracker's own notion of done.
    public var fixedStates: [String]?
    /// The status a ticket moves to when the fix ships, where its workflow allows the move.
    public var onFixed: String?

    public init(
        name: String, kind: Kind, url: String, project: String, issueType: String = "Bug", labels: [String] = [],
        tokenVariable: String, userVariable: String? = nil, secretVariable: String? = nil, fixedStates: [String]? = nil,
        onFixed: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.url = url
        self.project = project
        self.issueType = issueType
        self.labels = labels
        self.tokenVariable = tokenVariable
        self.userVariable = userVariable
        self.secretVariable = secretVariable
        self.fixedStates = fixedStates
        self.onFixed = onFixed
    }

    /// Whether an issue in `state` carries the shipped fix: one of `fixedStates` when the map
    /// lists them, else what the tracker itself calls done (`done`).
    public func isFixed(_ state: IssueState) -> Bool {
        if let fixedStates { return fixedStates.contains { $0.caseInsensitiveCompare(state.name) == .orderedSame } }
        return state.done
    }
}

/// An issue's state as its tracker reports it: the state's name and whether the tracker counts
/// it as done (GitHub closed as completed, GitLab closed, a Jira status of the done category, an
/// Azure DevOps work item in Done, Closed or Resolved).
public struct IssueState: Sendable, Equatable {
    public var name: String
    public var done: Bool

    public init(name: String, done: Bool) {
        self.name = name
        self.done = done
    }
}

/// What a tracker's webhook says about one of its issues.
public struct IssueUpdate: Sendable, Equatable {
    /// The tracker's id of the issue, as Relais stored it when the issue was opened or linked.
    public var issueID: String
    /// The issue's key as people read it (`#42`, `APP-17`).
    public var issueKey: String
    public var state: IssueState
    public var url: String?

    public init(issueID: String, issueKey: String, state: IssueState, url: String? = nil) {
        self.issueID = issueID
        self.issueKey = issueKey
        self.state = state
        self.url = url
    }
}

/// An account affected by a ticket sent to developers, with what tells its weight.
public struct AffectedAccount: Sendable, Equatable {
    public var name: String
    public var tier: String?
    public var annualRevenue: Int?
    public var currency: String?
    /// The account's tickets escalated with this one.
    public var tickets: [String]

    public init(name: String, tier: String? = nil, annualRevenue: Int? = nil, currency: String? = nil, tickets: [String]) {
        self.name = name
        self.tier = tier
        self.annualRevenue = annualRevenue
        self.currency = currency
        self.tickets = tickets
    }
}

/// The issue Relais opens in a tracker for escalated tickets: everything a developer needs
/// without opening Relais (the description, the steps to reproduce, who is affected and how much
/// they weigh, a link back), in Markdown, which GitHub, GitLab and Azure DevOps render and
/// which reads as plain text in Jira.
public struct DeveloperIssue: Sendable, Equatable {
    public var title: String
    public var body: String
    public var labels: [String]

    public init(title: String, body: String, labels: [String]) {
        self.title = title
        self.body = body
        self.labels = labels
    }

    /// Trackers cap titles (Jira at 255 characters); longer ones are cut at a word.
    public static let longestTitle = 240

    /// The issue for `ticket`, escalated with `others` (tickets reporting the same problem).
    /// Accounts come heaviest first: by revenue, then by number of tickets, then by name.
    public static func compose(
        ticket: Ticket, others: [Ticket] = [], steps: String?, accounts: [AffectedAccount], link: String?,
        labels: [String]
    ) -> DeveloperIssue {
        var title = "[\(ticket.key)] \(ticket.title)"
        if title.count > longestTitle {
            let cut = title.prefix(longestTitle)
            title = String(cut[..<(cut.lastIndex(of: " ") ?? cut.endIndex)]) + "…"
        }
        var sections: [String] = []
        let description = ticket.description.trimmingCharacters(in: .whitespacesAndNewlines)
        sections.append("## Description\n\n" + (description.isEmpty ? "_No description was given._" : description))
        if let steps = steps?.trimmingCharacters(in: .whitespacesAndNewlines), !steps.isEmpty {
            sections.append("## Steps to reproduce\n\n" + steps)
        }
        var facts = ["- Ticket: \(ticket.key) (\(ticket.family), status \(ticket.status))"]
        if let priority = ticket.priority { facts.append("- Priority: \(priority)") }
        if let severity = ticket.severity { facts.append("- Severity: \(severity)") }
        if let category = ticket.category { facts.append("- Category: \(category)") }
        if !others.isEmpty { facts.append("- Also reported in: " + others.map(\.key).joined(separator: ", ")) }
        facts.append("- Opened: \(Self.day(ticket.createdAt))")
        sections.append("## Ticket\n\n" + facts.joined(separator: "\n"))
        let sorted = accounts.sorted {
            ($0.annualRevenue ?? -1, $0.tickets.count, $1.name) > ($1.annualRevenue ?? -1, $1.tickets.count, $0.name)
        }
        if sorted.isEmpty {
            sections.append("## Affected accounts\n\nNo customer account is tied to these tickets.")
        } else {
            var table = ["| Account | Tier | Annual revenue | Tickets |", "| --- | --- | --- | --- |"]
            for account in sorted {
                let revenue = account.annualRevenue.map { Self.amount($0) + (account.currency.map { " \($0)" } ?? "") } ?? "unknown"
                table.append(
                    "| \(Self.cell(account.name)) | \(Self.cell(account.tier ?? "none")) | \(revenue) | \(account.tickets.joined(separator: ", ")) |")
            }
            let total = sorted.compactMap(\.annualRevenue).reduce(0, +)
            let currencies = Set(sorted.compactMap(\.currency))
            var weight = "\(sorted.count) account\(sorted.count == 1 ? "" : "s") affected"
            if total > 0 && currencies.count <= 1 { weight += ", \(Self.amount(total))\(currencies.first.map { " \($0)" } ?? "") of annual revenue" }
            sections.append("## Affected accounts\n\n" + weight + ".\n\n" + table.joined(separator: "\n"))
        }
        if let link { sections.append("---\nEscalated from Relais: \(link)") }
        return DeveloperIssue(title: title, body: sections.joined(separator: "\n\n"), labels: labels)
    }

    /// A value inside a Markdown table cell: no pipe nor line break may end the cell early.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// 2400000 as `2,400,000`.
    static func amount(_ value: Int) -> String {
        let digits = String(abs(value))
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }

    static func day(_ date: Date) -> String {
        let components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d", components.year ?? 0, components.month ?? 0, components.day ?? 0)
    }
}

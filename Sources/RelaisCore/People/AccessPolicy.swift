import Foundation

/// What a caller acts on. Every route, page and command that reads or changes something names
/// one of these and asks `AccessPolicy`; no other code tests a role.
public enum Resource: String, Sendable, CaseIterable {
    case ticket
    /// A public reply, a rating or an answer to a resolution, on a ticket.
    case ticketReply = "ticket reply"
    /// An internal note of a ticket, which requesters never see.
    case internalNote = "internal note"
    /// A ticket's history of changes.
    case ticketHistory = "ticket history"
    /// The desk's SLA queues: deadlines coming and breaches, across tickets.
    case slaQueue = "SLA queue"
    /// A ticket's escalations to developers' trackers.
    case escalation
    case account, contact
    case crmRecord = "CRM record"
    /// What accounts and records are worth (annual revenue, amounts, the revenue report).
    case revenue
    case signal
    case article
    /// Earlier versions of an article.
    case articleHistory = "article history"
    case configurationItem = "configuration item"
    case report
    case processLog = "process log"
    case audit = "audit log"
    case webhookEndpoint = "webhook endpoint"
    case channelToken = "channel token"
    case mapVersion = "map version"
    case user
    case apiToken = "API token"
    /// Handing raw mail to Relais (the mail gateway's work).
    case mail
    /// Mail kept aside for review.
    case mailQuarantine = "mail quarantine"
}

public enum Action: String, Sendable, CaseIterable {
    case read, list, create, change, delete
}

/// The policy's answer: allowed, or refused with the reason shown to the caller.
public enum AccessDecision: Sendable, Equatable {
    case allowed
    case refused(String)

    public var isAllowed: Bool { self == .allowed }
}

/// The parts of the web workspace, each for whom the policy lets in.
public enum WorkspaceArea: String, Sendable, CaseIterable {
    /// Queues and tickets of the desk.
    case desk
    /// Requesters' own requests.
    case portal
    /// Managers' dashboards, account pages and the process.
    case dashboards
    /// The map, users, tokens and webhooks.
    case administration
}

/// The one access policy: who may read, list, create, change or delete what, and which cut of a
/// list they see. Pure: it reads the principal (role, permissions of the running map, reach) and
/// nothing else; services ask it before they read or write, the web pages to choose what to show.
///
/// - Requesters reach their own tickets (open, read, reply, rate, answer a resolution), the public
///   part of their history, and the articles published for customers; nothing else.
/// - Staff (agents, roles of the map, administrators) read and list tickets within their reach;
///   what they may change follows the permissions of their role (`tickets.write`, `crm.read`,
///   `crm.write`, `crm.revenue`, `reports.view`, `kb.write`, `cmdb.write`, `users.manage`).
/// - Administrators alone read the audit log, manage webhook endpoints and channel tokens, and
///   hand raw mail to Relais.
public enum AccessPolicy {
    public static func decide(_ action: Action, _ resource: Resource, by principal: Principal) -> AccessDecision {
        if principal.role == .requester { return requester(action, resource) }
        let access = principal.access
        func needs(_ permission: Permission) -> AccessDecision {
            access.allows(permission)
                ? .allowed
                : .refused(
                    "the role '\(principal.roleName)' may not \(verb(action)) \(plural(resource)): it lacks the permission \(permission.rawValue)")
        }
        func administrators() -> AccessDecision {
            principal.role == .admin ? .allowed : .refused("only administrators \(verb(action)) \(plural(resource))")
        }
        let reads = action == .read || action == .list
        switch resource {
        case .ticket:
            if action == .delete { return .refused("tickets are never deleted: merge a duplicate or move it to a closed status") }
            return reads ? .allowed : needs(.ticketsWrite)
        case .ticketReply, .internalNote, .escalation:
            return reads ? .allowed : needs(.ticketsWrite)
        case .slaQueue:
            return reads ? .allowed : .refused("SLA clocks are kept by Relais alone")
        case .ticketHistory, .articleHistory:
            return reads ? .allowed : .refused("the history of changes is written by Relais alone")
        case .account, .contact, .crmRecord, .signal:
            return needs(reads ? .crmRead : .crmWrite)
        case .revenue:
            if !reads, case .refused = needs(.crmWrite) { return needs(.crmWrite) }
            return needs(.crmRevenue)
        case .article:
            return reads ? .allowed : needs(.knowledgeWrite)
        case .configurationItem:
            return reads ? .allowed : needs(.cmdbWrite)
        case .report, .processLog:
            return reads ? needs(.reportsView) : .refused("\(plural(resource)) are read, not written")
        case .audit:
            return reads ? administrators() : .refused("the audit log is written by Relais alone")
        case .webhookEndpoint, .channelToken, .mail:
            return administrators()
        case .mailQuarantine:
            return action == .create || action == .delete ? .refused("mail is quarantined by Relais alone") : .allowed
        case .mapVersion:
            // What a change may touch is the map's own governance (`MapGovernance`).
            return action == .delete ? .refused("map versions are kept: roll back to an earlier one instead") : .allowed
        case .user, .apiToken:
            return needs(.usersManage)
        }
    }

    static func requester(_ action: Action, _ resource: Resource) -> AccessDecision {
        switch (resource, action) {
        case (.ticket, .read), (.ticket, .list), (.ticket, .create), (.ticketReply, .create), (.ticketReply, .read), (.ticketHistory, .read),
            (.article, .read), (.article, .list):
            return .allowed
        case (.ticket, _):
            return .refused("requesters do not \(verb(action)) tickets: they reply to them")
        default:
            return .refused("requesters may not \(verb(action)) \(plural(resource))")
        }
    }

    /// Whether `principal` enters `area` of the web workspace.
    public static func enters(_ area: WorkspaceArea, by principal: Principal) -> Bool {
        switch area {
        case .portal: principal.role == .requester
        case .desk: principal.role != .requester
        case .dashboards: decide(.read, .report, by: principal).isAllowed
        case .administration: decide(.list, .user, by: principal).isAllowed
        }
    }

    /// Which tickets a list shows `principal`: a requester's own, or those within a staff
    /// member's reach.
    public enum TicketCut: Sendable, Equatable {
        case requestedBy(userID: UUID)
        case reach(AccessScope)
    }

    public static func ticketCut(for principal: Principal) -> TicketCut {
        principal.role == .requester ? .requestedBy(userID: principal.userID) : .reach(principal.access)
    }

    /// Whether `principal` sees a ticket: their own as a requester, within reach as staff.
    public static func sees(ticketOf family: String, team: String?, entity: String?, requester: UUID?, by principal: Principal) -> Bool {
        switch ticketCut(for: principal) {
        case let .requestedBy(userID): requester == userID
        case let .reach(scope): scope.reaches(family: family, team: team, entity: entity)
        }
    }

    /// Whether `principal` may open a ticket of `family` (the map's `opened_by` aside): requesters
    /// open for themselves; staff within the families their role reaches, with `tickets.write`.
    public static func mayOpen(family: String, by principal: Principal) -> Bool {
        guard decide(.create, .ticket, by: principal).isAllowed else { return false }
        if case let .reach(scope) = ticketCut(for: principal) { return scope.families?.contains(family) ?? true }
        return true
    }

    /// Whether `principal` sees internal notes and the desk's side of a ticket's history.
    public static func seesInternals(by principal: Principal) -> Bool { decide(.read, .internalNote, by: principal).isAllowed }

    /// The kinds of history entries a requester sees of their ticket: what happened to it, not
    /// who handled it or which rule or tool moved it.
    public static let publicHistory: Set<TicketChange.Kind> = [.created, .statusChanged, .commented, .rated]

    /// Whether `principal` sees a history entry of `kind`.
    public static func sees(historyOf kind: TicketChange.Kind, by principal: Principal) -> Bool {
        seesInternals(by: principal) || publicHistory.contains(kind)
    }

    /// Whether articles must be cut to those published for customers.
    public static func seesOnlyCustomerArticles(_ principal: Principal) -> Bool { principal.role == .requester }

    /// Whether `principal` may give a user `scope` (a role to hold, with its reach): only what
    /// they hold themselves, so managing users never widens one's own access. Administrators'
    /// roles are given by administrators alone.
    public static func mayGrant(role: String, scope: AccessScope, by principal: Principal) -> AccessDecision {
        guard decide(.create, .user, by: principal).isAllowed else { return decide(.create, .user, by: principal) }
        if principal.role == .admin { return .allowed }
        if role == Role.admin.rawValue { return .refused("only administrators make administrators") }
        let mine = principal.access
        let extra = scope.permissions.subtracting(mine.permissions)
        if !extra.isEmpty {
            return .refused(
                "the role '\(role)' holds \(extra.map(\.rawValue).sorted().joined(separator: ", ")), which '\(principal.roleName)' does not")
        }
        func within(_ theirs: Set<String>?, _ own: Set<String>?) -> Bool {
            guard let own else { return true }
            guard let theirs else { return false }
            return theirs.isSubset(of: own)
        }
        guard within(scope.families, mine.families), within(scope.teams, mine.teams), within(scope.entities, mine.entities) else {
            return .refused("the role '\(role)' reaches tickets that '\(principal.roleName)' does not")
        }
        return .allowed
    }

    static func verb(_ action: Action) -> String {
        switch action {
        case .read: "read"
        case .list: "list"
        case .create: "make"
        case .change: "change"
        case .delete: "delete"
        }
    }

    static func plural(_ resource: Resource) -> String {
        switch resource {
        case .ticketHistory, .articleHistory, .revenue, .mail, .mailQuarantine, .audit: "the " + resource.rawValue
        case .ticketReply: "replies"
        case .crmRecord: "CRM records"
        case .apiToken: "API tokens"
        case .processLog: "the process log"
        default: resource.rawValue + "s"
        }
    }
}

extension Principal {
    /// Refuses what the policy refuses, with its reason.
    public func require(_ action: Action, _ resource: Resource) throws {
        if case let .refused(reason) = AccessPolicy.decide(action, resource, by: self) { throw AccessError.forbidden(reason) }
    }

    /// Whether the policy allows it.
    public func may(_ action: Action, _ resource: Resource) -> Bool { AccessPolicy.decide(action, resource, by: self).isAllowed }
}

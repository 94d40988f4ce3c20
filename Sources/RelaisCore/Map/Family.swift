/// A family of tickets (IT incident, service request, change, customer support, project task).
public struct Family: Sendable, Equatable {
    public enum Domain: String, Sendable, Equatable, CaseIterable { case itsm, support, projects }

    public var code: String
    public var label: LocalizedText
    public var domain: Domain
    /// Prefix of ticket keys: `INC` gives `INC-1`, `INC-2`, ...
    public var keyPrefix: String
    /// Who may open tickets of this family: internal, customer, partner, automation, monitoring.
    public var openedBy: [String]
    /// Channels tickets of this family arrive through: email, portal, phone, chat, crm, api.
    public var channels: [String]
    /// Teams that handle this family; the first one receives tickets no rule routes.
    public var handledBy: [String]
    public var workflow: String
    public var sla: String?
    /// SLA policies that replace `sla` for an account tier (`strategic`) or for the SLA level a
    /// contract sold (`gold`); the contract wins over the tier.
    public var slaByTier: [String: String] = [:]
    public var slaByContract: [String: String] = [:]
    /// Whether some SLA policy can cover tickets of this family.
    public var hasSLA: Bool { sla != nil || !slaByTier.isEmpty || !slaByContract.isEmpty }
    public var crm: CRMRequirements
    public var resolution: ResolutionRule

    public init(
        code: String, label: LocalizedText, domain: Domain, keyPrefix: String,
        openedBy: [String], channels: [String], handledBy: [String], workflow: String,
        sla: String? = nil, crm: CRMRequirements = .init(), resolution: ResolutionRule = .init()
    ) {
        self.code = code
        self.label = label
        self.domain = domain
        self.keyPrefix = keyPrefix
        self.openedBy = openedBy
        self.channels = channels
        self.handledBy = handledBy
        self.workflow = workflow
        self.sla = sla
        self.crm = crm
        self.resolution = resolution
    }
}

/// The CRM objects a ticket of a family must, or may, be linked to.
public struct CRMRequirements: Sendable, Equatable {
    public var require: [CRMObjectKind]
    public var allow: [CRMObjectKind]
    /// Ticket fields summarised on the CRM account.
    public var rollUp: [String]

    public init(require: [CRMObjectKind] = [], allow: [CRMObjectKind] = [], rollUp: [String] = []) {
        self.require = require
        self.allow = allow
        self.rollUp = rollUp
    }

    /// Every kind a ticket of the family may be linked to.
    public var permitted: Set<CRMObjectKind> { Set(require).union(allow) }
}

/// How the resolution of a ticket is validated.
public struct ResolutionRule: Sendable, Equatable {
    /// Fields that must be given when the ticket enters a `solved` status (`resolution_note`).
    public var require: [String]
    /// Who confirms the resolution: requester, agent or nobody (`none`).
    public var confirmedBy: String

    public init(require: [String] = [], confirmedBy: String = "none") {
        self.require = require
        self.confirmedBy = confirmedBy
    }
}

/// The kinds of CRM object a ticket can be linked to.
public enum CRMObjectKind: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    case account, contact, opportunity, contract, invoice, subscription, asset
}

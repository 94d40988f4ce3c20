import Foundation

/// How Relais reaches an outside CRM, as the map's `connectors` section declares it: which way
/// data goes, and how tickets are laid out there.
public struct CRMConnection: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable { case hubspot, salesforce }

    /// Which way the data goes.
    public enum Direction: String, Sendable, Equatable, CaseIterable {
        /// Accounts, contacts and opportunities come from the CRM.
        case `in`
        /// Ticket summaries and account roll-ups go to the CRM.
        case out
        case both

        public var pulls: Bool { self != .out }
        public var pushes: Bool { self != .in }
    }

    public var kind: Kind
    public var url: String
    public var tokenVariable: String
    public var direction: Direction
    /// HubSpot's ticket pipeline tickets go to.
    public var pipeline: String
    /// What each status category is in the CRM: a HubSpot pipeline stage, a Salesforce Case status.
    public var stages: [StatusCategory: String]
    /// The company property (HubSpot) or account field (Salesforce) holding the account's tier, when the CRM keeps one.
    public var tierProperty: String?
    /// The currency of amounts that do not name theirs (a HubSpot portal without multiple currencies).
    public var currency: String?

    public init(
        kind: Kind, url: String, tokenVariable: String, direction: Direction = .both, pipeline: String = "0",
        stages: [StatusCategory: String] = [:], tierProperty: String? = nil, currency: String? = nil
    ) {
        self.kind = kind
        self.url = url
        self.tokenVariable = tokenVariable
        self.direction = direction
        self.pipeline = pipeline
        self.stages = stages
        self.tierProperty = tierProperty
        self.currency = currency
    }
}

import Crypto
import Foundation
import RelaisCore
import SQLKit

/// A customer organisation in the CRM.
public struct Account: Sendable, Equatable {
    public var id: UUID
    public var name: String
    /// The CRM's own id for it, to mirror an existing CRM.
    public var externalID: String?
    /// E-mail domain of its people, used to match contacts.
    public var domain: String?
    /// standard, key, strategic ...; routing rules read it as `account.tier`.
    public var tier: String?
    public var segment: String?
    public var region: String?
    /// Who owns the relationship (an account manager's name).
    public var owner: String?
    /// Yearly revenue in whole units of `currency`.
    public var annualRevenue: Int?
    public var currency: String?
    /// The legal entity of the organisation the account is a customer of; nil when the map
    /// declares none. Tickets linked to the account belong to it unless they name another.
    public var entity: String?
    public var createdAt: Date

    public init(
        id: UUID, name: String, externalID: String? = nil, domain: String? = nil, tier: String? = nil, segment: String? = nil,
        region: String? = nil, owner: String? = nil, annualRevenue: Int? = nil, currency: String? = nil, entity: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.entity = entity
        self.name = name
        self.externalID = externalID
        self.domain = domain
        self.tier = tier
        self.segment = segment
        self.region = region
        self.owner = owner
        self.annualRevenue = annualRevenue
        self.currency = currency
        self.createdAt = createdAt
    }

    /// Refuses what an account cannot hold: an empty name, a negative revenue, a currency that is
    /// not an ISO 4217 code.
    public func validate() throws {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw StoreError.invalidValue(field: "name", reason: "must not be empty")
        }
        if let annualRevenue, annualRevenue < 0 {
            throw StoreError.invalidValue(field: "annual_revenue", reason: "must not be negative")
        }
        if let currency { try Money.checkCurrency(currency) }
    }

    /// The attributes routing rules read, as `account.tier`.
    public var routingContext: [String: String] {
        var context: [String: String] = ["account.id": id.text, "account.name": name]
        context["account.tier"] = tier
        context["account.segment"] = segment
        context["account.domain"] = domain
        context["account.region"] = region
        context["account.owner"] = owner
        context["account.annual_revenue"] = annualRevenue.map(String.init)
        context["account.entity"] = entity
        return context
    }
}

/// A person at a customer.
public struct Contact: Sendable, Equatable {
    public var id: UUID
    public var accountID: UUID?
    public var name: String
    public var email: String?
    public var externalID: String?
    public var createdAt: Date

    public init(id: UUID, accountID: UUID?, name: String, email: String? = nil, externalID: String? = nil, createdAt: Date) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.email = email
        self.externalID = externalID
        self.createdAt = createdAt
    }
}

import Foundation
import RelaisCore

/// An opportunity, contract, invoice, subscription or asset of the CRM. Each kind uses the fields
/// that apply to it (see `CRMRecord.fields(of:)`); the others stay empty.
public struct CRMRecord: Sendable, Equatable {
    public var id: UUID
    public var kind: CRMObjectKind
    public var accountID: UUID?
    /// The CRM's own id for it, to mirror an existing CRM.
    public var externalID: String?
    /// Opportunity, contract and asset name.
    public var name: String?
    /// Invoice number.
    public var number: String?
    /// Subscribed product.
    public var product: String?
    /// Opportunity stage, as the CRM names it (qualification, proposal, won ...).
    public var stage: String?
    /// Contract, invoice, subscription or asset status.
    public var status: String?
    /// The SLA level a contract sold (`gold`); families choose a policy from it with `sla_by_contract`.
    public var slaLevel: String?
    public var serialNumber: String?
    /// In minor units (cents) of `currency`.
    public var amountCents: Int?
    public var currency: String?
    public var quantity: Int?
    public var startDate: CivilDate?
    public var endDate: CivilDate?
    public var renewalDate: CivilDate?
    public var closeDate: CivilDate?
    public var dueDate: CivilDate?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, kind: CRMObjectKind, accountID: UUID? = nil, externalID: String? = nil, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.accountID = accountID
        self.externalID = externalID
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    /// The kinds this type holds; accounts and contacts have their own.
    public static let kinds: [CRMObjectKind] = [.opportunity, .contract, .invoice, .subscription, .asset]

    /// Fields each kind accepts, and which of them it requires.
    public static func fields(of kind: CRMObjectKind) -> (required: [String], optional: [String]) {
        switch kind {
        case .opportunity: (["name", "stage"], ["amount", "currency", "close_date"])
        case .contract: (["name", "start_date"], ["sla_level", "status", "end_date", "renewal_date", "amount", "currency"])
        case .invoice: (["number", "amount", "currency", "status"], ["due_date"])
        case .subscription: (["product", "quantity", "status"], ["start_date", "end_date", "renewal_date"])
        case .asset: (["name"], ["serial_number", "status", "product"])
        case .account, .contact: ([], [])
        }
    }

    /// Statuses with a fixed vocabulary, so reports and signals can rely on them.
    public static let statuses: [CRMObjectKind: [String]] = [
        .contract: ["draft", "active", "expired", "terminated"],
        .invoice: ["draft", "open", "paid", "overdue", "void"],
        .subscription: ["trial", "active", "past_due", "cancelled"],
        .asset: ["in_service", "in_stock", "retired"],
    ]

    /// Values given, by field name, as the API and imports name them.
    public var presentFields: Set<String> {
        var present = Set<String>()
        let values: [(String, Bool)] = [
            ("name", name != nil), ("number", number != nil), ("product", product != nil), ("stage", stage != nil),
            ("status", status != nil), ("sla_level", slaLevel != nil), ("serial_number", serialNumber != nil),
            ("amount", amountCents != nil), ("currency", currency != nil), ("quantity", quantity != nil),
            ("start_date", startDate != nil), ("end_date", endDate != nil), ("renewal_date", renewalDate != nil),
            ("close_date", closeDate != nil), ("due_date", dueDate != nil),
        ]
        for (field, isSet) in values where isSet { present.insert(field) }
        return present
    }

    /// Refuses what the kind cannot hold, naming the first field at fault.
    public func validate() throws {
        let (required, optional) = Self.fields(of: kind)
        guard !required.isEmpty else {
            throw StoreError.invalidValue(field: "kind", reason: "\(kind.rawValue) is not kept as a CRM record")
        }
        let present = presentFields
        for field in required where !present.contains(field) {
            throw StoreError.invalidValue(field: field, reason: "a \(kind.rawValue) needs \(field)")
        }
        let accepted = Set(required + optional)
        if let extra = present.subtracting(accepted).sorted().first {
            throw StoreError.invalidValue(
                field: extra, reason: "a \(kind.rawValue) has no \(extra); it takes \(accepted.sorted().joined(separator: ", "))")
        }
        for (field, text) in [("name", name), ("number", number), ("product", product), ("stage", stage)] {
            if let text, text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw StoreError.invalidValue(field: field, reason: "must not be empty")
            }
        }
        if let status, let allowed = Self.statuses[kind], !allowed.contains(status) {
            throw StoreError.invalidValue(
                field: "status", reason: "'\(status)' is not a \(kind.rawValue) status; expected one of \(allowed.joined(separator: ", "))")
        }
        if let amountCents, amountCents < 0, kind != .invoice {
            throw StoreError.invalidValue(field: "amount", reason: "must not be negative")
        }
        if amountCents != nil, currency == nil {
            throw StoreError.invalidValue(field: "currency", reason: "an amount needs its currency")
        }
        if let currency { try Money.checkCurrency(currency) }
        if let quantity, quantity < 0 {
            throw StoreError.invalidValue(field: "quantity", reason: "must not be negative")
        }
        if let startDate, let endDate, endDate < startDate {
            throw StoreError.invalidValue(field: "end_date", reason: "\(endDate) is before start_date \(startDate)")
        }
    }

    /// What routing rules and signals read of a linked record: `contract.sla_level`, `contract.renewal_date`.
    public var routingContext: RoutingContext {
        let prefix = kind.rawValue + "."
        var context: RoutingContext = [:]
        context[prefix + "id"] = id.text
        context[prefix + "name"] = name
        context[prefix + "stage"] = stage
        context[prefix + "status"] = status
        context[prefix + "sla_level"] = slaLevel
        context[prefix + "product"] = product
        context[prefix + "renewal_date"] = renewalDate?.description
        context[prefix + "end_date"] = endDate?.description
        context[prefix + "amount"] = amountCents.map(Money.text(cents:))
        return context
    }
}

/// Amounts in minor units, written as decimal text (`1234.50`) at the edges.
public enum Money {
    /// `"1234.5"` or `"1234.50"` as 123450 cents; more than two decimals are refused.
    public static func cents(from text: String, field: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let negative = trimmed.hasPrefix("-")
        let digits = negative ? String(trimmed.dropFirst()) : trimmed
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            parts[0].count <= 15, let whole = Int(parts[0])
        else {
            throw StoreError.invalidValue(field: field, reason: "'\(text)' is not an amount such as 1250.00")
        }
        var fraction = 0
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), let value = Int(parts[1]) else {
                throw StoreError.invalidValue(field: field, reason: "'\(text)' has more than two decimals")
            }
            fraction = parts[1].count == 1 ? value * 10 : value
        }
        let cents = whole * 100 + fraction
        return negative ? -cents : cents
    }

    public static func text(cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = abs(cents)
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func checkCurrency(_ currency: String) throws {
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw StoreError.invalidValue(field: "currency", reason: "'\(currency)' is not an ISO 4217 code such as EUR")
        }
    }
}

import Foundation
import RelaisCore

/// CRM objects set from named text values, the way imports and the API give them: a missing name
/// leaves a field as it is, an empty text clears it. Every refusal names the field.
extension CRMRecord {
    public mutating func apply(_ values: [String: String]) throws {
        for (field, raw) in values.sorted(by: { $0.key < $1.key }) {
            let value = CRMText.value(raw)
            switch field {
            case "name": name = value
            case "number": number = value
            case "product": product = value
            case "stage": stage = value
            case "status": status = value?.lowercased()
            case "sla_level": slaLevel = value
            case "serial_number": serialNumber = value
            case "amount": amountCents = try value.map { try Money.cents(from: $0, field: field) }
            case "currency": currency = value?.uppercased()
            case "quantity": quantity = try value.map { try CRMText.integer($0, field: field) }
            case "start_date": startDate = try value.map { try CRMText.date($0, field: field) }
            case "end_date": endDate = try value.map { try CRMText.date($0, field: field) }
            case "renewal_date": renewalDate = try value.map { try CRMText.date($0, field: field) }
            case "close_date": closeDate = try value.map { try CRMText.date($0, field: field) }
            case "due_date": dueDate = try value.map { try CRMText.date($0, field: field) }
            default:
                let (required, optional) = Self.fields(of: kind)
                throw StoreError.invalidValue(
                    field: field, reason: "unknown field; a \(kind.rawValue) takes \((required + optional).sorted().joined(separator: ", "))")
            }
        }
    }

    /// The record's fields as named text, for imports' and exports' round trips.
    public var fieldValues: [String: String] {
        var values: [String: String] = [:]
        values["name"] = name
        values["number"] = number
        values["product"] = product
        values["stage"] = stage
        values["status"] = status
        values["sla_level"] = slaLevel
        values["serial_number"] = serialNumber
        values["amount"] = amountCents.map(Money.text(cents:))
        values["currency"] = currency
        values["quantity"] = quantity.map(String.init)
        values["start_date"] = startDate?.description
        values["end_date"] = endDate?.description
        values["renewal_date"] = renewalDate?.description
        values["close_date"] = closeDate?.description
        values["due_date"] = dueDate?.description
        return values
    }
}

extension Account {
    public static let fieldNames = ["name", "domain", "tier", "segment", "region", "owner", "annual_revenue", "currency", "entity"]

    public mutating func apply(_ values: [String: String]) throws {
        for (field, raw) in values.sorted(by: { $0.key < $1.key }) {
            let value = CRMText.value(raw)
            switch field {
            case "name": name = value ?? ""
            case "domain": domain = value?.lowercased()
            case "tier": tier = value
            case "segment": segment = value
            case "region": region = value
            case "owner": owner = value
            case "annual_revenue": annualRevenue = try value.map { try CRMText.integer($0, field: field) }
            case "currency": currency = value?.uppercased()
            case "entity": entity = value
            default:
                throw StoreError.invalidValue(field: field, reason: "unknown field; an account takes \(Self.fieldNames.joined(separator: ", "))")
            }
        }
    }
}

extension Account {
    /// Refuses an entity that is not one of `entities` (the map's, in order).
    public func checkEntity(among entities: [String]) throws {
        guard let entity, !entities.contains(entity) else { return }
        throw StoreError.invalidValue(
            field: "entity",
            reason: entities.isEmpty
                ? "the map declares no legal entities"
                : "unknown entity '\(entity)'; expected one of \(entities.joined(separator: ", "))")
    }
}

extension Contact {
    public static let fieldNames = ["name", "email"]

    public mutating func apply(_ values: [String: String]) throws {
        for (field, raw) in values.sorted(by: { $0.key < $1.key }) {
            let value = CRMText.value(raw)
            switch field {
            case "name": name = value ?? ""
            case "email": email = value?.lowercased()
            default:
                throw StoreError.invalidValue(
                    field: field, reason: "unknown field; a contact takes \(Self.fieldNames.joined(separator: ", ")), account_id, account_external_id"
                )
            }
        }
    }

    /// Refuses an empty name or an address without a domain.
    public func validate() throws {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw StoreError.invalidValue(field: "name", reason: "must not be empty")
        }
        if let email, emailDomain(email) == nil {
            throw StoreError.invalidValue(field: "email", reason: "'\(email)' is not an e-mail address")
        }
    }

    /// The domain of the contact's address, which accounts declare to claim their people.
    public var domain: String? { email.flatMap(emailDomain) }
}

func emailDomain(_ address: String) -> String? {
    let parts = address.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return nil }
    return parts[1].lowercased()
}

enum CRMText {
    static func value(_ raw: String) -> String? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    static func integer(_ text: String, field: String) throws -> Int {
        guard let value = Int(text) else { throw StoreError.invalidValue(field: field, reason: "'\(text)' is not a whole number") }
        return value
    }

    static func date(_ text: String, field: String) throws -> CivilDate {
        guard let date = CivilDate(iso: text) else {
            throw StoreError.invalidValue(field: field, reason: "'\(text)' is not a date such as 2027-03-31")
        }
        return date
    }
}

import Foundation

extension TicketRules {
    static func checkReferential(
        impact: String?, urgency: String?, priority: String?, severity: String?, category: String?, map: ProcessMap
    ) throws {
        let referential = map.referential
        let matrix = referential.priorityMatrix
        try check("impact", impact, in: matrix.impacts)
        try check("urgency", urgency, in: matrix.urgencies)
        try check("priority", priority, in: matrix.priorities)
        try check("severity", severity, in: referential.severities)
        try check("category", category, in: referential.categoryCodes)
    }

    static func check(_ field: String, _ value: String?, in allowed: [String]) throws {
        guard let value, !allowed.contains(value) else { return }
        throw TicketError.unknownValue(field: field, value: value, allowed: allowed)
    }

    static func checkLinks(_ links: [CRMLink], family: Family) throws {
        let permitted = family.crm.permitted
        for link in links where !permitted.contains(link.kind) {
            throw TicketError.notAllowed(
                field: "links", value: link.kind.rawValue,
                reason: "family '\(family.code)' links to \(permitted.map(\.rawValue).sorted().joined(separator: ", "))")
        }
        let present = Set(links.map(\.kind))
        if let missing = family.crm.require.first(where: { !present.contains($0) }) {
            throw TicketError.missingLink(kind: missing, family: family.code)
        }
    }

    static func checkTeam(_ code: String?, family: Family, map: ProcessMap) throws -> Team? {
        guard let code else { return nil }
        guard let team = map.teams[code] else {
            throw TicketError.unknownValue(field: "team", value: code, allowed: map.teams.keys.sorted())
        }
        guard family.handledBy.contains(code) else {
            throw TicketError.notAllowed(
                field: "team", value: code, reason: "family '\(family.code)' is handled by \(family.handledBy.joined(separator: ", "))")
        }
        return team
    }

    /// A team that belongs to a legal entity handles that entity's tickets only.
    static func checkTeam(_ code: String?, serves entity: String?, map: ProcessMap) throws {
        guard let code, let entity, let teamEntity = map.teams[code]?.entity, teamEntity != entity else { return }
        throw TicketError.notAllowed(
            field: "team", value: code, reason: "team '\(code)' handles the tickets of entity '\(teamEntity)' only; this ticket is of '\(entity)'")
    }

    static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    static func unique<T: Hashable>(_ values: [T]) -> [T] {
        var seen = Set<T>()
        return values.filter { seen.insert($0).inserted }
    }
}

extension Ticket {
    /// The ticket with its number and key, once the store has drawn the number.
    public func numbered(_ number: Int, prefix: String) -> Ticket {
        var copy = self
        copy.number = number
        copy.key = "\(prefix)-\(number)"
        return copy
    }
}

import RelaisCore
import Yams

extension MapLoader {
    /// Built-in roles that may be named in `governance` (with the map's own roles); requesters never change the map.
    static let governingRoles = ["admin", "agent"]

    /// `governance: { default: { propose: [admin], approve: [admin], second_approver: true },
    /// sections: { routing: { propose: [agent] } }, domains: { support: { propose: [agent] } } }`.
    /// A section or domain rule takes what it leaves out from `default`.
    static func readGovernance(_ node: Node?, roles: [String: AccessRole], _ reader: MapReader) -> MapGovernance {
        guard let node else { return MapGovernance() }
        let fields = reader.fields(node, "governance", allowed: ["default", "sections", "domains"])
        var governance = MapGovernance()
        let known = governingRoles + roles.keys.sorted()
        governance.defaults = readRule(fields["default"], "governance.default", base: MapGovernance.Rule(), known: known, reader)
        for pair in reader.pairs(fields["sections"], "governance.sections") {
            guard let section = MapSection(rawValue: pair.key) else {
                reader.problem(
                    at: pair.keyNode,
                    "governance.sections: unknown section '\(pair.key)'; expected one of \(MapSection.allCases.map(\.rawValue).joined(separator: ", "))"
                )
                continue
            }
            governance.sections[section] = readRule(pair.value, "governance.sections.\(pair.key)", base: governance.defaults, known: known, reader)
        }
        for pair in reader.pairs(fields["domains"], "governance.domains") {
            guard let domain = Family.Domain(rawValue: pair.key) else {
                reader.problem(
                    at: pair.keyNode,
                    "governance.domains: unknown domain '\(pair.key)'; expected one of \(Family.Domain.allCases.map(\.rawValue).joined(separator: ", "))"
                )
                continue
            }
            governance.domains[domain] = readRule(pair.value, "governance.domains.\(pair.key)", base: governance.defaults, known: known, reader)
        }
        return governance
    }

    private static func readRule(_ node: Node?, _ path: String, base: MapGovernance.Rule, known: [String], _ reader: MapReader) -> MapGovernance.Rule
    {
        guard let node else { return base }
        let fields = reader.fields(node, path, allowed: ["propose", "approve", "second_approver"])
        var rule = base
        func roles(_ key: String) -> Set<String>? {
            guard let list = fields[key] else { return nil }
            let values = reader.strings(list, "\(path).\(key)")
            reader.checkKnown(values, in: known, "\(path).\(key)", what: "role")
            return Set(values.map(\.0))
        }
        if let propose = roles("propose") { rule.propose = propose }
        if let approve = roles("approve") { rule.approve = approve }
        if let second = reader.bool(fields["second_approver"], "\(path).second_approver") { rule.secondApprover = second }
        return rule
    }
}

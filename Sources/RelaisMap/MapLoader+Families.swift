import RelaisCore
import Yams

extension MapLoader {
    static let openers = ["internal", "customer", "partner", "automation", "monitoring"]
    static let channels = ["email", "portal", "phone", "chat", "crm", "api", "monitoring", "import"]
    static let confirmers = ["requester", "agent", "none"]
    static let familyKeys = [
        "label", "domain", "key", "opened_by", "channels", "handled_by", "workflow", "sla", "sla_by_tier", "sla_by_contract", "crm", "resolution",
    ]

    static func readFamilies(_ node: Node?, map: ProcessMap, _ reader: MapReader) -> [String: Family] {
        var families: [String: Family] = [:]
        var prefixes: [String: String] = [:]
        let kinds = CRMObjectKind.allCases.map(\.rawValue)
        let entries = reader.pairs(node, "families")
        if let node, entries.isEmpty, case .mapping = node { reader.problem(at: node, "families: declare at least one family") }
        for pair in entries {
            let path = "families.\(pair.key)"
            let fields = reader.fields(pair.value, path, allowed: familyKeys)
            let label = LocalizedText(reader.label(fields["label"], "\(path).label"))
            let domainText = reader.requiredString(fields, "domain", path, at: pair.value) ?? "itsm"
            let domain = Family.Domain(rawValue: domainText)
            if domain == nil {
                reader.problem(at: fields["domain"], "\(path).domain: unknown domain '\(domainText)'; expected one of itsm, support, projects")
            }
            let prefix = reader.requiredString(fields, "key", path, at: pair.value) ?? ""
            if !prefix.isEmpty {
                if !isKeyPrefix(prefix) {
                    reader.problem(at: fields["key"], "\(path).key: '\(prefix)' must be 2 to 10 capital letters or digits, starting with a letter")
                } else if let other = prefixes[prefix] {
                    reader.problem(at: fields["key"], "\(path).key: duplicate key prefix '\(prefix)', already used by family '\(other)'")
                }
                prefixes[prefix] = prefixes[prefix] ?? pair.key
            }
            let openedBy = reader.strings(fields["opened_by"], "\(path).opened_by")
            reader.checkKnown(openedBy, in: openers, "\(path).opened_by", what: "opener")
            let channelList = reader.strings(fields["channels"], "\(path).channels")
            reader.checkKnown(channelList, in: channels, "\(path).channels", what: "channel")
            let teams = reader.strings(fields["handled_by"], "\(path).handled_by")
            reader.checkKnown(teams, in: map.teams.keys, "\(path).handled_by", what: "team")
            for (key, list) in [("opened_by", openedBy), ("channels", channelList), ("handled_by", teams)] where list.isEmpty {
                reader.problem(at: fields[key] ?? pair.value, "\(path): '\(key)' needs at least one value")
            }
            let workflow = reader.requiredString(fields, "workflow", path, at: pair.value) ?? ""
            if !workflow.isEmpty, map.workflows[workflow] == nil {
                reader.problem(
                    at: fields["workflow"],
                    "\(path).workflow: unknown workflow '\(workflow)'; expected one of \(map.workflows.keys.sorted().joined(separator: ", "))")
            }
            let sla = reader.string(fields["sla"], "\(path).sla")
            if let sla, map.sla[sla] == nil {
                reader.problem(
                    at: fields["sla"], "\(path).sla: unknown SLA policy '\(sla)'; expected one of \(map.sla.keys.sorted().joined(separator: ", "))")
            }
            let byTier = slaOverrides(fields["sla_by_tier"], "\(path).sla_by_tier", map: map, reader)
            let byContract = slaOverrides(fields["sla_by_contract"], "\(path).sla_by_contract", map: map, reader)
            let crmFields = reader.fields(fields["crm"], "\(path).crm", allowed: ["require", "allow", "roll_up"])
            let require = reader.strings(crmFields["require"], "\(path).crm.require")
            let allow = reader.strings(crmFields["allow"], "\(path).crm.allow")
            reader.checkKnown(require, in: kinds, "\(path).crm.require", what: "CRM object")
            reader.checkKnown(allow, in: kinds, "\(path).crm.allow", what: "CRM object")
            let rollUp = reader.strings(crmFields["roll_up"], "\(path).crm.roll_up").map(\.0)
            let resolutionFields = reader.fields(fields["resolution"], "\(path).resolution", allowed: ["require", "confirmed_by"])
            let required = reader.strings(resolutionFields["require"], "\(path).resolution.require")
            reader.checkKnown(required, in: ["resolution_note", "category"], "\(path).resolution.require", what: "field")
            let confirmer = reader.string(resolutionFields["confirmed_by"], "\(path).resolution.confirmed_by") ?? "none"
            if !confirmers.contains(confirmer) {
                reader.problem(
                    at: resolutionFields["confirmed_by"],
                    "\(path).resolution.confirmed_by: unknown value '\(confirmer)'; expected one of \(confirmers.joined(separator: ", "))")
            }
            var family = Family(
                code: pair.key, label: label, domain: domain ?? .itsm, keyPrefix: prefix,
                openedBy: openedBy.map(\.0), channels: channelList.map(\.0), handledBy: teams.map(\.0),
                workflow: workflow, sla: sla,
                crm: CRMRequirements(
                    require: require.compactMap { CRMObjectKind(rawValue: $0.0) },
                    allow: allow.compactMap { CRMObjectKind(rawValue: $0.0) }, rollUp: rollUp),
                resolution: ResolutionRule(require: required.map(\.0), confirmedBy: confirmer)
            )
            family.slaByTier = byTier
            family.slaByContract = byContract
            families[pair.key] = family
        }
        return families
    }

    /// `{ strategic: incident-critical-247 }`: a value of the account or contract, and the policy it selects.
    static func slaOverrides(_ node: Node?, _ path: String, map: ProcessMap, _ reader: MapReader) -> [String: String] {
        var overrides: [String: String] = [:]
        for pair in reader.pairs(node, path) {
            guard let code = reader.string(pair.value, "\(path).\(pair.key)") else { continue }
            if map.sla[code] == nil {
                reader.problem(
                    at: pair.value,
                    "\(path).\(pair.key): unknown SLA policy '\(code)'; expected one of \(map.sla.keys.sorted().joined(separator: ", "))")
            }
            overrides[pair.key] = code
        }
        return overrides
    }

    static func isKeyPrefix(_ text: String) -> Bool {
        guard (2...10).contains(text.count), let first = text.unicodeScalars.first, ("A"..."Z").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}

import RelaisCore
import Yams

extension MapLoader {
    static let referentialKeys = ["severities", "priority_matrix", "categories", "mappings"]
    /// Ticket fields a mapping may set.
    static let mappableFields = ["family", "category", "severity", "priority", "impact", "urgency", "status_category", "status", "team"]

    static func readReferential(_ node: Node?, _ reader: MapReader) -> Referential {
        let fields = reader.fields(node, "referential", allowed: referentialKeys)
        var referential = Referential()
        referential.severities = reader.strings(fields["severities"], "referential.severities").map(\.0)
        var grid: [String: [String: String]] = [:]
        for impact in reader.pairs(fields["priority_matrix"], "referential.priority_matrix") {
            for urgency in reader.pairs(impact.value, "referential.priority_matrix.\(impact.key)") {
                if let priority = reader.string(urgency.value, "referential.priority_matrix.\(impact.key).\(urgency.key)") {
                    grid[impact.key, default: [:]][urgency.key] = priority
                }
            }
        }
        referential.priorityMatrix = PriorityMatrix(grid)
        var codes = Set<String>()
        for (index, item) in reader.sequence(fields["categories"], "referential.categories").enumerated() {
            let path = "referential.categories[\(index)]"
            let category = reader.fields(item, path, allowed: ["code", "label"])
            guard let code = reader.requiredString(category, "code", path, at: item) else { continue }
            if !codes.insert(code).inserted { reader.problem(at: category["code"], "\(path): duplicate category '\(code)'") }
            referential.categories.append(.init(code: code, label: LocalizedText(reader.label(category["label"], "\(path).label"))))
        }
        return referential
    }

    /// Mappings are read after the families, since a mapping may set a family.
    static func readMappings(_ node: Node?, map: ProcessMap, _ reader: MapReader) -> [ValueMapping] {
        guard let node, case .mapping = node else { return [] }
        let fields = reader.fields(node, "referential", allowed: referentialKeys)
        var mappings: [ValueMapping] = []
        for (index, item) in reader.sequence(fields["mappings"], "referential.mappings").enumerated() {
            let path = "referential.mappings[\(index)]"
            let mapping = reader.fields(item, path, allowed: ["source", "match", "set"])
            guard let source = reader.requiredString(mapping, "source", path, at: item) else { continue }
            let match = reader.flattened(mapping["match"], "\(path).match")
            if match.isEmpty { reader.problem(at: mapping["match"] ?? item, "\(path): 'match' needs at least one field") }
            var set: [String: String] = [:]
            for pair in reader.pairs(mapping["set"], "\(path).set", allowed: mappableFields) {
                guard let value = reader.string(pair.value, "\(path).set.\(pair.key)") else { continue }
                if let known = knownValues(of: pair.key, in: map), !known.contains(value) {
                    reader.problem(
                        at: pair.value, "\(path).set.\(pair.key): unknown value '\(value)'; expected one of \(known.sorted().joined(separator: ", "))"
                    )
                }
                set[pair.key] = value
            }
            if set.isEmpty { reader.problem(at: mapping["set"] ?? item, "\(path): 'set' needs at least one field") }
            mappings.append(ValueMapping(source: source, match: match, set: set))
        }
        return mappings
    }

    /// The values the map allows for a ticket field, or nil when the field is free text.
    static func knownValues(of field: String, in map: ProcessMap) -> [String]? {
        let referential = map.referential
        switch field {
        case "family": return Array(map.families.keys)
        case "category": return referential.categoryCodes
        case "severity": return referential.severities
        case "priority": return referential.priorityMatrix.priorities
        case "impact": return referential.priorityMatrix.impacts
        case "urgency": return referential.priorityMatrix.urgencies
        case "status_category": return StatusCategory.allCases.map(\.rawValue)
        case "team": return Array(map.teams.keys)
        case "channel": return MapLoader.channels
        case "opened_by": return MapLoader.openers
        case "status": return Array(Set(map.workflows.values.flatMap(\.statusOrder)))
        default: return nil
        }
    }
}

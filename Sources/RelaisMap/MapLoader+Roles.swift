import RelaisCore
import Yams

extension MapLoader {
    /// `roles: { it-agent: { label: ..., permissions: [tickets.write, crm.read], families: [incident], teams: [it-l1] } }`.
    /// A role is an agent's: it keeps the permissions listed, and reaches the tickets of the
    /// families and teams listed (all when a list is left out); `teams: mine` reaches the teams
    /// its holder is a member of; `entities` limits it to those legal entities (further narrowed
    /// by each holder's grants).
    static func readRoles(_ node: Node?, map: ProcessMap, _ reader: MapReader) -> [String: AccessRole] {
        var roles: [String: AccessRole] = [:]
        for pair in reader.pairs(node, "roles") {
            let path = "roles.\(pair.key)"
            if AccessRole.builtIn.contains(pair.key) {
                reader.problem(at: pair.keyNode, "roles: '\(pair.key)' is a built-in role; give the map's role another name")
                continue
            }
            let fields = reader.fields(pair.value, path, allowed: ["label", "permissions", "families", "teams", "entities"])
            let permissions = reader.strings(fields["permissions"], "\(path).permissions")
            reader.checkKnown(permissions, in: Permission.allCases.map(\.rawValue), "\(path).permissions", what: "permission")
            var scope = AccessScope(permissions: Set(permissions.compactMap { Permission(rawValue: $0.0) }))
            if let node = fields["families"] {
                let families = reader.strings(node, "\(path).families")
                reader.checkKnown(families, in: map.families.keys, "\(path).families", what: "family")
                scope.families = Set(families.map(\.0))
            }
            var ownTeams = false
            if let node = fields["teams"], node.scalar?.string == "mine" {
                ownTeams = true
            } else if let node = fields["teams"] {
                let teams = reader.strings(node, "\(path).teams")
                reader.checkKnown(teams, in: map.teams.keys, "\(path).teams", what: "team")
                scope.teams = Set(teams.map(\.0))
            }
            if let node = fields["entities"] {
                let entities = reader.strings(node, "\(path).entities")
                reader.checkKnown(entities, in: map.entityOrder, "\(path).entities", what: "entity")
                scope.entities = Set(entities.map(\.0))
            }
            let label = reader.label(fields["label"], "\(path).label")
            roles[pair.key] = AccessRole(code: pair.key, label: label.isEmpty ? nil : LocalizedText(label), scope: scope, ownTeams: ownTeams)
        }
        return roles
    }
}

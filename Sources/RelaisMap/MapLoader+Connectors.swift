import Foundation
import RelaisCore
import Yams

extension MapLoader {
    /// `connectors: { hubspot: { token_env: HUBSPOT_TOKEN, direction: both, pipeline: "0", stages: { new: "1", open: "2", ... } } }`:
    /// the outside CRM `relais crm sync` keeps in step, and which way.
    static func readConnectors(_ node: Node?, _ reader: MapReader) -> [String: CRMConnection] {
        var connectors: [String: CRMConnection] = [:]
        for pair in reader.pairs(node, "connectors") {
            let path = "connectors.\(pair.key)"
            guard let kind = CRMConnection.Kind(rawValue: pair.key) else {
                reader.problem(
                    at: pair.keyNode,
                    "connectors: unknown CRM '\(pair.key)' (known: \(CRMConnection.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            let fields = reader.fields(
                pair.value, path, allowed: ["url", "token_env", "direction", "pipeline", "stages", "tier_property", "currency"])
            // HubSpot has one address; a Salesforce instance has its own.
            var url = kind == .hubspot ? "https://api.hubapi.com" : ""
            if let node = fields["url"], let text = reader.string(node, "\(path).url") {
                if isWebAddress(text) {
                    url = text.hasSuffix("/") ? String(text.dropLast()) : text
                } else {
                    reader.problem(at: node, "\(path).url: '\(text)' is not an http or https address")
                }
            } else if kind == .salesforce {
                reader.problem(at: pair.value, "\(path): missing 'url' (the instance, like https://acme.my.salesforce.com)")
            }
            let token = reader.requiredString(fields, "token_env", path, at: pair.value)
            if let token, let problem = secretVariableProblem(token) { reader.problem(at: fields["token_env"], "\(path).token_env: \(problem)") }
            var direction = CRMConnection.Direction.both
            if let node = fields["direction"], let text = reader.string(node, "\(path).direction") {
                if let value = CRMConnection.Direction(rawValue: text) {
                    direction = value
                } else {
                    reader.problem(at: node, "\(path).direction: '\(text)' is not one of in, out, both")
                }
            }
            var stages: [StatusCategory: String] = [:]
            for stage in reader.pairs(fields["stages"], "\(path).stages") {
                guard let category = StatusCategory(rawValue: stage.key) else {
                    reader.problem(at: stage.keyNode, "\(path).stages: '\(stage.key)' is not a status category (new, open, pending, solved, closed)")
                    continue
                }
                stages[category] = reader.string(stage.value, "\(path).stages.\(stage.key)")
            }
            if direction.pushes, let missing = StatusCategory.allCases.first(where: { stages[$0] == nil }) {
                if stages.isEmpty {
                    reader.problem(at: pair.value, "\(path): missing 'stages' (what each status category is in the CRM) to push tickets")
                } else {
                    reader.problem(at: fields["stages"], "\(path).stages: no stage for status category '\(missing.rawValue)'")
                }
            }
            guard let token, secretVariableProblem(token) == nil else { continue }
            connectors[pair.key] = CRMConnection(
                kind: kind, url: url, tokenVariable: token, direction: direction,
                pipeline: fields["pipeline"].flatMap { reader.string($0, "\(path).pipeline") } ?? "0", stages: stages,
                tierProperty: fields["tier_property"].flatMap { reader.string($0, "\(path).tier_property") },
                currency: fields["currency"].flatMap { reader.string($0, "\(path).currency") }?.uppercased())
        }
        return connectors
    }
}

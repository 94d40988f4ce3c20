import RelaisCore
import Yams

extension MapLoader {
    /// `cmdb: { types: { server: { label: ..., service: false } }, relations: { runs_on: { impact: source } } }`.
    /// Types may also be a plain list of codes. Without `relations`, the usual three are declared
    /// (`depends_on`, `runs_on`, `part_of`).
    static func readCMDB(_ node: Node?, _ reader: MapReader) -> CMDBSchema {
        guard let node else { return CMDBSchema() }
        let fields = reader.fields(node, "cmdb", allowed: ["types", "relations"])
        var schema = CMDBSchema(relations: fields["relations"] == nil ? CMDBSchema.standardRelations : [:])
        if let types = fields["types"], case .sequence = types {
            for (code, at) in reader.strings(types, "cmdb.types") {
                checkCode(code, at: at, "cmdb.types", reader)
                if schema.types[code] != nil { reader.problem(at: at, "cmdb.types: duplicate type '\(code)'") }
                schema.types[code] = .init(code: code)
            }
        } else {
            for pair in reader.pairs(fields["types"], "cmdb.types") {
                let path = "cmdb.types.\(pair.key)"
                checkCode(pair.key, at: pair.keyNode, "cmdb.types", reader)
                var type = CMDBSchema.ItemType(code: pair.key)
                if pair.value.scalar == nil || !(pair.value.scalar?.string.isEmpty ?? true) {
                    let type_ = reader.fields(pair.value, path, allowed: ["label", "service"])
                    type.label = LocalizedText(reader.label(type_["label"], "\(path).label"))
                    type.isService = reader.bool(type_["service"], "\(path).service") ?? false
                }
                schema.types[pair.key] = type
            }
        }
        if fields["types"] != nil, schema.types.isEmpty { reader.problem(at: fields["types"], "cmdb.types: declare at least one type") }
        for pair in reader.pairs(fields["relations"], "cmdb.relations") {
            let path = "cmdb.relations.\(pair.key)"
            checkCode(pair.key, at: pair.keyNode, "cmdb.relations", reader)
            let relation = reader.fields(pair.value, path, allowed: ["label", "impact"])
            guard let impactNode = relation["impact"], let text = reader.string(impactNode, "\(path).impact") else {
                reader.problem(at: pair.value, "\(path): missing 'impact' (source, target or none: which end suffers when the other fails)")
                continue
            }
            guard let impact = CMDBSchema.ImpactDirection(rawValue: text) else {
                reader.problem(at: impactNode, "\(path).impact: unknown value '\(text)'; expected one of source, target, none")
                continue
            }
            schema.relations[pair.key] = .init(code: pair.key, label: LocalizedText(reader.label(relation["label"], "\(path).label")), impact: impact)
        }
        return schema
    }

    private static func checkCode(_ code: String, at node: Node, _ path: String, _ reader: MapReader) {
        if code.isEmpty || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
            reader.problem(at: node, "\(path): '\(code)' must be made of letters, digits, '_' and '-'")
        }
    }
}

import Foundation
import RelaisCore
import Yams

extension MapLoader {
    /// `entities: { acme-fr: { name: Acme France SAS, brands: { acme: { portal: ..., mail: [...], language: fr } } } }`.
    /// The first entity is the default one; a brand's code and a mail address belong to one brand
    /// only; a brand's language is one of the organisation's and its time zone a known one.
    static func readEntities(
        _ node: Node?, organization: OrganizationProfile, _ reader: MapReader
    )
        -> (entities: [String: LegalEntity], order: [String], brands: [String: Brand])
    {
        var entities: [String: LegalEntity] = [:], order: [String] = [], brands: [String: Brand] = [:]
        var addresses: [String: String] = [:]
        for pair in reader.pairs(node, "entities") {
            let path = "entities.\(pair.key)"
            let fields = reader.fields(pair.value, path, allowed: ["name", "brands"])
            var entity = LegalEntity(code: pair.key, name: reader.string(fields["name"], "\(path).name") ?? pair.key)
            for brandPair in reader.pairs(fields["brands"], "\(path).brands") {
                let brandPath = "\(path).brands.\(brandPair.key)"
                if let other = brands[brandPair.key] {
                    reader.problem(at: brandPair.keyNode, "\(brandPath): brand '\(brandPair.key)' is already a brand of entity '\(other.entity)'")
                    continue
                }
                let brandFields = reader.fields(brandPair.value, brandPath, allowed: ["name", "portal", "mail", "language", "timezone"])
                let name = reader.string(brandFields["name"], "\(brandPath).name") ?? brandPair.key
                var brand = Brand(
                    code: brandPair.key, entity: pair.key, name: name,
                    portalName: reader.string(brandFields["portal"], "\(brandPath).portal"),
                    language: organization.languages.first ?? "en", timezone: organization.timezone)
                for (address, addressNode) in reader.strings(brandFields["mail"], "\(brandPath).mail") {
                    let address = address.lowercased()
                    if !isMailAddress(address) {
                        reader.problem(at: addressNode, "\(brandPath).mail: '\(address)' is not a mail address")
                    } else if let owner = addresses[address] {
                        reader.problem(at: addressNode, "\(brandPath).mail: '\(address)' is already an address of brand '\(owner)'")
                    } else {
                        addresses[address] = brandPair.key
                        brand.mail.append(address)
                    }
                }
                if let languageNode = brandFields["language"], let language = reader.string(languageNode, "\(brandPath).language") {
                    if !organization.languages.contains(language) {
                        reader.problem(
                            at: languageNode,
                            "\(brandPath).language: '\(language)' is not one of the organisation's languages (\(organization.languages.joined(separator: ", ")))"
                        )
                    }
                    brand.language = language
                }
                if let zoneNode = brandFields["timezone"], let zone = reader.string(zoneNode, "\(brandPath).timezone") {
                    if TimeZone(identifier: zone) == nil { reader.problem(at: zoneNode, "\(brandPath).timezone: unknown time zone '\(zone)'") }
                    brand.timezone = zone
                }
                brands[brand.code] = brand
                entity.brands.append(brand.code)
            }
            entities[pair.key] = entity
            order.append(pair.key)
        }
        return (entities, order, brands)
    }

    /// A reference to an entity (`teams.X.entity`): nil, with a problem, when the map has no such one.
    static func entity(_ node: Node?, _ path: String, in map: ProcessMap, _ reader: MapReader) -> String? {
        guard let node, let code = reader.string(node, path) else { return nil }
        guard map.entities[code] != nil else {
            let known = map.entityOrder.isEmpty ? "the map declares no 'entities'" : "expected one of \(map.entityOrder.joined(separator: ", "))"
            reader.problem(at: node, "\(path): unknown entity '\(code)'; \(known)")
            return nil
        }
        return code
    }
}

import RelaisCore
import Yams

extension MapLoader {
    /// One `@` between a local part and a dotted domain, no space: what the map accepts as an address.
    static func isMailAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !address.contains(" ")
    }

    /// `mailboxes: { support@acme.example: { family: customer_support, team: support-l1 } }`: the
    /// family must take the `email` channel and the team, when given, must handle the family.
    static func readMailboxes(_ node: Node?, map: ProcessMap, _ reader: MapReader) -> [String: Mailbox] {
        var mailboxes: [String: Mailbox] = [:]
        for pair in reader.pairs(node, "mailboxes") {
            let address = pair.key.lowercased()
            let path = "mailboxes.\(pair.key)"
            if !isMailAddress(address) {
                reader.problem(at: pair.keyNode, "mailboxes: '\(pair.key)' is not a mail address")
                continue
            }
            if mailboxes[address] != nil { reader.problem(at: pair.keyNode, "mailboxes: '\(pair.key)' is declared twice") }
            let fields = reader.fields(pair.value, path, allowed: ["family", "team"])
            guard let familyNode = fields["family"], let family = reader.string(familyNode, "\(path).family") else {
                reader.problem(at: pair.value, "\(path): missing 'family' (the family its messages open)")
                continue
            }
            guard let definition = map.families[family] else {
                reader.problem(at: familyNode, "\(path).family: unknown family '\(family)'")
                continue
            }
            if !definition.channels.contains("email") {
                reader.problem(at: familyNode, "\(path).family: family '\(family)' does not take the 'email' channel")
            }
            let team = fields["team"].flatMap { reader.string($0, "\(path).team") }
            if let team, let teamNode = fields["team"] {
                if map.teams[team] == nil {
                    reader.problem(at: teamNode, "\(path).team: unknown team '\(team)'")
                } else if !definition.handledBy.contains(team) {
                    reader.problem(at: teamNode, "\(path).team: team '\(team)' does not handle family '\(family)'")
                }
            }
            if let team, let teamEntity = map.teams[team]?.entity, let brand = map.brand(forMail: [address]), brand.entity != teamEntity {
                reader.problem(
                    at: fields["team"],
                    "\(path).team: team '\(team)' belongs to entity '\(teamEntity)', the address to brand '\(brand.code)' of entity '\(brand.entity)'"
                )
            }
            mailboxes[address] = Mailbox(address: address, family: family, team: team)
        }
        return mailboxes
    }
}

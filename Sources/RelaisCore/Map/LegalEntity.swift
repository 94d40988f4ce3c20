/// A legal entity of the organisation (a subsidiary, a company of the group): tickets, accounts
/// and teams belong to one, and agents see the entities they are granted.
public struct LegalEntity: Sendable, Equatable {
    public var code: String
    public var name: String
    /// Its brands' codes, in the map's order; the first is the one its tickets take when nothing
    /// else names a brand.
    public var brands: [String]

    public init(code: String, name: String, brands: [String] = []) {
        self.code = code
        self.name = name
        self.brands = brands
    }
}

/// A name customers know the organisation by: its own mail addresses, portal name and language
/// defaults. A brand belongs to one legal entity.
public struct Brand: Sendable, Equatable {
    public var code: String
    public var entity: String
    public var name: String
    /// The name its requesters' portal shows; the brand's name when left out.
    public var portalName: String
    /// Lowercased addresses; mail to one of them is the brand's, and the first is the sender of
    /// the brand's notices when the ticket's own mailbox is not known.
    public var mail: [String]
    /// Language its requesters are written to in (`en`, `fr`).
    public var language: String
    /// Time zone its requesters' times are shown in.
    public var timezone: String

    public init(
        code: String, entity: String, name: String, portalName: String? = nil, mail: [String] = [],
        language: String = "en", timezone: String = "UTC"
    ) {
        self.code = code
        self.entity = entity
        self.name = name
        self.portalName = portalName ?? name
        self.mail = mail
        self.language = language
        self.timezone = timezone
    }
}

extension ProcessMap {
    /// The entity tickets belong to when nothing else decides: the first the map declares.
    public var defaultEntity: String? { entityOrder.first }

    /// The brand whose addresses include one of `addresses`, the first that matches.
    public func brand(forMail addresses: [String]) -> Brand? {
        for address in addresses {
            let address = address.lowercased()
            if let brand = brands.values.first(where: { $0.mail.contains(address) }) { return brand }
        }
        return nil
    }

    /// The entity and brand of a new ticket: a brand named decides its entity; else the entity
    /// named, else the linked account's, else the team's, else the map's default. A ticket
    /// without a brand named takes its entity's first. Nil both when the map declares no entity.
    public func entityAndBrand(
        brand: String?, entity: String?, account accountEntity: String?, team: String?
    ) throws
        -> (entity: String?, brand: String?)
    {
        if let brand {
            guard let found = brands[brand] else {
                throw TicketError.unknownValue(field: "brand", value: brand, allowed: brands.keys.sorted())
            }
            if let entity, entity != found.entity {
                throw TicketError.notAllowed(field: "entity", value: entity, reason: "brand '\(brand)' belongs to entity '\(found.entity)'")
            }
            return (found.entity, brand)
        }
        if let entity, entities[entity] == nil {
            throw TicketError.unknownValue(field: "entity", value: entity, allowed: entityOrder)
        }
        let chosen =
            entity
            ?? accountEntity.flatMap { entities[$0] == nil ? nil : $0 }
            ?? team.flatMap { teams[$0]?.entity }
            ?? defaultEntity
        return (chosen, chosen.flatMap { entities[$0]?.brands.first })
    }
}

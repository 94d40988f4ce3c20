import Foundation
import Testing

@testable import RelaisCore

/// Which legal entity and brand a new ticket takes, and what an agent's grants let them reach.
@Suite struct EntityRuleTests {
    static let map: ProcessMap = {
        var map = ProcessMap(teams: ["shared": Team(code: "shared", level: 1), "north-desk": Team(code: "north-desk", level: 1, entity: "north")])
        map.entities = [
            "south": LegalEntity(code: "south", name: "South SA", brands: ["sol", "sud"]),
            "north": LegalEntity(code: "north", name: "North Ltd", brands: ["nord"]),
        ]
        map.entityOrder = ["south", "north"]
        map.brands = [
            "sol": Brand(code: "sol", entity: "south", name: "Sol"), "sud": Brand(code: "sud", entity: "south", name: "Sud"),
            "nord": Brand(code: "nord", entity: "north", name: "Nord", mail: ["help@nord.example"]),
        ]
        return map
    }()

    @Test(
        arguments: [
            // brand, entity, account's entity, team -> entity, brand
            (nil, nil, nil, nil, "south", "sol"),
            ("sud", nil, "north", "north-desk", "south", "sud"),
            (nil, "north", "south", nil, "north", "nord"),
            (nil, nil, "north", "shared", "north", "nord"),
            (nil, nil, "gone", "north-desk", "north", "nord"),
            (nil, nil, nil, "shared", "south", "sol"),
            ("nord", "north", nil, nil, "north", "nord"),
        ] as [(String?, String?, String?, String?, String, String)])
    func theBrandDecidesThenTheEntityNamedThenTheAccountThenTheTeamThenTheDefault(
        brand: String?, entity: String?, account: String?, team: String?, expectedEntity: String, expectedBrand: String
    ) throws {
        let chosen = try Self.map.entityAndBrand(brand: brand, entity: entity, account: account, team: team)
        #expect(chosen.entity == expectedEntity && chosen.brand == expectedBrand)
    }

    @Test func unknownOrContradictoryChoicesAreRefusedByName() {
        #expect(throws: TicketError.unknownValue(field: "brand", value: "sun", allowed: ["nord", "sol", "sud"])) {
            try Self.map.entityAndBrand(brand: "sun", entity: nil, account: nil, team: nil)
        }
        #expect(throws: TicketError.unknownValue(field: "entity", value: "east", allowed: ["south", "north"])) {
            try Self.map.entityAndBrand(brand: nil, entity: "east", account: nil, team: nil)
        }
        #expect(throws: TicketError.notAllowed(field: "entity", value: "south", reason: "brand 'nord' belongs to entity 'north'")) {
            try Self.map.entityAndBrand(brand: "nord", entity: "south", account: nil, team: nil)
        }
        // A map without entities leaves tickets without one.
        let none = try? ProcessMap().entityAndBrand(brand: nil, entity: nil, account: "north", team: nil)
        #expect(none?.entity == nil && none?.brand == nil)
    }

    @Test func grantsNarrowAScopeAndThingsOfNoEntityCountAsTheDefaults() {
        let agent = AccessScope.agent
        #expect(agent.granted([], defaultEntity: "south") == agent)
        let north = agent.granted(["north"], defaultEntity: "south")
        #expect(north.entities == ["north"] && !north.reachesNoEntity && !north.reachesAll)
        #expect(north.reaches(family: "f", team: nil, entity: "north") && !north.reaches(family: "f", team: nil, entity: "south"))
        #expect(!north.reaches(entity: nil))
        let south = agent.granted(["south", "north"], defaultEntity: "south")
        #expect(south.reaches(entity: nil) && south.reaches(entity: "north"))
        // A role limited to some entities keeps only those its holder is granted too.
        let role = AccessScope(permissions: [], entities: ["north"])
        #expect(role.granted(["south"], defaultEntity: "south").entities == [])
        #expect(role.granted([], defaultEntity: "south").entities == ["north"])
        #expect(!role.granted([], defaultEntity: "south").reachesNoEntity)
    }

    @Test func aTeamOfAnEntityHandlesThatEntitysTicketsOnly() throws {
        #expect(
            throws: TicketError.notAllowed(
                field: "team", value: "north-desk",
                reason: "team 'north-desk' handles the tickets of entity 'north' only; this ticket is of 'south'")
        ) {
            try TicketRules.checkTeam("north-desk", serves: "south", map: Self.map)
        }
        try TicketRules.checkTeam("north-desk", serves: "north", map: Self.map)
        try TicketRules.checkTeam("shared", serves: "south", map: Self.map)
        try TicketRules.checkTeam("north-desk", serves: nil, map: Self.map)
    }
}

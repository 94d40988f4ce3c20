import Foundation
import RelaisCore
import Testing

@Suite struct SearchTextTests {
    @Test func accentsCaseAndLigaturesFold() {
        #expect(SearchText.fold("Accès ÉCRAN Œuvre") == "acces ecran oeuvre")
        #expect(SearchText.words("Accès refusé : l'imprimante") == ["acces", "refuse", "l", "imprimante"])
    }

    @Test func freeTextDropsCommonWordsAndRepeats() {
        #expect(
            SearchText.words("Je ne peux pas me connecter au VPN depuis ce matin, VPN!", dropCommonWords: true)
                == ["connecter", "vpn", "matin"])
        #expect(SearchText.words("Cannot log in to the printer since Monday", dropCommonWords: true) == ["log", "printer", "monday"])
        #expect(SearchText.words(String(repeating: "mot ", count: 3) + "a b c d e", limit: 3) == ["mot", "a", "b"])
    }
}

@Suite struct KnowledgeAndCMDBRuleTests {
    @Test func customersSearchPublishedArticlesOnly() {
        #expect(KnowledgeRules.searchedStatuses(asked: nil, byCustomer: false) == [.published, .draft])
        #expect(KnowledgeRules.searchedStatuses(asked: .archived, byCustomer: false) == [.archived])
        #expect(KnowledgeRules.searchedStatuses(asked: nil, byCustomer: true) == [.published])
        #expect(KnowledgeRules.searchedStatuses(asked: .draft, byCustomer: true).isEmpty)
    }

    @Test func theMapSaysWhichItemsAndRelationsItAllows() {
        let schema = CMDBSchema(types: ["server": .init(code: "server")], relations: CMDBSchema.standardRelations)
        let (a, b) = (UUID(), UUID())
        #expect(schema.problem(itemType: "server") == nil)
        #expect(schema.problem(itemType: "toaster") == "unknown type 'toaster'; the map declares server")
        #expect(CMDBSchema().problem(itemType: "server") == "the map declares no configuration item types (cmdb.types)")
        #expect(schema.problem(relationType: "runs_on", source: a, target: b) == nil)
        #expect(schema.problem(relationType: "hosts", source: a, target: b)?.field == .type)
        #expect(schema.problem(relationType: "runs_on", source: a, target: a)?.reason == "an item cannot be related to itself")
    }
}

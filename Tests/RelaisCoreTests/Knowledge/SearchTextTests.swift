import RelaisCore
import Testing

@Suite struct SearchTextTests {
    @Test func accentsCaseAndLigaturesFold() {
        #expect(SearchText.fold("Accès ÉCRAN Œuvre") == "acces ecran oeuvre")
        #expect(SearchText.words("Accès refusé : l'imprimante") == ["acces", "refuse", "l", "imprimante"])
    }

    @Test func freeTextDropsCommonWordsAndRepeats() {
        #expect(SearchText.words("Je ne peux pas me connecter au VPN depuis ce matin, VPN!", dropCommonWords: true)
                == ["connecter", "vpn", "matin"])
        #expect(SearchText.words("Cannot log in to the printer since Monday", dropCommonWords: true) == ["log", "printer", "monday"])
        #expect(SearchText.words(String(repeating: "mot ", count: 3) + "a b c d e", limit: 3) == ["mot", "a", "b"])
    }
}

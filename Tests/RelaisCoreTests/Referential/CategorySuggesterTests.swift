import RelaisCore
import Testing

@Suite struct CategorySuggesterTests {
    let suggester = CategorySuggester(examples: [
        ("VPN drops every hour", "network"), ("Wi-Fi slow on the second floor", "network"), ("Le VPN ne se connecte plus", "network"),
        ("Invoice charged twice", "billing"), ("Refund of a duplicate invoice", "billing"), ("Facture en double", "billing"),
        ("Cannot log in to the portal", "access"), ("Password reset does not arrive", "access"),
    ])

    @Test func theCategoryWhoseWordsTheSubjectSharesComesFirst() {
        #expect(suggester.suggest(for: "VPN down again").first == "network")
        #expect(suggester.suggest(for: "Second invoice this month").first == "billing")
        // Accents and case do not matter: "facture" and "FACTURE" are one word.
        #expect(suggester.suggest(for: "FACTURÉ deux fois, facture fausse").first == "billing")
        #expect(suggester.suggest(for: "Reset my password please").first == "access")
    }

    @Test func suggestionsStayWithinTheAllowedCategoriesAndTheLimit() {
        #expect(suggester.suggest(for: "VPN invoice", allowed: ["billing", "access"]).first == "billing")
        #expect(suggester.suggest(for: "VPN invoice password", limit: 2).count == 2)
    }

    @Test func aSubjectOfUnknownWordsGetsNoGuess() {
        #expect(suggester.suggest(for: "Zebra xylophone").isEmpty)
        #expect(suggester.suggest(for: "the and of").isEmpty)
        #expect(CategorySuggester(examples: []).suggest(for: "VPN").isEmpty)
    }
}

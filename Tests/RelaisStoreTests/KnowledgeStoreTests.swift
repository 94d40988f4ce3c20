import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct KnowledgeStoreTests {
    struct Fixture {
        let base: StoreFixture
        let knowledge: KnowledgeService

        init(_ database: RelaisDatabase) async throws {
            base = try await StoreFixture.make(database)
            knowledge = KnowledgeService(map: base.map, database: database, tickets: base.service)
        }

        @discardableResult
        func article(
            _ title: String, _ body: String, language: String = "en", audience: KnowledgeArticle.Audience = .customers,
            status: KnowledgeArticle.Status = .published, translationOf: UUID? = nil
        ) async throws -> KnowledgeArticle {
            try await knowledge.create(
                .init(
                    title: title, body: body, language: language, audience: audience, status: status,
                    translationOf: translationOf), by: base.agent)
        }

        func titles(_ text: String, language: String? = nil, by principal: Principal? = nil) async throws -> [String] {
            try await knowledge.search(text, language: language, category: nil, status: nil, limit: 10, by: principal ?? base.agent).map(
                \.article.title)
        }

        /// An incident moved to its solved status with `note`.
        func solvedTicket(_ title: String, note: String) async throws -> Ticket {
            let key = try await base.service.open(base.draft(title: title), by: base.agent).ticket.key
            _ = try await base.service.transition(key: key, to: "in_progress", resolutionNote: nil, ifMatch: nil, by: base.agent)
            return try await base.service.transition(key: key, to: "resolved", resolutionNote: note, ifMatch: nil, by: base.agent)
        }
    }

    @Test(arguments: Engine.available)
    func searchFindsFrenchAndEnglishWithOrWithoutAccents(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await Fixture(database)
            let french = try await fixture.article("Accès refusé au VPN", "Réinitialisez votre jeton d'accès puis reconnectez-vous.", language: "fr")
            try await fixture.article("VPN access denied", "Reset your access token, then connect again.", translationOf: french.id)
            try await fixture.article("Imprimantes du troisième étage", "Les imprimantes réseau sont déclarées dans l'annuaire.", language: "fr")
            try await fixture.article("Printer out of toner", "Order toner from the supplies catalogue.")

            // "acces" is also the start of "access", the word being typed.
            #expect(Set(try await fixture.titles("acces")) == ["Accès refusé au VPN", "VPN access denied"])
            #expect(try await fixture.titles("refuse") == ["Accès refusé au VPN"])
            #expect(try await fixture.titles("ACCÈS RÉFUSÉ") == ["Accès refusé au VPN"])
            #expect(try await fixture.titles("reinitialisez jeton") == ["Accès refusé au VPN"])
            #expect(Set(try await fixture.titles("vpn")) == ["Accès refusé au VPN", "VPN access denied"])
            #expect(try await fixture.titles("vpn", language: "en") == ["VPN access denied"])
            // Stems: "printers" finds "printer", "imprimante" finds "imprimantes"; a prefix finds the word being typed.
            #expect(try await fixture.titles("printers toner") == ["Printer out of toner"])
            #expect(try await fixture.titles("imprimante") == ["Imprimantes du troisième étage"])
            #expect(try await fixture.titles("etag") == ["Imprimantes du troisième étage"])
            #expect(try await fixture.titles("kubernetes").isEmpty)
            // Two letters are a word, not the start of one: "vp" would stand for too many words.
            #expect(try await fixture.titles("vp").isEmpty)
            #expect(try await fixture.titles("vpn acc", language: "en") == ["VPN access denied"])
        }
    }

    @Test(arguments: Engine.available)
    func titlesRankAboveBodiesAndDraftsStayWithStaff(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await Fixture(database)
            try await fixture.article("Expense reports", "How to file them; the mailbox quota is not concerned.")
            try await fixture.article("Mailbox quota exceeded", "Archive old mail to free space.")
            try await fixture.article("Mailbox rules", "Draft text about quota.", status: .draft)
            try await fixture.article("Quota for staff", "Internal only.", audience: .internal)
            let staff = try await fixture.titles("quota")
            #expect(Set(staff.prefix(2)) == ["Mailbox quota exceeded", "Quota for staff"])
            #expect(Set(staff) == ["Mailbox quota exceeded", "Expense reports", "Mailbox rules", "Quota for staff"])
            // A requester sees only published articles written for customers.
            #expect(Set(try await fixture.titles("quota", by: fixture.base.requester)) == ["Mailbox quota exceeded", "Expense reports"])
        }
    }

    @Test(arguments: Engine.available)
    func articlesKeepEveryVersionAndRefuseStaleWrites(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await Fixture(database)
            let first = try await fixture.article("Reset a password", "Use the portal.", status: .draft)
            let second = try await fixture.knowledge.update(
                first.id, .init(body: "Use the self-service portal.", status: .published, note: "clearer"),
                ifMatch: 1, by: fixture.base.agent)
            #expect(second.version == 2)
            #expect(second.publishedAt != nil)
            await #expect(throws: StoreError.versionConflict(current: 2)) {
                _ = try await fixture.knowledge.update(first.id, .init(title: "Stale"), ifMatch: 1, by: fixture.base.agent)
            }
            let versions = try await fixture.knowledge.versions(of: first.id, by: fixture.base.agent)
            #expect(versions.map(\.version) == [2, 1])
            #expect(versions.map(\.body) == ["Use the self-service portal.", "Use the portal."])
            #expect(versions.first?.note == "clearer")
            // The index follows the text: the old words no longer find it.
            #expect(try await fixture.titles("self service") == ["Reset a password"])
            // Bad fields are named.
            await #expect(throws: TicketError.unknownValue(field: "language", value: "de", allowed: ["fr", "en"])) {
                _ = try await fixture.article("Passwort", "Text", language: "de")
            }
            await #expect(
                throws: TicketError.unknownValue(field: "category", value: "astrology", allowed: fixture.base.map.referential.categoryCodes)
            ) {
                _ = try await fixture.knowledge.create(.init(title: "T", body: "B", category: "astrology"), by: fixture.base.agent)
            }
            await #expect(throws: AccessError.self) {
                _ = try await fixture.knowledge.create(.init(title: "T", body: "B"), by: fixture.base.requester)
            }
            await #expect(throws: StoreError.self) { _ = try await fixture.article("Second English", "x", translationOf: first.id) }
        }
    }

    @Test(arguments: Engine.available)
    func aSolvedTicketBecomesAnArticleInOneStep(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await Fixture(database)
            let open = try await fixture.base.service.open(fixture.base.draft(title: "Outlook crashes at start"), by: fixture.base.agent).ticket
            await #expect(throws: TicketError.self) {
                _ = try await fixture.knowledge.capitalise(ticketKey: open.key, into: nil, .init(), by: fixture.base.agent)
            }
            let ticket = try await fixture.solvedTicket("Outlook crashes at start", note: "Start Outlook in safe mode and remove the broken add-in.")
            let article = try await fixture.knowledge.capitalise(ticketKey: ticket.key, into: nil, .init(status: .published), by: fixture.base.agent)
            #expect(article.title == "Outlook crashes at start")
            #expect(article.body.contains("remove the broken add-in"))
            #expect(article.sourceTicketKey == ticket.key)
            let tied = try await fixture.knowledge.articles(ofTicket: ticket.key, by: fixture.base.agent)
            #expect(tied.map(\.article.id) == [article.id])
            #expect(tied.map(\.relation) == ["written_from"])
            let events = try await fixture.base.service.events(key: ticket.key, by: fixture.base.agent)
            #expect(events.last?.change.kind == .articleLinked)
            #expect(events.last?.change.to == article.id.text)

            // A second ticket updates the same article: its resolution becomes a new section of a
            // new version, and the ticket is tied too.
            let again = try await fixture.solvedTicket("Outlook crashes again", note: "Also clear the Outlook profile cache.")
            let updated = try await fixture.knowledge.capitalise(ticketKey: again.key, into: article.id, .init(), by: fixture.base.agent)
            #expect(updated.version == 2)
            #expect(updated.title == article.title)
            #expect(updated.body.hasPrefix(article.body))
            #expect(updated.body.hasSuffix("## \(again.key): Outlook crashes again\n\nAlso clear the Outlook profile cache."))
            #expect(try await fixture.titles("profile cache") == ["Outlook crashes at start"])
            // The same text again changes nothing in the article but still ties the ticket.
            let third = try await fixture.solvedTicket("Outlook crashes a third time", note: "Same again.")
            let same = try await fixture.knowledge.capitalise(
                ticketKey: third.key, into: article.id, .init(body: updated.body), by: fixture.base.agent)
            #expect(same.version == 2)
            #expect(try await fixture.knowledge.articles(ofTicket: third.key, by: fixture.base.agent).map(\.article.id) == [article.id])
            let report = try await fixture.knowledge.report(
                from: Date().addingTimeInterval(-3600), to: Date().addingTimeInterval(60), by: fixture.base.agent)
            #expect(report.articlesWritten == 3)
            #expect(report.ticketsSolvedWithArticle == 3)
        }
    }

    @Test(arguments: Engine.available)
    func suggestionsDeflectionsAndFailedSearchesAreReported(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await Fixture(database)
            let vpn = try await fixture.article("VPN disconnects every hour", "Update the VPN client to the latest version.")
            try await fixture.article("Printer jams", "Open tray two.")
            let suggested = try await fixture.knowledge.suggestions(
                for: "My VPN keeps disconnecting since this morning", family: "incident",
                by: fixture.base.requester)
            #expect(suggested.first?.article.id == vpn.id)
            #expect(try await fixture.knowledge.suggestions(for: "the and of", family: nil, by: fixture.base.agent).isEmpty)
            try await fixture.knowledge.recordDeflection(articleID: vpn.id, family: "incident", query: "vpn", by: fixture.base.requester)
            _ = try await fixture.titles("teleportation")
            _ = try await fixture.titles("Téléportation")
            _ = try await fixture.titles("printer")
            let ticket = try await fixture.base.service.open(fixture.base.draft(title: "Printer jammed"), by: fixture.base.agent).ticket
            _ = try await fixture.knowledge.tie(ticketKey: ticket.key, to: vpn.id, by: fixture.base.agent)
            let report = try await fixture.knowledge.report(
                from: Date().addingTimeInterval(-3600), to: Date().addingTimeInterval(60), by: fixture.base.agent)
            #expect(report.deflections == 1)
            #expect(report.searches == 4)
            #expect(report.searchesWithoutResult == 2)
            #expect(report.failedSearches.map(\.query) == ["teleportation"])
            #expect(report.failedSearches.first?.count == 2)
            #expect(report.articles.first?.articleID == vpn.id.text)
            #expect(report.articles.first?.solved == 1)
            #expect(report.articles.first?.deflections == 1)
            await #expect(throws: AccessError.self) {
                _ = try await fixture.knowledge.report(from: Date(), to: Date(), by: fixture.base.requester)
            }
        }
    }
}

extension KnowledgeStoreTests {
    /// The matches ranked per search are this organisation's: another's many newer articles on the
    /// same words do not push this one's out of its own results.
    @Test func anotherOrganisationsArticlesDoNotCrowdThisOnesOut() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let acme = try await Fixture(database)
            try await acme.article("Printer jams on tray 2", "Open the tray and pull the sheet.")
            let globex = try await StoreFixture.make(database, slug: "globex")
            let theirs = KnowledgeService(map: globex.map, database: database, tickets: globex.service)
            for index in 0...KnowledgeStoreTests.window {
                _ = try await theirs.create(
                    .init(
                        title: "Printer \(index)", body: "printer printer", language: "en", audience: .customers,
                        status: .published), by: globex.agent)
            }
            #expect(try await acme.titles("printer") == ["Printer jams on tray 2"])
        }
    }

    /// Matches ranked per search on SQLite (`SQLiteKnowledgeIndex.rankingWindow`).
    static let window = 1_000
}

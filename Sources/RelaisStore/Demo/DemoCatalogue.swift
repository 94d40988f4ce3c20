import Foundation
import RelaisCore
import SQLKit

/// Fills a database with a knowledge base and a CMDB of a given size, for demos and for the
/// benchmarks of search and impact analysis: articles in French and English whose words follow a
/// long-tailed frequency (a few words are everywhere, most are rare), and items in layers
/// (services on applications, applications on databases and servers, servers in racks behind
/// network devices) with cross dependencies that make diamonds and cycles.
public struct DemoCatalogue: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    static let english = """
        access account active adapter address admin alert application approval archive attachment audit backup badge bandwidth \
        battery billing browser cable cache calendar camera certificate change channel charger client cloud cluster configuration \
        connection console contract copy credential dashboard database delay deploy desktop device dialog directory disk display \
        dock domain download driver email encryption error export failover file firewall firmware folder font gateway group headset \
        host identity image import installation instance interface invoice keyboard latency laptop licence link load location lock \
        log login mailbox memory message migration mobile monitor mouse network notification office outage package password patch \
        payment performance permission phone policy port portal power printer privilege profile projector proxy quota reboot \
        recovery release remote report request reset restore role router scanner schedule screen script search security server \
        service session settings share signature software space storage subscription switch sync system tablet team template \
        ticket timeout token toner tray update upgrade upload user version video virtual vpn webcam wifi window wireless workflow \
        workspace slow broken missing locked expired failed denied frozen blank noisy intermittent corrupted duplicate blocked
        """.split(separator: " ").map(String.init)

    static let french = """
        accès compte actif adaptateur adresse alerte application approbation archive pièce audit sauvegarde badge bande batterie \
        facturation navigateur câble cache calendrier caméra certificat changement canal chargeur client nuage grappe configuration \
        connexion console contrat copie identifiant tableau base délai déploiement bureau appareil dialogue annuaire disque écran \
        station domaine téléchargement pilote courriel chiffrement erreur export bascule fichier pare-feu micrologiciel dossier \
        police passerelle groupe casque hôte identité image import installation instance interface facture clavier latence \
        portable licence lien charge emplacement verrou journal connexion messagerie mémoire message migration mobile moniteur \
        souris réseau notification bureau panne paquet mot-de-passe correctif paiement performance permission téléphone politique \
        port portail alimentation imprimante privilège profil projecteur mandataire quota redémarrage reprise version distance \
        rapport demande réinitialisation restauration rôle routeur scanner planning écran script recherche sécurité serveur \
        service session paramètres partage signature logiciel espace stockage abonnement commutateur synchronisation système \
        tablette équipe modèle ticket délai jeton toner bac mise-à-jour montée envoi utilisateur vidéo virtuel vpn webcam wifi \
        fenêtre sans-fil flux poste lent cassé manquant bloqué expiré échoué refusé figé vide bruyant intermittent corrompu double
        """.split(separator: " ").map(String.init)

    /// A word of `words`, the first ones far more often than the last (a long tail).
    static func word(_ words: [String], _ random: inout SeededRandom) -> String {
        let u = Double.random(in: 0..<1, using: &random)
        return words[min(words.count - 1, Int(pow(u, 3) * Double(words.count)))]
    }

    static func sentence(_ words: [String], count: Int, _ random: inout SeededRandom) -> String {
        (0..<count).map { _ in word(words, &random) }.joined(separator: " ")
    }

    static func capitalised(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    /// A query people might type: one to three words of the same vocabulary and frequencies.
    public static func queries(_ count: Int, seed: UInt64) -> [String] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let words = random.chance(0.5) ? english : french
            return sentence(words, count: Int.random(in: 1...3, using: &random), &random)
        }
    }

    /// Writes `count` published articles, half French and half English, most for customers.
    public func generateArticles(_ count: Int, organizationID: UUID, seed: UInt64 = 42) async throws {
        var random = SeededRandom(seed: seed)
        let index: any KnowledgeIndex = database.kind == .sqlite ? SQLiteKnowledgeIndex() : PostgresKnowledgeIndex()
        let start = Date().addingTimeInterval(-365 * 86_400)
        for batchStart in stride(from: 0, to: count, by: 1_000) {
            var articles: [(KnowledgeArticle, Int64)] = []
            for offset in batchStart..<min(count, batchStart + 1_000) {
                let french = offset % 2 == 0
                let words = french ? Self.french : Self.english
                let time = start.addingTimeInterval(Double(offset) * 300)
                let body = (0..<Int.random(in: 3...8, using: &random)).map { _ in
                    Self.capitalised(Self.sentence(words, count: Int.random(in: 8...25, using: &random), &random)) + "."
                }.joined(separator: "\n\n")
                let article = KnowledgeArticle(
                    id: UUID.timeOrdered(at: time, using: &random), language: french ? "fr" : "en",
                    title: Self.capitalised(Self.sentence(words, count: Int.random(in: 3...8, using: &random), &random)), body: body,
                    audience: random.chance(0.7) ? .customers : .internal, status: .published, author: "demo", createdAt: time,
                    publishedAt: time)
                articles.append((article, Int64(seed & 0xFFFF) << 40 | Int64(offset + 1)))
            }
            let batch = articles
            try await database.transaction { db in
                try await RowInsert.run(
                    "kb_articles", columns: ["organization_id"] + KnowledgeRepository.articleColumns,
                    rows: batch.map { [organizationID.text] + KnowledgeRepository.values($0.0, key: $0.1) }, on: db)
                try await RowInsert.run(
                    "kb_article_versions",
                    columns: [
                        "article_id", "version", "organization_id", "title", "body", "category", "audience", "status", "author", "note", "created_at",
                    ],
                    rows: batch.map { article, _ in
                        [
                            article.id.text, 1, organizationID.text, article.title, article.body, article.category, article.audience.rawValue,
                            article.status.rawValue, article.author, nil as String?, Millis.from(article.createdAt),
                        ]
                    }, on: db)
                for (article, key) in batch { try await index.index(article, key: key, replacing: false, on: db) }
            }
        }
    }

    public struct CMDBSummary: Sendable, Equatable {
        public var items: Int
        public var relations: Int
    }

    /// Writes `items` configuration items and about `relations` relations between them, using the
    /// map's types when it declares the usual ones. Services serve the given accounts.
    public func generateCMDB(
        items count: Int, relations wanted: Int, accounts: [UUID], organizationID: UUID, seed: UInt64 = 42
    ) async throws -> CMDBSummary {
        var random = SeededRandom(seed: seed)
        let layers: [(String, Double)] = [
            ("service", 0.02), ("application", 0.15), ("database", 0.08), ("server", 0.35),
            ("network_device", 0.05), ("workstation", 0.30), ("licence", 0.05),
        ]
        var ids: [UUID] = [], byType: [String: [Int]] = [:]
        let time = Date()
        var itemRows: [RowInsert.Row] = []
        for number in 0..<count {
            let type = random.pick(layers)
            let id = UUID.timeOrdered(at: time, using: &random)
            byType[type, default: []].append(ids.count)
            ids.append(id)
            let account = type == "service" && !accounts.isEmpty ? random.pick(accounts).text : nil
            itemRows.append([
                id.text, organizationID.text, "CI-\(seed)-\(number)", type, "\(type)-\(number)", "in_service", nil as String?,
                account, "{}", Millis.from(time), Millis.from(time),
            ])
        }
        // Who depends on whom: (source type, relation, target type, share of the relations).
        let rules: [(String, String, String, Double)] = [
            ("service", "depends_on", "application", 0.05), ("application", "runs_on", "server", 0.25),
            ("application", "depends_on", "database", 0.15), ("application", "depends_on", "application", 0.10),
            ("database", "runs_on", "server", 0.10), ("server", "depends_on", "network_device", 0.10),
            ("workstation", "depends_on", "network_device", 0.10), ("workstation", "depends_on", "application", 0.10),
            ("server", "part_of", "server", 0.03), ("application", "licensed_by", "licence", 0.02),
        ]
        var seen = Set<UInt64>()
        var relationRows: [RowInsert.Row] = []
        var attempts = 0
        while relationRows.count < wanted, attempts < wanted * 4 {
            attempts += 1
            let (sourceType, type, targetType, _) = random.pick(rules.map { ($0, $0.3) })
            guard let sources = byType[sourceType], let targets = byType[targetType] else { continue }
            let source = random.pick(sources), target = random.pick(targets)
            guard source != target, seen.insert(UInt64(source) << 32 | UInt64(target)).inserted else { continue }
            relationRows.append([
                UUID.timeOrdered(at: time, using: &random).text, organizationID.text, ids[source].text, type, ids[target].text,
                Millis.from(time),
            ])
        }
        let (items, relations) = (itemRows, relationRows)
        try await database.transaction { db in
            try await RowInsert.run(
                "config_items",
                columns: [
                    "id", "organization_id", "external_id", "type", "name", "status", "owner_team",
                    "account_id", "attributes", "created_at", "updated_at",
                ], rows: items, on: db)
            try await RowInsert.run(
                "config_relations", columns: ["id", "organization_id", "source_id", "type", "target_id", "created_at"],
                rows: relations, on: db)
            try await CMDBRepository.bumpGeneration(organizationID, on: db)
        }
        return CMDBSummary(items: items.count, relations: relations.count)
    }
}

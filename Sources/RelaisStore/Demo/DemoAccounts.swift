import Foundation
import RelaisCore

/// Customer accounts and contacts of the demo, drawn from word lists.
enum DemoAccounts {
    static let stems = [
        "Boreal", "Helix", "Quartz", "Lumen", "Sequoia", "Atlas", "Nimbus", "Vertex", "Orion", "Cobalt",
        "Alder", "Meridian", "Solstice", "Granite", "Tidal", "Aurora", "Kestrel", "Zephyr", "Basalt", "Cedar",
    ]
    static let trades = [
        "Logistics", "Pharma", "Retail", "Energy", "Bank", "Insurance", "Foods", "Telecom", "Studios", "Health",
        "Mobility", "Textiles", "Software", "Foundry", "Travel",
    ]
    static let firstNames = [
        "Camille", "Louis", "Léa", "Hugo", "Chloé", "Noah", "Inès", "Jules", "Manon", "Arthur",
        "Sarah", "Adam", "Emma", "Gabriel", "Zoé", "Lucas", "Alice", "Nathan", "Jade", "Tom",
    ]
    static let lastNames = [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert",
    ]
    static let owners = ["claire.roux", "marc.fabre", "nadia.haddad", "paul.vidal", "sofia.costa"]

    static func make(count: Int, created: Date, random: inout SeededRandom) -> [(Account, [Contact])] {
        (0..<count).map { index in
            let name =
                "\(stems[index % stems.count]) \(trades[(index / stems.count) % trades.count])"
                + (index >= stems.count * trades.count ? " \(index / (stems.count * trades.count) + 1)" : "")
            let tier = random.pick([("strategic", 0.1), ("key", 0.25), ("standard", 0.65)])
            let segment = tier == "strategic" ? "enterprise" : random.pick([("enterprise", 0.2), ("mid-market", 0.4), ("smb", 0.4)])
            let revenueBase = ["enterprise": 2_000_000, "mid-market": 250_000, "smb": 30_000][segment] ?? 30_000
            let domain = name.lowercased().replacingOccurrences(of: " ", with: "-") + ".example"
            let account = Account(
                id: UUID(random: &random), name: name, externalID: "CRM-\(10_000 + index)", domain: domain, tier: tier,
                segment: segment, region: random.pick([("EMEA", 0.6), ("NA", 0.25), ("APAC", 0.15)]),
                owner: random.pick(owners), annualRevenue: revenueBase + Int.random(in: 0...revenueBase, using: &random),
                currency: "EUR", createdAt: created)
            let contacts = (0..<Int.random(in: 2...4, using: &random)).map { _ in
                let first = random.pick(firstNames), last = random.pick(lastNames)
                let email = "\(first).\(last)@\(domain)".lowercased().folding(options: .diacriticInsensitive, locale: nil)
                return Contact(id: UUID(random: &random), accountID: account.id, name: "\(first) \(last)", email: email, createdAt: created)
            }
            return (account, contacts)
        }
    }
}

/// The contracts, subscriptions and opportunities of the demo accounts.
enum DemoRecords {
    static let products = ["Relais Cloud", "Relais On-Premises", "Analytics add-on", "Premium support"]
    static let stages = ["qualification", "proposal", "negotiation", "won"]

    static func make(for accounts: [Account], today: Date, random: inout SeededRandom) -> [CRMRecord] {
        let todayDays = Int(today.timeIntervalSince1970 / 86_400)
        var records: [CRMRecord] = []
        for account in accounts {
            let started = CivilDate(daysSinceEpoch: todayDays - Int.random(in: 200...900, using: &random))
            var contract = CRMRecord(
                id: UUID(random: &random), kind: .contract, accountID: account.id,
                externalID: "CTR-\(account.externalID ?? account.id.text)", createdAt: account.createdAt)
            contract.name = "Service agreement"
            contract.status = "active"
            contract.startDate = started
            contract.renewalDate = CivilDate(daysSinceEpoch: todayDays + Int.random(in: 5...365, using: &random))
            contract.slaLevel = account.tier == "strategic" && random.chance(0.5) ? "premium-24x7" : "standard"
            contract.amountCents = (account.annualRevenue ?? 100_000) * 2
            contract.currency = "EUR"
            var subscription = CRMRecord(
                id: UUID(random: &random), kind: .subscription, accountID: account.id,
                externalID: "SUB-\(account.externalID ?? account.id.text)", createdAt: account.createdAt)
            subscription.product = random.pick(products)
            subscription.quantity = Int.random(in: 5...500, using: &random)
            subscription.status = random.pick([("active", 0.85), ("past_due", 0.1), ("trial", 0.05)])
            subscription.startDate = started
            records += [contract, subscription]
            if random.chance(0.3) {
                var opportunity = CRMRecord(id: UUID(random: &random), kind: .opportunity, accountID: account.id, createdAt: account.createdAt)
                opportunity.name = "Expansion"
                opportunity.stage = random.pick(stages)
                opportunity.amountCents = Int.random(in: 5_000...200_000, using: &random) * 100
                opportunity.currency = "EUR"
                opportunity.closeDate = CivilDate(daysSinceEpoch: todayDays + Int.random(in: 10...180, using: &random))
                records.append(opportunity)
            }
        }
        return records
    }
}

extension UUID {
    /// A random (version 4) UUID drawn from `random`, so seeded demo data has stable ids.
    init(random: inout SeededRandom) {
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        self = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}

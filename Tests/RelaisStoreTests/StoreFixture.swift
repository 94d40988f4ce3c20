import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport

/// An organisation with an agent, a requester and an account, on a fresh database.
struct StoreFixture {
    let database: RelaisDatabase
    let map: ProcessMap
    let organization: Organization
    let agent: Principal
    let requester: Principal
    let account: Account
    let service: TicketService

    static func make(_ database: RelaisDatabase, slug: String = "acme") async throws -> StoreFixture {
        let map = try ExampleMap.load()
        let directory = DirectoryRepository(database: database)
        let organization = try await directory.ensureOrganization(slug: slug, name: slug.capitalized)
        let agent = try await directory.addUser(organizationID: organization.id, name: "agent", email: nil, role: .agent)
        let requester = try await directory.addUser(organizationID: organization.id, name: "client", email: "client@helix.example", role: .requester)
        let account = Account(id: UUID(), name: "Helix Pharma", tier: "strategic", createdAt: Date())
        try await CRMRepository(database: database).insert(account, organizationID: organization.id)
        // The requester is a customer: a contact of the account, by their address.
        try await CRMRepository(database: database).insert(
            Contact(id: UUID(), accountID: account.id, name: "Client", email: "client@helix.example", createdAt: Date()),
            organizationID: organization.id)
        return StoreFixture(
            database: database, map: map, organization: organization, agent: agent, requester: requester,
            account: account, service: TicketService(map: map, database: database))
    }

    func draft(_ family: String = "incident", title: String = "Mail is down", severity: String? = nil, team: String? = nil) -> TicketDraft {
        TicketDraft(
            family: family, title: title, channel: "api", openedBy: "internal", impact: "medium", urgency: "medium",
            severity: severity, team: team, links: [CRMLink(kind: .account, id: account.id)])
    }

    func count(_ table: String) async throws -> Int {
        try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE organization_id = \(bind: organization.id.text)")
                .first(decodingColumn: "n", as: Int.self) ?? 0
        }
    }
}

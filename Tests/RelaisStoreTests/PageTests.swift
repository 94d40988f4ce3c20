import Foundation
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

/// Lists read by keyset know whether another page follows from one row more, never from a page
/// being full.
@Suite struct PageTests {
    @Test func aFullLastPageHasNoNextCursor() {
        let cursor = { (n: Int) in PageCursor(value: n, id: UUID().text) }
        let exact = Page(fetched: [1, 2, 3], limit: 3, cursor: cursor)
        #expect(Array(exact) == [1, 2, 3] && exact.nextCursor == nil)
        let more = Page(fetched: [1, 2, 3, 4], limit: 3, cursor: cursor)
        #expect(Array(more) == [1, 2, 3])
        #expect(more.nextCursor.flatMap(PageCursor.init(token:))?.value == 3, "the cursor is the last shown row's")
    }

    @Test(arguments: Engine.available)
    func theAuditLogIsReadPageByPageToItsEnd(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let organization = try await DirectoryRepository(database: database).ensureOrganization(slug: "acme", name: "Acme")
            let log = AuditLog(database: database)
            for number in 1...6 {
                try await log.record(
                    AuditEntry(organizationID: organization.id, actorID: nil, actor: "test", action: "page.test", target: "\(number)"))
            }
            var seen: [String] = [], cursor: UUID?, pages = 0
            repeat {
                let page = try await log.entries(organizationID: organization.id, action: "page", limit: 3, after: cursor)
                seen += page.compactMap(\.target)
                cursor = page.nextCursor.flatMap(PageCursor.init(token:)).flatMap { UUID(uuidString: $0.id) }
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen.sorted() == (1...6).map(String.init))
            #expect(pages == 2, "six entries are two pages of three, with no empty third")
        }
    }
}

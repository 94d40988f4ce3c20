import Foundation
import RelaisCore
import SQLKit

/// Queue filters a person keeps under a name: the query string of the queue page they saved.
public struct SavedFilters: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    public struct Filter: Sendable, Equatable {
        public var id: UUID
        public var name: String
        public var query: String
    }

    public func list(of user: Principal) async throws -> [Filter] {
        try await database.read { db in
            try await db.select().columns("id", "name", "query").from("saved_filters")
                .where("organization_id", .equal, user.organizationID.text).where("user_id", .equal, user.userID.text).orderBy("name").all()
        }.map { row in
            Filter(
                id: try row.uuid("id"), name: try row.decode(column: "name", as: String.self), query: try row.decode(column: "query", as: String.self)
            )
        }
    }

    /// Saves `query` under `name`, replacing the user's filter of that name.
    public func save(name: String, query: String, of user: Principal, at instant: Date) async throws -> Filter {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 80 else { throw StoreError.invalidValue(field: "name", reason: "a filter's name is 1 to 80 characters") }
        guard query.utf8.count <= 1_000 else { throw StoreError.invalidValue(field: "query", reason: "a filter is at most 1,000 characters") }
        let filter = Filter(id: UUID.timeOrdered(), name: name, query: query)
        try await database.transaction { db in
            try await RowInsert.run(
                "saved_filters", columns: ["id", "organization_id", "user_id", "name", "query", "created_at"],
                rows: [[filter.id.text, user.organizationID.text, user.userID.text, name, query, Millis.from(instant)]],
                upsertingOn: "user_id, name", updating: "query = excluded.query", on: db)
        }
        return try await list(of: user).first { $0.name == name } ?? filter
    }

    public func delete(id: UUID, of user: Principal) async throws {
        try await database.transaction { db in
            try await db.delete(from: "saved_filters").where("id", .equal, id.text).where("user_id", .equal, user.userID.text).run()
        }
    }
}

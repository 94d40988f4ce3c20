import RelaisCore
import SQLKit

/// The tickets a scope reaches, as an SQL condition on a ticket table (aliased or not).
enum AccessFilter {
    /// True for everything when the scope reaches all tickets; never an empty `IN ()`.
    static func condition(_ scope: AccessScope, table: String? = nil) -> SQLQueryString {
        let prefix = table.map { "\($0)." } ?? ""
        var condition: SQLQueryString = "1 = 1"
        if let families = scope.families {
            condition = families.isEmpty ? "1 = 0"
                : "\(condition) AND \(unsafeRaw: prefix)family IN (\(binds: families.sorted() as [any Encodable & Sendable]))"
        }
        if let teams = scope.teams {
            condition = teams.isEmpty ? "\(condition) AND \(unsafeRaw: prefix)team IS NULL"
                : "\(condition) AND (\(unsafeRaw: prefix)team IS NULL OR \(unsafeRaw: prefix)team IN (\(binds: teams.sorted() as [any Encodable & Sendable])))"
        }
        return condition
    }
}

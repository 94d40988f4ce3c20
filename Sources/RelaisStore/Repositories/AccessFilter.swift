import RelaisCore
import SQLKit

/// Which tickets a report reads: those a scope reaches, of one legal entity or brand when named.
public struct TicketCut: Sendable {
    public var scope: AccessScope
    public var entity: String?
    public var brand: String?

    public init(scope: AccessScope = .everything, entity: String? = nil, brand: String? = nil) {
        self.scope = scope
        self.entity = entity
        self.brand = brand
    }

    /// The cut as an SQL condition on the ticket table aliased `table`.
    func condition(table: String) -> SQLQueryString {
        var condition = AccessFilter.condition(scope, table: table)
        if let entity { condition = "\(condition) AND \(unsafeRaw: table).entity = \(bind: entity)" }
        if let brand { condition = "\(condition) AND \(unsafeRaw: table).brand = \(bind: brand)" }
        return condition
    }
}

/// What a scope reaches, as SQL conditions on a table (aliased or not).
enum AccessFilter {
    /// The tickets a scope reaches: true for everything when the scope reaches all tickets;
    /// never an empty `IN ()`.
    static func condition(_ scope: AccessScope, table: String? = nil) -> SQLQueryString {
        let prefix = table.map { "\($0)." } ?? ""
        var condition = entityCondition(scope, table: table)
        if let families = scope.families {
            condition =
                families.isEmpty
                ? "1 = 0"
                : "\(condition) AND \(unsafeRaw: prefix)family IN (\(binds: families.sorted() as [any Encodable & Sendable]))"
        }
        if let teams = scope.teams {
            condition =
                teams.isEmpty
                ? "\(condition) AND \(unsafeRaw: prefix)team IS NULL"
                : "\(condition) AND (\(unsafeRaw: prefix)team IS NULL OR \(unsafeRaw: prefix)team IN (\(binds: teams.sorted() as [any Encodable & Sendable])))"
        }
        return condition
    }

    /// Rows tied to an account (contacts, CRM records, signals) whose account the scope reaches by
    /// entity; rows tied to none are within reach.
    static func accountCondition(_ scope: AccessScope) -> SQLQueryString {
        guard scope.entities != nil else { return "1 = 1" }
        return "(account_id IS NULL OR account_id IN (SELECT id FROM accounts WHERE \(entityCondition(scope))))"
    }

    /// The rows of the entities a scope reaches, on any table with an `entity` column (tickets,
    /// accounts); rows of no entity count as the default entity's.
    static func entityCondition(_ scope: AccessScope, table: String? = nil) -> SQLQueryString {
        guard let entities = scope.entities else { return "1 = 1" }
        let prefix = table.map { "\($0)." } ?? ""
        let listed: SQLQueryString =
            entities.isEmpty
            ? "1 = 0"
            : "\(unsafeRaw: prefix)entity IN (\(binds: entities.sorted() as [any Encodable & Sendable]))"
        return scope.reachesNoEntity ? "(\(unsafeRaw: prefix)entity IS NULL OR \(listed))" : listed
    }
}

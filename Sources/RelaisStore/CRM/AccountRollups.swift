import Foundation
import RelaisCore
import SQLKit

/// The per-account summary the CRM receives: ticket counts by status category, family, severity
/// and category, the last ticket, and the open signals. Every ticket write adjusts it by the
/// difference it makes, in the same transaction; `recompute` rebuilds it from the tickets and
/// must always agree with it.
public struct AccountRollups: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    /// Dimensions counted per account, with the ticket column each reads.
    public static let dimensions = ["status_category", "family", "severity", "category"]
    /// Stored for a ticket without a severity or category.
    public static let none = ""

    /// What a ticket contributes to its account's summary.
    struct Contribution: Equatable, Sendable {
        var organizationID: String
        var accountID: String
        var values: [String]  // in the order of `dimensions`
        var ticketID: String
        var key: String
        var createdAt: Int

        init(_ ticket: Ticket) {
            organizationID = ticket.organizationID.text
            accountID = ticket.accountID?.text ?? ""
            values = [ticket.statusCategory.rawValue, ticket.family, ticket.severity ?? AccountRollups.none, ticket.category ?? AccountRollups.none]
            ticketID = ticket.id.text
            key = ticket.key
            createdAt = Millis.from(ticket.createdAt)
        }

        init(row: any SQLRow) throws {
            organizationID = try row.decode(column: "organization_id", as: String.self)
            accountID = try row.decode(column: "account_id", as: String?.self) ?? ""
            values = try AccountRollups.dimensions.map { try row.decode(column: $0, as: String?.self) ?? AccountRollups.none }
            ticketID = try row.decode(column: "id", as: String.self)
            key = try row.decode(column: "key", as: String.self)
            createdAt = try row.decode(column: "created_at", as: Int.self)
        }
    }

    /// The columns `Contribution(row:)` reads from `tickets`.
    static let ticketColumns = ["id", "organization_id", "account_id", "key", "created_at"] + dimensions

    /// Applies the difference between the tickets' previous contributions and their new ones.
    /// A creation has no previous contribution; a ticket without an account contributes nothing.
    static func apply(old: [Contribution], new: [Contribution], on db: any SQLDatabase) async throws {
        struct CountKey: Hashable { var organization: String, account: String, values: [String] }
        var counts: [CountKey: Int] = [:]
        var totals: [String: (organization: String, delta: Int)] = [:]
        for (contributions, sign) in [(old, -1), (new, 1)] {
            for contribution in contributions where !contribution.accountID.isEmpty {
                counts[
                    CountKey(organization: contribution.organizationID, account: contribution.accountID, values: contribution.values), default: 0] +=
                    sign
                totals[contribution.accountID, default: (contribution.organizationID, 0)].delta += sign
            }
        }
        // Sorted, so concurrent writers lock the rows they share in the same order.
        let countRows: [RowInsert.Row] = counts.filter { $0.value != 0 }
            .sorted { ([$0.key.account] + $0.key.values).lexicographicallyPrecedes([$1.key.account] + $1.key.values) }
            .map { [$0.key.organization, $0.key.account] + $0.key.values + [$0.value] }
        if !countRows.isEmpty {
            try await RowInsert.run(
                "account_rollup_counts", columns: ["organization_id", "account_id"] + dimensions + ["count"], rows: countRows,
                upsertingOn: "account_id, " + dimensions.joined(separator: ", "),
                updating: "count = account_rollup_counts.count + excluded.count", on: db)
        }
        // The newest ticket per account among the new contributions.
        var newest: [String: Contribution] = [:]
        for contribution in new where !contribution.accountID.isEmpty {
            if let current = newest[contribution.accountID], (current.createdAt, current.ticketID) >= (contribution.createdAt, contribution.ticketID)
            {
                continue
            }
            newest[contribution.accountID] = contribution
        }
        let accounts = Set(totals.keys).union(newest.keys)
        guard !accounts.isEmpty else { return }
        // Whether the incoming last ticket is newer than the stored one (time, then id).
        let newer = """
            excluded.last_ticket_at IS NOT NULL AND (account_rollups.last_ticket_at IS NULL \
            OR excluded.last_ticket_at > account_rollups.last_ticket_at \
            OR (excluded.last_ticket_at = account_rollups.last_ticket_at AND excluded.last_ticket_id > account_rollups.last_ticket_id))
            """
        let summaryRows: [RowInsert.Row] = accounts.sorted().map { account in
            let last = newest[account]
            let organization = totals[account]?.organization ?? last?.organizationID ?? ""
            return [account, organization, totals[account]?.delta ?? 0, last?.ticketID, last?.key, last?.createdAt, 0, 1]
        }
        try await RowInsert.run(
            "account_rollups",
            columns: ["account_id", "organization_id", "tickets", "last_ticket_id", "last_ticket_key", "last_ticket_at", "open_signals", "dirty"],
            rows: summaryRows, upsertingOn: "account_id",
            updating: """
                tickets = account_rollups.tickets + excluded.tickets, dirty = 1,
                last_ticket_id = CASE WHEN \(newer) THEN excluded.last_ticket_id ELSE account_rollups.last_ticket_id END,
                last_ticket_key = CASE WHEN \(newer) THEN excluded.last_ticket_key ELSE account_rollups.last_ticket_key END,
                last_ticket_at = CASE WHEN \(newer) THEN excluded.last_ticket_at ELSE account_rollups.last_ticket_at END
                """,
            on: db)
        // A ticket that left an account may have been its last one: look that account's last ticket up again.
        for contribution in old
        where !contribution.accountID.isEmpty
            && !new.contains(where: { $0.ticketID == contribution.ticketID && $0.accountID == contribution.accountID })
        {
            try await refreshLastTicket(account: contribution.accountID, organization: contribution.organizationID, on: db)
        }
    }

    static func refreshLastTicket(account: String, organization: String, on db: any SQLDatabase) async throws {
        let last = try await db.select().columns("id", "key", "created_at").from("tickets")
            .where("organization_id", .equal, organization).where("account_id", .equal, account)
            .orderBy("created_at", .descending).orderBy("id", .descending).limit(1).first()
        try await db.update("account_rollups")
            .set("last_ticket_id", to: try last?.decode(column: "id", as: String.self))
            .set("last_ticket_key", to: try last?.decode(column: "key", as: String.self))
            .set("last_ticket_at", to: try last?.decode(column: "created_at", as: Int.self))
            .where("account_id", .equal, account).run()
    }

    /// Applies one ticket's change to the summaries in a transaction of its own: what every ticket
    /// write does inside its transaction, on its own for measuring it.
    public func record(change old: Ticket?, to new: Ticket) async throws {
        try await database.transaction { db in
            try await Self.apply(old: old.map { [Contribution($0)] } ?? [], new: [Contribution(new)], on: db)
        }
    }

    /// What a recomputation found.
    public struct Recomputation: Sendable, Equatable {
        /// Accounts with tickets.
        public var accounts: Int
        /// Counts the incremental path had wrong, missing or extra (0 when it kept up).
        public var corrected: Int
    }

    /// Rebuilds every account's summary of an organisation from its tickets and open signals,
    /// rewriting only what differs, and says how much did. Signals are not re-evaluated for it.
    @discardableResult
    public func recompute(organizationID: UUID) async throws -> Recomputation {
        let organization = organizationID.text
        let keys = ["account_id"] + Self.dimensions
        let grouped = Self.dimensions.map { $0 == "severity" || $0 == "category" ? "COALESCE(\($0), '')" : $0 }.joined(separator: ", ")
        let freshMatchesStored = keys.map { "f.\($0) = account_rollup_counts.\($0)" }.joined(separator: " AND ")
        let storedMatchesFresh = keys.map { "c.\($0) = f.\($0)" }.joined(separator: " AND ")
        return try await database.transaction { db in
            try await db.raw(
                """
                CREATE TEMPORARY TABLE fresh_rollup_counts (account_id TEXT NOT NULL, status_category TEXT NOT NULL, family TEXT NOT NULL,
                    severity TEXT NOT NULL, category TEXT NOT NULL, count BIGINT NOT NULL,
                    PRIMARY KEY (account_id, status_category, family, severity, category))
                """
            ).run()
            // On SQLite, grouped on the raw columns in the order of `index_tickets_on_account_summary`,
            // so the groups stream out of the index without reading the tickets or sorting (a missing
            // value and an empty one land on the same key and are added up). PostgreSQL hashes the
            // groups and takes the stored form directly.
            let columns = Self.dimensions.joined(separator: ", ")
            if database.kind == .sqlite {
                try await db.raw(
                    """
                    INSERT INTO fresh_rollup_counts (account_id, \(unsafeRaw: columns), count)
                    SELECT account_id, \(unsafeRaw: grouped), COUNT(*) FROM tickets
                    WHERE organization_id = \(bind: organization) AND account_id IS NOT NULL
                    GROUP BY account_id, \(unsafeRaw: columns)
                    ON CONFLICT (account_id, \(unsafeRaw: columns)) DO UPDATE SET count = fresh_rollup_counts.count + excluded.count
                    """
                ).run()
            } else {
                try await db.raw(
                    """
                    INSERT INTO fresh_rollup_counts (account_id, \(unsafeRaw: columns), count)
                    SELECT account_id, \(unsafeRaw: grouped), COUNT(*) FROM tickets
                    WHERE organization_id = \(bind: organization) AND account_id IS NOT NULL
                    GROUP BY account_id, \(unsafeRaw: grouped)
                    """
                ).run()
            }
            // Only rows that differ are rewritten; rows left at zero by tickets that moved go too.
            let removed = try await db.raw(
                """
                DELETE FROM account_rollup_counts WHERE organization_id = \(bind: organization) AND NOT EXISTS (
                    SELECT 1 FROM fresh_rollup_counts f WHERE \(unsafeRaw: freshMatchesStored) AND f.count = account_rollup_counts.count)
                RETURNING \(unsafeRaw: keys.joined(separator: ", ")), count
                """
            ).all().filter { try $0.decode(column: "count", as: Int.self) != 0 }
                .map { row in try keys.map { try row.decode(column: $0, as: String.self) } }
            let added = try await db.raw(
                """
                INSERT INTO account_rollup_counts (organization_id, \(unsafeRaw: keys.joined(separator: ", ")), count)
                SELECT \(bind: organization), \(unsafeRaw: keys.map { "f.\($0)" }.joined(separator: ", ")), f.count FROM fresh_rollup_counts f
                WHERE NOT EXISTS (SELECT 1 FROM account_rollup_counts c WHERE \(unsafeRaw: storedMatchesFresh))
                RETURNING \(unsafeRaw: keys.joined(separator: ", "))
                """
            ).all().map { row in try keys.map { try row.decode(column: $0, as: String.self) } }
            // Totals, last tickets and open signals per account; `dirty` is kept as it is.
            try await db.raw(
                """
                INSERT INTO account_rollups (account_id, organization_id, tickets, last_ticket_id, last_ticket_key, last_ticket_at, open_signals, dirty)
                SELECT totals.account_id, \(bind: organization), totals.tickets, last.id, last.key, last.created_at,
                       (SELECT COUNT(*) FROM signals WHERE signals.account_id = totals.account_id AND signals.status = 'open'), 0
                FROM (SELECT account_id, SUM(count) AS tickets FROM fresh_rollup_counts GROUP BY account_id) AS totals
                LEFT JOIN tickets AS last ON last.id = (
                    SELECT id FROM tickets WHERE organization_id = \(bind: organization) AND account_id = totals.account_id
                    ORDER BY created_at DESC, id DESC LIMIT 1)
                ON CONFLICT (account_id) DO UPDATE SET tickets = excluded.tickets, last_ticket_id = excluded.last_ticket_id,
                    last_ticket_key = excluded.last_ticket_key, last_ticket_at = excluded.last_ticket_at, open_signals = excluded.open_signals
                """
            ).run()
            try await db.raw(
                """
                UPDATE account_rollups SET tickets = 0, last_ticket_id = NULL, last_ticket_key = NULL, last_ticket_at = NULL,
                    open_signals = (SELECT COUNT(*) FROM signals WHERE signals.account_id = account_rollups.account_id AND signals.status = 'open')
                WHERE organization_id = \(bind: organization)
                  AND NOT EXISTS (SELECT 1 FROM fresh_rollup_counts f WHERE f.account_id = account_rollups.account_id)
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO account_rollups (account_id, organization_id, tickets, open_signals, dirty)
                SELECT account_id, organization_id, 0, COUNT(*), 0 FROM signals
                WHERE organization_id = \(bind: organization) AND status = 'open' AND account_id IS NOT NULL
                  AND account_id NOT IN (SELECT account_id FROM account_rollups WHERE organization_id = \(bind: organization))
                GROUP BY account_id, organization_id
                """
            ).run()
            let accounts =
                try await db.raw("SELECT COUNT(DISTINCT account_id) AS n FROM fresh_rollup_counts").first(decodingColumn: "n", as: Int.self) ?? 0
            try await db.raw("DROP TABLE fresh_rollup_counts").run()
            return Recomputation(
                accounts: accounts, corrected: Set(removed.map { $0.joined(separator: "|") }).union(added.map { $0.joined(separator: "|") }).count)
        }
    }

    /// One account's summary as stored.
    public struct Summary: Sendable, Equatable {
        public var accountID: UUID
        public var tickets: Int
        public var lastTicketKey: String?
        public var lastTicketAt: Date?
        public var openSignals: Int
        /// Counts by dimension, then value; tickets without a severity or category count under "".
        public var counts: [String: [String: Int]]
        /// Tickets not closed whose issue in a developers' tracker is open and not fixed yet.
        public var awaitingFix = 0
        /// Tickets whose developers' fix shipped.
        public var fixShipped = 0
    }

    public func summary(organizationID: UUID, accountID: UUID) async throws -> Summary {
        try await database.read { db in try await Self.summary(organizationID: organizationID, accountID: accountID, on: db) }
    }

    static func summary(organizationID: UUID, accountID: UUID, on db: any SQLDatabase) async throws -> Summary {
        let row = try await db.select().columns("tickets", "last_ticket_key", "last_ticket_at", "open_signals").from("account_rollups")
            .where("organization_id", .equal, organizationID.text).where("account_id", .equal, accountID.text).first()
        var summary = Summary(
            accountID: accountID, tickets: try row?.decode(column: "tickets", as: Int.self) ?? 0,
            lastTicketKey: try row?.decode(column: "last_ticket_key", as: String?.self),
            lastTicketAt: try row?.decode(column: "last_ticket_at", as: Int?.self).map(Millis.date),
            openSignals: try row?.decode(column: "open_signals", as: Int.self) ?? 0, counts: [:])
        for row in try await db.select().columns((Self.dimensions + ["count"]).map { SQLColumn($0) }).from("account_rollup_counts")
            .where("organization_id", .equal, organizationID.text).where("account_id", .equal, accountID.text).all()
        {
            let count = try row.decode(column: "count", as: Int.self)
            guard count != 0 else { continue }
            for dimension in Self.dimensions {
                summary.counts[dimension, default: [:]][try row.decode(column: dimension, as: String.self), default: 0] += count
            }
        }
        // Read from the escalations at each call: few tickets go to developers, and a tracker's
        // webhook marks the accounts it touches dirty, so the summary is published again.
        if let row = try await db.raw(
            """
            SELECT COUNT(DISTINCT CASE WHEN e.fixed_at IS NULL AND t.status_category <> 'closed' THEN t.id END) AS awaiting,
                   COUNT(DISTINCT CASE WHEN e.fixed_at IS NOT NULL THEN t.id END) AS shipped
            FROM escalation_tickets et JOIN escalations e ON e.id = et.escalation_id JOIN tickets t ON t.id = et.ticket_id
            WHERE et.organization_id = \(bind: organizationID.text) AND t.account_id = \(bind: accountID.text) AND e.status = 'open'
            """
        ).first() {
            summary.awaitingFix = try row.decode(column: "awaiting", as: Int.self)
            summary.fixShipped = try row.decode(column: "shipped", as: Int.self)
        }
        return summary
    }

    /// Writes `relais.account.rollup_changed` to the outbox when the account's summary differs from
    /// the one last published (the comparison is on the event's data, so a comment that changes
    /// no count publishes nothing). Returns whether it published.
    @discardableResult
    static func publish(organizationID: UUID, accountID: UUID, at instant: Date, on db: any SQLDatabase) async throws -> Bool {
        guard
            let row = try await db.select().columns("published_summary", "published_sequence").from("account_rollups")
                .where("account_id", .equal, accountID.text).first()
        else { return false }
        let data = try await summary(organizationID: organizationID, accountID: accountID, on: db).eventData
        let text = JSONText.encode(data.mapValues { $0 ?? "" })
        guard try row.decode(column: "published_summary", as: String?.self) != text else { return false }
        let sequence = try row.decode(column: "published_sequence", as: Int.self) + 1
        let id = UUID.timeOrdered(at: instant)
        let type = "relais.account.rollup_changed"
        let event = CloudEvent(
            id: id, organizationID: organizationID, type: type, subject: accountID.text, time: instant, sequence: sequence, data: data)
        try await RowInsert.run(
            "outbox", columns: TicketHistoryRows.outboxColumns,
            rows: [[id.text, organizationID.text, type, accountID.text, sequence, JSONText.encode(event), Millis.from(instant)]], on: db)
        try await db.update("account_rollups").set("published_summary", to: text).set("published_sequence", to: sequence)
            .where("account_id", .equal, accountID.text).run()
        return true
    }

    /// Every account's summary of an organisation, for comparing the incremental path with a recomputation.
    public func all(organizationID: UUID) async throws -> [UUID: Summary] {
        let ids = try await database.read { db in
            try await db.select().column("account_id").from("account_rollups").where("organization_id", .equal, organizationID.text).all()
                .map { try $0.decode(column: "account_id", as: String.self) }
        }
        var result: [UUID: Summary] = [:]
        for id in ids.compactMap(UUID.init(uuidString:)) {
            let summary = try await summary(organizationID: organizationID, accountID: id)
            // An account whose tickets all moved elsewhere keeps an empty row; a recomputation has none.
            if summary.tickets > 0 || summary.openSignals > 0 { result[id] = summary }
        }
        return result
    }
}

extension AccountRollups.Summary {
    /// The summary as `relais.account.rollup_changed` carries it: totals, the last ticket, and one
    /// `dimension.value` entry per count (`severity.none` for tickets without one).
    public var eventData: [String: String?] {
        var data: [String: String?] = [
            "account_id": accountID.text, "tickets": String(tickets), "open_signals": String(openSignals),
            "last_ticket": lastTicketKey,
        ]
        if awaitingFix > 0 { data["developers.awaiting_fix"] = String(awaitingFix) }
        if fixShipped > 0 { data["developers.fix_shipped"] = String(fixShipped) }
        for (dimension, values) in counts {
            for (value, count) in values where count != 0 {
                data["\(dimension).\(value.isEmpty ? "none" : value)"] = String(count)
            }
        }
        return data
    }
}

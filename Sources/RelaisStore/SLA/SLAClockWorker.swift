import Foundation
import Logging
import RelaisCore
import SQLKit

/// Records SLA warnings and breaches when they fall due, and carries out the escalation the
/// policy asks for. It reads only the rows whose next check has come (an index on
/// `next_check_at`), records each warning and breach once (the row keeps what was recorded, in
/// the same transaction), and on PostgreSQL leases rows with `FOR UPDATE SKIP LOCKED`, so any
/// number of `relais serve` processes can run it over one database.
public struct SLAClockWorker: Sendable {
    public let database: RelaisDatabase
    public let tracker: SLATracker
    let now: @Sendable () -> Date
    static let actor = TicketRepository.Actor(id: nil, name: "sla")

    public init(database: RelaisDatabase, tracker: SLATracker, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.tracker = tracker
        self.now = now
    }

    /// Checks until the task is cancelled, `interval` apart when nothing is due.
    public func run(every interval: Duration = .seconds(1), logger: Logger = Logger(label: "relais.sla")) async {
        while !Task.isCancelled {
            do {
                let handled = try await runOnce(logger: logger)
                if handled > 0 { continue }
            } catch {
                logger.warning("SLA clock: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Handles up to `limit` tickets whose check has come; returns how many.
    @discardableResult
    public func runOnce(limit: Int = 100, logger: Logger = Logger(label: "relais.sla")) async throws -> Int {
        let instant = Int64(Millis.from(now()))
        do {
            return try await database.transaction { db in
                let ids = try await due(limit: limit, at: instant, on: db)
                for id in ids { try await handle(id, on: db, now: instant) }
                return ids.count
            }
        } catch let error as StoreError where error.isUnavailable {
            throw error
        } catch {
            // A ticket the clock cannot handle must not hold up the others: take them one at a
            // time, and put off for a minute the one that fails.
            let ids = try await database.read { db in try await due(limit: limit, at: instant, on: db, lease: false) }
            for id in ids {
                do {
                    try await database.transaction { db in
                        guard try await due(id, at: instant, on: db) else { return }
                        try await handle(id, on: db, now: instant)
                    }
                } catch {
                    logger.warning("SLA clock: ticket \(id) put off for a minute: \(error)")
                    try await database.transaction { db in
                        try await db.update("ticket_sla").set("next_check_at", to: SQLBind(Int(instant) + 60_000)).where("ticket_id", .equal, id)
                            .run()
                    }
                }
            }
            return ids.count
        }
    }

    /// The tickets whose check has come, leased (see `leasing`) so that other processes skip them.
    func due(limit: Int, at instant: Int64, on db: any SQLDatabase, lease: Bool = true) async throws -> [String] {
        let query = db.select().column("ticket_id").from("ticket_sla").where("next_check_at", .lessThanOrEqual, Int(instant))
            .orderBy("next_check_at").limit(limit)
        return try await (lease ? query.leasing() : query).all(decodingColumn: "ticket_id", as: String.self)
    }

    /// Leases one ticket whose check has come; false when it is not due any more or another process holds it.
    func due(_ id: String, at instant: Int64, on db: any SQLDatabase) async throws -> Bool {
        try await db.select().column("ticket_id").from("ticket_sla")
            .where("ticket_id", .equal, id).where("next_check_at", .lessThanOrEqual, Int(instant)).leasing().first() != nil
    }

    func handle(_ id: String, on db: any SQLDatabase, now: Int64) async throws {
        guard let ticket = try await TicketRow.select(on: db).where("id", .equal, id).first().map(TicketRow.decode) else {
            try await db.delete(from: "ticket_sla").where("ticket_id", .equal, id).run()
            return
        }
        let (evaluated, stored) = try await tracker.evaluate([ticket], on: db, now: now)
        let fresh = evaluated[id].map { result in result.state.firings.filter { !result.fired.contains($0.key) } } ?? []
        guard let policy = evaluated[id]?.applied.policy, !fresh.isEmpty else {
            // Nothing new to record: only the next check moves.
            try await tracker.write([ticket], evaluated, stored: stored, on: db, now: now)
            return
        }
        var changed = ticket
        var owner: String?
        if let account = ticket.accountID, fresh.contains(where: { policy.escalation(for: $0.kind).notify.contains("account_owner") }) {
            owner = try await CRMRepository(database: database).account(organizationID: ticket.organizationID, id: account)?.owner
        }
        let changes = TicketRules.recordSLA(
            fresh, policy: policy, on: &changed, map: tracker.engine.map, accountOwner: owner, now: Millis.date(Int(now)))
        try await TicketRepository.write(changed, changes: changes, actor: Self.actor, on: db)
        try await tracker.refresh([changed], on: db, now: now, fired: [id: Set(fresh.map(\.key))])
    }
}

extension StoreError {
    /// The database itself failed: retrying ticket by ticket would not help.
    var isUnavailable: Bool { if case .unavailable = self { true } else { false } }
}

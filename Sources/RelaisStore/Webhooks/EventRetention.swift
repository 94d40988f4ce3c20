import Foundation
import Logging
import SQLKit

/// Removes, once older than the retention, what only served to tell the outside world: delivered
/// webhook deliveries, tries (except those of dead letters, which explain them), and outbox events
/// no delivery needs any more (an event with a pending or dead delivery stays, to be sent or
/// replayed). Tickets' history (`ticket_events`) is never touched. Deletes go a chunk at a time,
/// so no transaction holds the writer long; several processes may run it at once.
public struct EventRetention: Sendable {
    public let database: RelaisDatabase
    /// How long what was sent is kept; at least a day.
    public let retention: TimeInterval
    let now: @Sendable () -> Date

    public init(database: RelaisDatabase, retention: TimeInterval, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.retention = max(retention, 86_400)
        self.now = now
    }

    /// What one pass removed.
    public struct Removed: Sendable, Equatable {
        public var attempts = 0
        public var deliveries = 0
        public var events = 0
        public init(attempts: Int = 0, deliveries: Int = 0, events: Int = 0) {
            self.attempts = attempts
            self.deliveries = deliveries
            self.events = events
        }
    }

    /// One pass over everything older than the retention.
    @discardableResult
    public func prune(chunk: Int = 1_000) async throws -> Removed {
        let cutoff = Millis.from(now().addingTimeInterval(-retention))
        var removed = Removed()
        removed.attempts = try await deleteAll(chunk: chunk) { limit in
            """
            DELETE FROM webhook_attempts WHERE id IN (
                SELECT a.id FROM webhook_attempts a WHERE a.attempted_at < \(bind: cutoff)
                AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = a.delivery_id AND d.status = 'dead')
                LIMIT \(bind: limit)) RETURNING id
            """
        }
        removed.deliveries = try await deleteAll(chunk: chunk) { limit in
            """
            DELETE FROM webhook_deliveries WHERE id IN (
                SELECT id FROM webhook_deliveries WHERE status = 'delivered' AND delivered_at < \(bind: cutoff) LIMIT \(bind: limit)) RETURNING id
            """
        }
        // Handed to the deliveries (`delivered_at`), and no delivery of it left.
        removed.events = try await deleteAll(chunk: chunk) { limit in
            """
            DELETE FROM outbox WHERE id IN (
                SELECT o.id FROM outbox o WHERE o.created_at < \(bind: cutoff) AND o.delivered_at IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = o.id)
                LIMIT \(bind: limit)) RETURNING id
            """
        }
        return removed
    }

    /// Runs `statement` (a `DELETE … RETURNING` of at most `limit` rows) until it removes nothing.
    func deleteAll(chunk: Int, _ statement: (Int) -> SQLQueryString) async throws -> Int {
        var total = 0
        while true {
            let query = statement(chunk)
            let count = try await database.transaction { db in try await db.raw(query).all().count }
            total += count
            if count < chunk { return total }
        }
    }

    /// Prunes until the task is cancelled, `interval` apart.
    public func run(every interval: Duration = .seconds(3_600), logger: Logger) async {
        while !Task.isCancelled {
            do {
                let removed = try await prune()
                if removed != Removed() {
                    logger.info(
                        "retention: removed \(removed.events) events, \(removed.deliveries) deliveries and \(removed.attempts) tries older than \(Int(retention / 86_400)) days"
                    )
                }
            } catch {
                logger.warning("retention: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }
}

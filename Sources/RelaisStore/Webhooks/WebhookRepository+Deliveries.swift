import Foundation
import RelaisCore
import SQLKit

/// Deliveries: taken by a dispatcher, recorded with each try, read and replayed.
extension WebhookRepository {
    // MARK: Taking and recording deliveries

    /// Takes up to `limit` due deliveries for `owner` until `leaseUntil`: each the earliest pending
    /// event of its subject for its endpoint, on an active endpoint, not held by another lease.
    public func claim(owner: String, limit: Int, at time: Date, leaseUntil: Date) async throws -> [ClaimedDelivery] {
        let now = Millis.from(time)
        return try await database.transaction { db in
            let lock = database.kind == .postgres ? " FOR UPDATE OF d SKIP LOCKED" : ""
            var query = SQLQueryString(
                """
                SELECT d.id, d.organization_id, d.endpoint_id, d.event_id, d.subject, d.sequence, d.attempts, e.url, e.secret, e.previous_secret,
                e.previous_secret_expires_at, o.payload
                FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN outbox o ON o.id = d.event_id
                WHERE d.status = 'pending' AND d.next_attempt_at <= \(bind: now) AND (d.lease_until IS NULL OR d.lease_until < \(bind: now))
                AND e.active = 1
                AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id AND p.subject = d.subject
                    AND p.status = 'pending' AND (p.event_time < d.event_time OR (p.event_time = d.event_time AND p.sequence < d.sequence)))
                ORDER BY d.next_attempt_at, d.event_time, d.sequence LIMIT \(bind: limit)
                """)
            query.appendLiteral(lock)
            let rows = try await db.raw(query).all()
            guard !rows.isEmpty else { return [] }
            var claimed: [ClaimedDelivery] = []
            claimed.reserveCapacity(rows.count)
            for row in rows {
                var stored = [try row.decode(column: "secret", as: String.self)]
                if let previous = try row.decode(column: "previous_secret", as: String?.self),
                    let until = try row.decode(column: "previous_secret_expires_at", as: Int?.self), until > now
                {
                    stored.append(previous)
                }
                // A secret that cannot be opened (no key, another key) signs nothing: the
                // delivery fails with the reason instead.
                let secrets = stored.compactMap { value in SecretBox.isSealed(value) ? self.secrets?.open(value) : value }
                claimed.append(
                    ClaimedDelivery(
                        id: try row.uuid("id"), organizationID: try row.decode(column: "organization_id", as: String.self),
                        endpointID: try row.uuid("endpoint_id"), url: try row.decode(column: "url", as: String.self),
                        eventID: try row.decode(column: "event_id", as: String.self), subject: try row.decode(column: "subject", as: String.self),
                        sequence: try row.decode(column: "sequence", as: Int.self), attempts: try row.decode(column: "attempts", as: Int.self),
                        payload: try row.decode(column: "payload", as: String.self), secrets: secrets))
            }
            for chunk in stride(from: 0, to: claimed.count, by: 1_000) {
                try await db.update("webhook_deliveries").set("lease_owner", to: owner).set("lease_until", to: Millis.from(leaseUntil))
                    .where("id", .in, claimed[chunk..<min(chunk + 1_000, claimed.count)].map(\.id.text)).run()
            }
            return claimed
        }
    }

    /// Records the answers of a batch: every try in the log; a delivered event done; a failure
    /// retried by `schedule` or, after the last try, dead; a 410 dead with its endpoint disabled.
    /// A delivery whose lease `owner` lost meanwhile is left to the process that holds it now.
    public func record(
        _ reports: [DeliveryReport], owner: String, schedule: RetrySchedule,
        random: @Sendable () -> Double = { Double.random(in: 0..<1) }, at time: Date
    ) async throws {
        guard !reports.isEmpty else { return }
        let now = Millis.from(time)
        try await database.transaction { db in
            let held = Set(
                try await db.select().column("id").from("webhook_deliveries")
                    .where("id", .in, reports.map(\.delivery.id.text)).where("lease_owner", .equal, owner).all()
                    .map { try $0.decode(column: "id", as: String.self) })
            let mine = reports.filter { held.contains($0.delivery.id.text) }
            try await RowInsert.run(
                "webhook_attempts",
                columns: [
                    "id", "organization_id", "endpoint_id", "delivery_id", "event_id", "attempt", "attempted_at", "duration_ms", "status_code",
                    "error",
                ],
                rows: mine.map { report in
                    [
                        UUID.timeOrdered(at: report.attemptedAt).text, report.delivery.organizationID, report.delivery.endpointID.text,
                        report.delivery.id.text, report.delivery.eventID, report.delivery.attempts + 1, Millis.from(report.attemptedAt),
                        report.durationMilliseconds, report.statusCode, report.error.map { String($0.prefix(500)) },
                    ]
                }, on: db)
            // Successes with the same status code are recorded by one statement.
            var delivered: [Int: [String]] = [:]
            for report in mine where report.outcome == .delivered { delivered[report.statusCode ?? 200, default: []].append(report.delivery.id.text) }
            for (code, ids) in delivered {
                for chunk in stride(from: 0, to: ids.count, by: 1_000) {
                    try await db.raw(
                        """
                        UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = \(bind: now),
                        last_status_code = \(bind: code), last_error = NULL, lease_owner = NULL, lease_until = NULL
                        WHERE id IN (\(binds: Array(ids[chunk..<min(chunk + 1_000, ids.count)])))
                        """
                    ).run()
                }
            }
            for report in mine {
                let attempt = report.delivery.attempts + 1
                switch report.outcome {
                case .delivered: continue
                case .gone:
                    try await markDead(report, reason: "the endpoint answered 410 Gone", at: now, on: db)
                    try await db.update("webhook_endpoints").set("active", to: 0)
                        .set("disabled_reason", to: "answered 410 Gone at \(CloudEvent.timestamp(time))").set("updated_at", to: now)
                        .where("id", .equal, report.delivery.endpointID.text).run()
                case let .failed(reason, retryAfter):
                    guard let next = schedule.nextAttempt(after: attempt, at: time, random: random(), retryAfter: retryAfter) else {
                        try await markDead(report, reason: "\(reason) on the last of \(attempt) tries", at: now, on: db)
                        continue
                    }
                    try await db.raw(
                        """
                        UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = \(bind: Millis.from(next)),
                        last_status_code = \(bind: report.statusCode), last_error = \(bind: String(reason.prefix(500))),
                        lease_owner = NULL, lease_until = NULL WHERE id = \(bind: report.delivery.id.text)
                        """
                    ).run()
                }
            }
        }
    }

    func markDead(_ report: DeliveryReport, reason: String, at now: Int, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE webhook_deliveries SET status = 'dead', attempts = attempts + 1, dead_at = \(bind: now),
            last_status_code = \(bind: report.statusCode), last_error = \(bind: String(reason.prefix(500))),
            lease_owner = NULL, lease_until = NULL WHERE id = \(bind: report.delivery.id.text)
            """
        ).run()
    }

    // MARK: Reading and replaying

    /// Deliveries of an endpoint, newest first, optionally of one status.
    public func deliveries(
        endpointID: UUID, organizationID: UUID, status: WebhookDelivery.Status?, limit: Int,
        before cursor: String?
    ) async throws -> Page<WebhookDelivery> {
        let fetched = try await database.read { db in
            var select = db.select().columns(Self.deliveryColumns.map { SQLColumn($0) }).from("webhook_deliveries")
                .where("organization_id", .equal, organizationID.text).where("endpoint_id", .equal, endpointID.text)
            if let status { select = select.where("status", .equal, status.rawValue) }
            if let cursor { select = select.where("id", .lessThan, cursor) }
            return try await select.orderBy("id", .descending).limit(limit + 1).all().map(Self.decodeDelivery)
        }
        return Page(fetched: fetched, limit: limit) { PageCursor(value: 0, id: $0.id.text) }
    }

    /// Dead deliveries of the organisation, newest first, optionally of one endpoint and within a
    /// range of death times.
    public func deadLetters(
        organizationID: UUID, endpointID: UUID?, from: Date?, to: Date?, limit: Int,
        before cursor: String?
    ) async throws -> Page<WebhookDelivery> {
        let fetched = try await database.read { db in
            var select = db.select().columns(Self.deliveryColumns.map { SQLColumn($0) }).from("webhook_deliveries")
                .where("organization_id", .equal, organizationID.text).where("status", .equal, "dead")
            if let endpointID { select = select.where("endpoint_id", .equal, endpointID.text) }
            if let from { select = select.where("dead_at", .greaterThanOrEqual, Millis.from(from)) }
            if let to { select = select.where("dead_at", .lessThan, Millis.from(to)) }
            if let cursor { select = select.where("id", .lessThan, cursor) }
            return try await select.orderBy("id", .descending).limit(limit + 1).all().map(Self.decodeDelivery)
        }
        return Page(fetched: fetched, limit: limit) { PageCursor(value: 0, id: $0.id.text) }
    }

    public func delivery(_ id: UUID, organizationID: UUID) async throws -> WebhookDelivery? {
        try await database.read { db in
            try await db.select().columns(Self.deliveryColumns.map { SQLColumn($0) }).from("webhook_deliveries")
                .where("organization_id", .equal, organizationID.text).where("id", .equal, id.text).first().map(Self.decodeDelivery)
        }
    }

    /// Puts dead deliveries back in line with a fresh set of tries: one by id, or every one of an
    /// endpoint (or of all) that died within a range. Returns how many.
    public func replay(
        organizationID: UUID, id: UUID? = nil, endpointID: UUID? = nil, from: Date? = nil, to: Date? = nil,
        at time: Date
    ) async throws -> Int {
        try await database.transaction { db in
            var query = SQLQueryString(
                """
                UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = \(bind: Millis.from(time)),
                dead_at = NULL, lease_owner = NULL, lease_until = NULL
                WHERE organization_id = \(bind: organizationID.text) AND status = 'dead'
                """)
            if let id { query.appendInterpolation(SQLQueryString(" AND id = \(bind: id.text)")) }
            if let endpointID { query.appendInterpolation(SQLQueryString(" AND endpoint_id = \(bind: endpointID.text)")) }
            if let from { query.appendInterpolation(SQLQueryString(" AND dead_at >= \(bind: Millis.from(from))")) }
            if let to { query.appendInterpolation(SQLQueryString(" AND dead_at < \(bind: Millis.from(to))")) }
            query.appendLiteral(" RETURNING id")
            return try await db.raw(query).all().count
        }
    }

    /// The tries made for an endpoint, newest first.
    public func attempts(endpointID: UUID, organizationID: UUID, limit: Int, before cursor: String?) async throws -> Page<WebhookAttempt> {
        let fetched = try await database.read { db in
            var select = db.select().columns("id", "delivery_id", "event_id", "attempt", "attempted_at", "duration_ms", "status_code", "error")
                .from("webhook_attempts").where("organization_id", .equal, organizationID.text).where("endpoint_id", .equal, endpointID.text)
            if let cursor { select = select.where("id", .lessThan, cursor) }
            return try await select.orderBy("id", .descending).limit(limit + 1).all().map { row in
                WebhookAttempt(
                    id: try row.uuid("id"), deliveryID: try row.uuid("delivery_id"), eventID: try row.decode(column: "event_id", as: String.self),
                    attempt: try row.decode(column: "attempt", as: Int.self),
                    attemptedAt: Millis.date(try row.decode(column: "attempted_at", as: Int.self)),
                    durationMilliseconds: try row.decode(column: "duration_ms", as: Int.self),
                    statusCode: try row.decode(column: "status_code", as: Int?.self), error: try row.decode(column: "error", as: String?.self))
            }
        }
        return Page(fetched: fetched, limit: limit) { PageCursor(value: 0, id: $0.id.text) }
    }

    static func decodeDelivery(_ row: any SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.uuid("id"), endpointID: try row.uuid("endpoint_id"), eventID: try row.decode(column: "event_id", as: String.self),
            type: try row.decode(column: "type", as: String.self), subject: try row.decode(column: "subject", as: String.self),
            sequence: try row.decode(column: "sequence", as: Int.self),
            status: WebhookDelivery.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            attempts: try row.decode(column: "attempts", as: Int.self),
            nextAttemptAt: Millis.date(try row.decode(column: "next_attempt_at", as: Int.self)),
            lastStatusCode: try row.decode(column: "last_status_code", as: Int?.self),
            lastError: try row.decode(column: "last_error", as: String?.self),
            createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)),
            deliveredAt: try row.decode(column: "delivered_at", as: Int?.self).map(Millis.date),
            deadAt: try row.decode(column: "dead_at", as: Int?.self).map(Millis.date))
    }
}

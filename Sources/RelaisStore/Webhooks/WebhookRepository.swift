import Foundation
import RelaisCore
import SQLKit

/// Webhook endpoints, and the deliveries of outbox events to them.
///
/// The outbox is turned into deliveries (one per event and matching endpoint) by one process at a
/// time; deliveries are then taken in batches under a lease, sent, and their answers recorded.
/// Several processes on one PostgreSQL take disjoint batches (`FOR UPDATE SKIP LOCKED`), and a
/// delivery waits while an earlier event of the same subject for the same endpoint is pending, so
/// each endpoint first receives a subject's events in their order.
public struct WebhookRepository: Sendable {
    public let database: RelaisDatabase
    /// Seals signing secrets before they are written and opens them when deliveries are claimed.
    public let secrets: SecretBox?

    public init(database: RelaisDatabase, secrets: SecretBox? = nil) {
        self.database = database
        self.secrets = secrets
    }

    /// `secret` as it is written: sealed. Without a key there is nowhere safe to keep it.
    func stored(_ secret: String) throws -> String {
        guard let secrets else {
            throw StoreError.missingSetting(
                "\(SecretBox.variable) is not set on the server: webhook signing secrets are only kept encrypted, so no endpoint can be added or rotated until it is"
            )
        }
        return try secrets.seal(secret)
    }

    /// Seals the secrets written before encryption (or before a key was given); returns how many.
    @discardableResult
    public func sealClearSecrets() async throws -> Int {
        guard let secrets else { return 0 }
        return try await database.transaction { db in
            let rows = try await db.select().columns("id", "secret", "previous_secret").from("webhook_endpoints").all()
            var sealed = 0
            for row in rows {
                let id = try row.decode(column: "id", as: String.self)
                let secret = try row.decode(column: "secret", as: String.self)
                let previous = try row.decode(column: "previous_secret", as: String?.self)
                guard !SecretBox.isSealed(secret) || previous.map({ !SecretBox.isSealed($0) }) == true else { continue }
                try await db.update("webhook_endpoints")
                    .set("secret", to: SecretBox.isSealed(secret) ? secret : try secrets.seal(secret))
                    .set("previous_secret", to: try previous.map { SecretBox.isSealed($0) ? $0 : try secrets.seal($0) })
                    .where("id", .equal, id).run()
                sealed += 1
            }
            return sealed
        }
    }

    static let endpointColumns = [
        "id", "url", "description", "event_types", "active", "disabled_reason",
        "previous_secret_expires_at", "created_by", "created_at", "updated_at",
    ]
    static let deliveryColumns = [
        "id", "endpoint_id", "event_id", "type", "subject", "sequence", "status", "attempts",
        "next_attempt_at", "last_status_code", "last_error", "created_at", "delivered_at", "dead_at",
    ]

    // MARK: Endpoints

    public func insert(_ endpoint: WebhookEndpoint, secret: String, organizationID: UUID, audit: AuditEntry? = nil) async throws {
        try await database.transaction { db in
            if let audit { try await AuditLog.insert([audit], on: db) }
            try await RowInsert.run(
                "webhook_endpoints", columns: ["organization_id", "secret"] + Self.endpointColumns,
                rows: [
                    [
                        organizationID.text, try stored(secret), endpoint.id.text, endpoint.url, endpoint.description,
                        JSONText.encode(endpoint.eventTypes),
                        endpoint.active ? 1 : 0, endpoint.disabledReason, endpoint.previousSecretExpiresAt.map(Millis.from),
                        endpoint.createdBy, Millis.from(endpoint.createdAt), Millis.from(endpoint.updatedAt),
                    ]
                ], on: db)
        }
    }

    public func update(_ endpoint: WebhookEndpoint, organizationID: UUID, audit: AuditEntry? = nil) async throws {
        try await database.transaction { db in
            if let audit { try await AuditLog.insert([audit], on: db) }
            try await db.update("webhook_endpoints").set("url", to: endpoint.url).set("description", to: endpoint.description)
                .set("event_types", to: JSONText.encode(endpoint.eventTypes)).set("active", to: endpoint.active ? 1 : 0)
                .set("disabled_reason", to: endpoint.disabledReason).set("updated_at", to: Millis.from(endpoint.updatedAt))
                .where("organization_id", .equal, organizationID.text).where("id", .equal, endpoint.id.text).run()
        }
    }

    /// Replaces the secret; the one it replaces keeps signing until `previousUntil`.
    public func rotate(_ id: UUID, to secret: String, previousUntil: Date, organizationID: UUID, at time: Date, audit: AuditEntry? = nil) async throws
    {
        try await database.transaction { db in
            if let audit { try await AuditLog.insert([audit], on: db) }
            try await db.raw(
                """
                UPDATE webhook_endpoints SET previous_secret = secret, secret = \(bind: try stored(secret)),
                previous_secret_expires_at = \(bind: Millis.from(previousUntil)), updated_at = \(bind: Millis.from(time))
                WHERE organization_id = \(bind: organizationID.text) AND id = \(bind: id.text)
                """
            ).run()
        }
    }

    /// Removes an endpoint with its deliveries and their log.
    public func delete(_ id: UUID, organizationID: UUID, audit: AuditEntry? = nil) async throws {
        try await database.transaction { db in
            if let audit { try await AuditLog.insert([audit], on: db) }
            for table in ["webhook_attempts", "webhook_deliveries"] {
                try await db.delete(from: table).where("organization_id", .equal, organizationID.text).where("endpoint_id", .equal, id.text).run()
            }
            try await db.delete(from: "webhook_endpoints").where("organization_id", .equal, organizationID.text).where("id", .equal, id.text).run()
        }
    }

    public func endpoint(_ id: UUID, organizationID: UUID) async throws -> WebhookEndpoint? {
        try await database.read { db in
            try await db.select().columns(Self.endpointColumns.map { SQLColumn($0) }).from("webhook_endpoints")
                .where("organization_id", .equal, organizationID.text).where("id", .equal, id.text).first().map(Self.decodeEndpoint)
        }
    }

    public func endpoints(organizationID: UUID) async throws -> [WebhookEndpoint] {
        try await database.read { db in
            try await db.select().columns(Self.endpointColumns.map { SQLColumn($0) }).from("webhook_endpoints")
                .where("organization_id", .equal, organizationID.text).orderBy("created_at").orderBy("id").all().map(Self.decodeEndpoint)
        }
    }

    static func decodeEndpoint(_ row: any SQLRow) throws -> WebhookEndpoint {
        WebhookEndpoint(
            id: try row.uuid("id"), url: try row.decode(column: "url", as: String.self),
            description: try row.decode(column: "description", as: String?.self),
            eventTypes: try JSONText.decode([String].self, row.decode(column: "event_types", as: String.self)),
            active: try row.decode(column: "active", as: Int.self) != 0,
            disabledReason: try row.decode(column: "disabled_reason", as: String?.self),
            previousSecretExpiresAt: try row.decode(column: "previous_secret_expires_at", as: Int?.self).map(Millis.date),
            createdBy: try row.decode(column: "created_by", as: String.self),
            createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)),
            updatedAt: Millis.date(try row.decode(column: "updated_at", as: Int.self)))
    }

    // MARK: From the outbox to deliveries

    /// Turns up to `limit` outbox events, oldest first, into one delivery per active endpoint of
    /// their organisation that listens to their type, and marks them handed over. Returns the
    /// number of events handled; 0 when there was none, or when another process is doing it.
    public func fanOut(limit: Int, at time: Date) async throws -> Int {
        let now = Millis.from(time)
        return try await database.transaction { db in
            if database.kind == .postgres {
                let row = try await db.raw("SELECT pg_try_advisory_xact_lock(7273011) AS taken").first()
                guard try row?.decode(column: "taken", as: Bool.self) == true else { return 0 }
            }
            let events = try await db.raw(
                """
                SELECT id, organization_id, type, subject, sequence, created_at FROM outbox
                WHERE delivered_at IS NULL ORDER BY created_at, id LIMIT \(bind: limit)
                """
            ).all()
            guard !events.isEmpty else { return 0 }
            var endpoints: [String: [(id: String, patterns: [EventTypePattern])]] = [:]
            var deliveries: [RowInsert.Row] = []
            var ids: [String] = []
            ids.reserveCapacity(events.count)
            for event in events {
                let organization = try event.decode(column: "organization_id", as: String.self)
                if endpoints[organization] == nil {
                    endpoints[organization] = try await db.raw(
                        """
                        SELECT id, event_types FROM webhook_endpoints WHERE organization_id = \(bind: organization) AND active = 1
                        """
                    ).all().map { row in
                        (
                            try row.decode(column: "id", as: String.self),
                            try JSONText.decode([String].self, row.decode(column: "event_types", as: String.self)).compactMap(EventTypePattern.init)
                        )
                    }
                }
                let eventID = try event.decode(column: "id", as: String.self)
                ids.append(eventID)
                let type = try event.decode(column: "type", as: String.self)
                for endpoint in endpoints[organization] ?? [] where EventTypePattern.any(endpoint.patterns, matches: type) {
                    deliveries.append([
                        UUID.timeOrdered(at: time).text, organization, endpoint.id, eventID, type,
                        try event.decode(column: "subject", as: String.self), try event.decode(column: "sequence", as: Int.self),
                        try event.decode(column: "created_at", as: Int.self), "pending", 0, now, now,
                    ])
                }
            }
            try await RowInsert.run(
                "webhook_deliveries",
                columns: [
                    "id", "organization_id", "endpoint_id", "event_id", "type", "subject", "sequence", "event_time", "status",
                    "attempts", "next_attempt_at", "created_at",
                ],
                rows: deliveries, ignoringConflicts: true, on: db)
            for chunk in stride(from: 0, to: ids.count, by: 1_000) {
                try await db.update("outbox").set("delivered_at", to: now)
                    .where("id", .in, Array(ids[chunk..<min(chunk + 1_000, ids.count)])).run()
            }
            return events.count
        }
    }

}

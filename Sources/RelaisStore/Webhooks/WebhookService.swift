import Foundation
import RelaisCore

/// What the API and the command line do with webhooks: administrators only, every target and
/// pattern checked before it is stored.
public struct WebhookService: Sendable {
    public let repository: WebhookRepository
    /// Whether endpoints on loopback or private networks are accepted (tests, local development).
    public let allowPrivateTargets: Bool
    /// How long the secret before a rotation keeps signing, so receivers can switch without a gap.
    public static let rotationOverlap: TimeInterval = 24 * 3_600
    public let now: @Sendable () -> Date

    public init(database: RelaisDatabase, allowPrivateTargets: Bool, secrets: SecretBox?, now: @escaping @Sendable () -> Date = Date.init) {
        self.repository = WebhookRepository(database: database, secrets: secrets)
        self.allowPrivateTargets = allowPrivateTargets
        self.now = { Millis.date(Millis.from(now())) }
    }

    func requireAdmin(_ principal: Principal) throws {
        try principal.require(.change, .webhookEndpoint)
    }

    /// The checked form of a target URL.
    func checkURL(_ url: String) throws -> String {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        if let problem = EgressTarget.problem(url: trimmed, allowPrivate: allowPrivateTargets) {
            throw StoreError.invalidValue(field: "url", reason: problem)
        }
        return trimmed
    }

    /// The checked list of event type patterns, each once.
    static func checkTypes(_ types: [String]) throws -> [String] {
        if let (field, reason) = EventTypePattern.problem(in: types) { throw StoreError.invalidValue(field: field, reason: reason) }
        var seen = Set<String>()
        return types.filter { seen.insert($0).inserted }
    }

    static func checkDescription(_ text: String?) throws -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        guard text.count <= 500 else { throw StoreError.invalidValue(field: "description", reason: "at most 500 characters") }
        return text
    }

    /// Registers an endpoint; its secret is returned here and never again.
    public func create(
        url: String, description: String?, eventTypes: [String], active: Bool = true,
        by principal: Principal
    ) async throws -> (endpoint: WebhookEndpoint, secret: String) {
        try requireAdmin(principal)
        let time = now()
        let endpoint = WebhookEndpoint(
            id: UUID.timeOrdered(at: time), url: try checkURL(url), description: try Self.checkDescription(description),
            eventTypes: try Self.checkTypes(eventTypes), active: active, disabledReason: nil, previousSecretExpiresAt: nil,
            createdBy: principal.name, createdAt: time, updatedAt: time)
        let secret = WebhookSecret.generate()
        try await repository.insert(
            endpoint, secret: secret, organizationID: principal.organizationID,
            audit: AuditEntry(
                principal, action: "webhook.created", target: endpoint.id.text,
                detail: "\(endpoint.url) for \(endpoint.eventTypes.joined(separator: ", "))", at: time))
        return (endpoint, secret)
    }

    public func endpoint(_ id: UUID, by principal: Principal) async throws -> WebhookEndpoint {
        try requireAdmin(principal)
        guard let endpoint = try await repository.endpoint(id, organizationID: principal.organizationID) else {
            throw StoreError.notFound(what: "webhook endpoint", id: id.text)
        }
        return endpoint
    }

    public func endpoints(by principal: Principal) async throws -> [WebhookEndpoint] {
        try requireAdmin(principal)
        return try await repository.endpoints(organizationID: principal.organizationID)
    }

    /// Changes an endpoint; turning it on again clears why it was turned off.
    public func update(_ id: UUID, _ change: WebhookEndpointChange, by principal: Principal) async throws -> WebhookEndpoint {
        var endpoint = try await self.endpoint(id, by: principal)
        if let url = change.url { endpoint.url = try checkURL(url) }
        if let description = change.description { endpoint.description = try Self.checkDescription(description) }
        if let types = change.eventTypes { endpoint.eventTypes = try Self.checkTypes(types) }
        if let active = change.active {
            if active && !endpoint.active { endpoint.disabledReason = nil }
            if !active && endpoint.active { endpoint.disabledReason = "turned off by \(principal.name)" }
            endpoint.active = active
        }
        endpoint.updatedAt = now()
        try await repository.update(
            endpoint, organizationID: principal.organizationID,
            audit: AuditEntry(
                principal, action: "webhook.updated", target: endpoint.id.text,
                detail: "\(endpoint.url) for \(endpoint.eventTypes.joined(separator: ", ")), \(endpoint.active ? "on" : "off")",
                at: endpoint.updatedAt))
        return endpoint
    }

    public func delete(_ id: UUID, by principal: Principal) async throws {
        let endpoint = try await endpoint(id, by: principal)
        try await repository.delete(
            id, organizationID: principal.organizationID,
            audit: AuditEntry(principal, action: "webhook.deleted", target: id.text, detail: endpoint.url, at: now()))
    }

    /// Gives the endpoint a new secret, returned here only; the old one signs too for a day.
    public func rotateSecret(_ id: UUID, by principal: Principal) async throws -> (endpoint: WebhookEndpoint, secret: String) {
        _ = try await endpoint(id, by: principal)
        let secret = WebhookSecret.generate(), time = now()
        try await repository.rotate(
            id, to: secret, previousUntil: time.addingTimeInterval(Self.rotationOverlap),
            organizationID: principal.organizationID, at: time,
            audit: AuditEntry(principal, action: "webhook.secret_rotated", target: id.text, at: time))
        return (try await endpoint(id, by: principal), secret)
    }

    public func deliveries(
        of id: UUID, status: WebhookDelivery.Status?, limit: Int, before cursor: UUID?,
        by principal: Principal
    ) async throws -> Page<WebhookDelivery> {
        _ = try await endpoint(id, by: principal)
        return try await repository.deliveries(
            endpointID: id, organizationID: principal.organizationID, status: status, limit: limit,
            before: cursor?.text)
    }

    public func attempts(of id: UUID, limit: Int, before cursor: UUID?, by principal: Principal) async throws -> Page<WebhookAttempt> {
        _ = try await endpoint(id, by: principal)
        return try await repository.attempts(endpointID: id, organizationID: principal.organizationID, limit: limit, before: cursor?.text)
    }

    public func deadLetters(
        endpointID: UUID?, from: Date?, to: Date?, limit: Int, before cursor: UUID?,
        by principal: Principal
    ) async throws -> Page<WebhookDelivery> {
        try requireAdmin(principal)
        if let endpointID { _ = try await endpoint(endpointID, by: principal) }
        try Self.checkRange(from: from, to: to)
        return try await repository.deadLetters(
            organizationID: principal.organizationID, endpointID: endpointID, from: from, to: to,
            limit: limit, before: cursor?.text)
    }

    /// Sends one dead delivery again, with a fresh set of tries.
    public func replay(_ id: UUID, by principal: Principal) async throws -> WebhookDelivery {
        try requireAdmin(principal)
        guard let delivery = try await repository.delivery(id, organizationID: principal.organizationID) else {
            throw StoreError.notFound(what: "webhook delivery", id: id.text)
        }
        guard delivery.status == .dead else {
            throw StoreError.inUse(what: "delivery \(id.text)", reason: "it is \(delivery.status.rawValue), only dead deliveries are replayed")
        }
        _ = try await repository.replay(organizationID: principal.organizationID, id: id, at: now())
        return try await repository.delivery(id, organizationID: principal.organizationID) ?? delivery
    }

    /// Sends again every dead delivery that died within a range, of one endpoint or of all.
    public func replay(endpointID: UUID?, from: Date?, to: Date?, by principal: Principal) async throws -> Int {
        try requireAdmin(principal)
        if let endpointID { _ = try await endpoint(endpointID, by: principal) }
        try Self.checkRange(from: from, to: to)
        return try await repository.replay(organizationID: principal.organizationID, endpointID: endpointID, from: from, to: to, at: now())
    }

    static func checkRange(from: Date?, to: Date?) throws {
        if let from, let to, from >= to { throw StoreError.invalidValue(field: "to", reason: "must be after 'from'") }
    }
}

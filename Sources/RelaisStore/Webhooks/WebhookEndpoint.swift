import Foundation
import RelaisCore

/// A URL that receives the organisation's events of the types it listens to, signed with its
/// secret.
public struct WebhookEndpoint: Sendable, Equatable {
    public var id: UUID
    public var url: String
    public var description: String?
    public var eventTypes: [String]
    public var active: Bool
    /// Why Relais stopped calling it (a 410 answer), when it did.
    public var disabledReason: String?
    /// Until when the secret before the last rotation still signs deliveries.
    public var previousSecretExpiresAt: Date?
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date

    public var patterns: [EventTypePattern] { eventTypes.compactMap(EventTypePattern.init) }
}

/// What may be set on an endpoint; nil leaves a value as it is.
public struct WebhookEndpointChange: Sendable {
    public var url: String?
    public var description: String?
    public var eventTypes: [String]?
    public var active: Bool?

    public init(url: String? = nil, description: String? = nil, eventTypes: [String]? = nil, active: Bool? = nil) {
        self.url = url
        self.description = description
        self.eventTypes = eventTypes
        self.active = active
    }
}

/// One event waiting for one endpoint, as stored.
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case pending, delivered, dead }
    public var id: UUID
    public var endpointID: UUID
    public var eventID: String
    public var type: String
    public var subject: String
    public var sequence: Int
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastStatusCode: Int?
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?
    public var deadAt: Date?
}

/// One try of a delivery and the endpoint's answer.
public struct WebhookAttempt: Sendable, Equatable {
    public var id: UUID
    public var deliveryID: UUID
    public var eventID: String
    public var attempt: Int
    public var attemptedAt: Date
    public var durationMilliseconds: Int
    public var statusCode: Int?
    public var error: String?
}

/// A delivery a dispatcher has taken: what to send, where, signed with which secrets.
public struct ClaimedDelivery: Sendable {
    public var id: UUID
    public var organizationID: String
    public var endpointID: UUID
    public var url: String
    public var eventID: String
    public var subject: String
    public var sequence: Int
    /// Tries made before this one.
    public var attempts: Int
    /// The CloudEvent, as the body to send.
    public var payload: String
    /// The current secret first, then the previous one while a rotation lasts.
    public var secrets: [String]
}

/// How one try of a claimed delivery went.
public struct DeliveryReport: Sendable {
    public var delivery: ClaimedDelivery
    public var attemptedAt: Date
    public var durationMilliseconds: Int
    public var statusCode: Int?
    public var error: String?
    public var outcome: DeliveryOutcome

    public init(delivery: ClaimedDelivery, attemptedAt: Date, durationMilliseconds: Int, statusCode: Int?, error: String?, outcome: DeliveryOutcome) {
        self.delivery = delivery
        self.attemptedAt = attemptedAt
        self.durationMilliseconds = durationMilliseconds
        self.statusCode = statusCode
        self.error = error
        self.outcome = outcome
    }
}

/// Webhook secrets: `whsec_` and 24 random bytes in base64, the form Standard Webhooks uses.
public enum WebhookSecret {
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }

    /// The key bytes of a secret, or nil when it is not of that form.
    public static func key(_ secret: String) -> Data? {
        guard secret.hasPrefix("whsec_") else { return nil }
        return Data(base64Encoded: String(secret.dropFirst(6)))
    }
}

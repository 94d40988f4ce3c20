import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisStore

extension RelaisAPI {
    func listWebhookEventTypes(_ input: Operations.ListWebhookEventTypes.Input) async throws -> Operations.ListWebhookEventTypes.Output {
        // The catalogue of event types is documentation: anyone signed in may read it.
        _ = try RequestPrincipal.require()
        return .ok(.init(body: .json(.init(items: CloudEvent.types))))
    }

    func listWebhookEndpoints(_ input: Operations.ListWebhookEndpoints.Input) async throws -> Operations.ListWebhookEndpoints.Output {
        let endpoints = try await services.webhooks.endpoints(by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: endpoints.map(encode)))))
    }

    func createWebhookEndpoint(_ input: Operations.CreateWebhookEndpoint.Input) async throws -> Operations.CreateWebhookEndpoint.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let (endpoint, secret) = try await services.webhooks.create(
            url: body.url, description: body.description, eventTypes: body.eventTypes, active: body.active ?? true,
            by: try RequestPrincipal.require())
        return .created(.init(body: .json(.init(endpoint: encode(endpoint), secret: secret))))
    }

    func getWebhookEndpoint(_ input: Operations.GetWebhookEndpoint.Input) async throws -> Operations.GetWebhookEndpoint.Output {
        .ok(
            .init(
                body: .json(encode(try await services.webhooks.endpoint(try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())))
            ))
    }

    func updateWebhookEndpoint(_ input: Operations.UpdateWebhookEndpoint.Input) async throws -> Operations.UpdateWebhookEndpoint.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let endpoint = try await services.webhooks.update(
            try parseID(input.path.id, field: "id"),
            WebhookEndpointChange(url: body.url, description: body.description, eventTypes: body.eventTypes, active: body.active),
            by: try RequestPrincipal.require())
        return .ok(.init(body: .json(encode(endpoint))))
    }

    func deleteWebhookEndpoint(_ input: Operations.DeleteWebhookEndpoint.Input) async throws -> Operations.DeleteWebhookEndpoint.Output {
        try await services.webhooks.delete(try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())
        return .noContent(.init())
    }

    func rotateWebhookSecret(_ input: Operations.RotateWebhookSecret.Input) async throws -> Operations.RotateWebhookSecret.Output {
        let (endpoint, secret) = try await services.webhooks.rotateSecret(try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(endpoint: encode(endpoint), secret: secret))))
    }

    func listWebhookDeliveries(_ input: Operations.ListWebhookDeliveries.Input) async throws -> Operations.ListWebhookDeliveries.Output {
        let limit = try limit(input.query.limit)
        let deliveries = try await services.webhooks.deliveries(
            of: try parseID(input.path.id, field: "id"), status: input.query.status.flatMap { WebhookDelivery.Status(rawValue: $0.rawValue) },
            limit: limit, before: try idCursor(input.query.cursor), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(page(deliveries))))
    }

    func listWebhookAttempts(_ input: Operations.ListWebhookAttempts.Input) async throws -> Operations.ListWebhookAttempts.Output {
        let limit = try limit(input.query.limit)
        let attempts = try await services.webhooks.attempts(
            of: try parseID(input.path.id, field: "id"), limit: limit, before: try idCursor(input.query.cursor), by: try RequestPrincipal.require())
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: attempts.map {
                            .init(
                                id: $0.id.text, deliveryId: $0.deliveryID.text, eventId: $0.eventID, attempt: $0.attempt, attemptedAt: $0.attemptedAt,
                                durationMs: $0.durationMilliseconds, statusCode: $0.statusCode, error: $0.error)
                        },
                        nextCursor: attempts.nextCursor))))
    }

    func listDeadLetters(_ input: Operations.ListDeadLetters.Input) async throws -> Operations.ListDeadLetters.Output {
        let limit = try limit(input.query.limit)
        let deliveries = try await services.webhooks.deadLetters(
            endpointID: try input.query.endpointId.map { try parseID($0, field: "endpoint_id") }, from: input.query.from, to: input.query.to,
            limit: limit, before: try idCursor(input.query.cursor), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(page(deliveries))))
    }

    func replayDeadLetters(_ input: Operations.ReplayDeadLetters.Input) async throws -> Operations.ReplayDeadLetters.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let count = try await services.webhooks.replay(
            endpointID: try body.endpointId.map { try parseID($0, field: "endpoint_id") }, from: body.from, to: body.to,
            by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(replayed: count))))
    }

    func replayDeadLetter(_ input: Operations.ReplayDeadLetter.Input) async throws -> Operations.ReplayDeadLetter.Output {
        .ok(
            .init(
                body: .json(encode(try await services.webhooks.replay(try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())))))
    }

    // MARK: Encoding

    func idCursor(_ token: String?) throws -> UUID? {
        guard let cursor = try cursor(token) else { return nil }
        guard let id = UUID(uuidString: cursor.id) else { throw APIProblem.invalidField("cursor", "cursor: not a cursor this API gave") }
        return id
    }

    func page(_ deliveries: Page<WebhookDelivery>) -> Components.Schemas.WebhookDeliveryList {
        .init(
            items: deliveries.map(encode),
            nextCursor: deliveries.nextCursor)
    }

    func encode(_ endpoint: WebhookEndpoint) -> Components.Schemas.WebhookEndpoint {
        .init(
            id: endpoint.id.text, url: endpoint.url, description: endpoint.description, eventTypes: endpoint.eventTypes,
            active: endpoint.active, disabledReason: endpoint.disabledReason, previousSecretExpiresAt: endpoint.previousSecretExpiresAt,
            createdBy: endpoint.createdBy, createdAt: endpoint.createdAt, updatedAt: endpoint.updatedAt)
    }

    func encode(_ delivery: WebhookDelivery) -> Components.Schemas.WebhookDelivery {
        .init(
            id: delivery.id.text, endpointId: delivery.endpointID.text, eventId: delivery.eventID, _type: delivery.type,
            subject: delivery.subject, sequence: delivery.sequence, status: .init(rawValue: delivery.status.rawValue) ?? .pending,
            attempts: delivery.attempts, nextAttemptAt: delivery.nextAttemptAt, lastStatusCode: delivery.lastStatusCode,
            lastError: delivery.lastError, createdAt: delivery.createdAt, deliveredAt: delivery.deliveredAt, deadAt: delivery.deadAt)
    }
}

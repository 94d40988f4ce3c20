import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisStore

extension RelaisAPI {
    func receiveMail(_ input: Operations.ReceiveMail.Input) async throws -> Operations.ReceiveMail.Output {
        let principal = try RequestPrincipal.require()
        try principal.require(.create, .mail)
        guard case let .messageRfc822(body) = input.body else { throw APIProblem.badRequest("expected a message/rfc822 body") }
        let raw = try await [UInt8](collecting: body, upTo: MailIntake.maxSize)
        let outcome = try await services.mail.receive(raw, recipients: input.query.recipient ?? [], organizationID: principal.organizationID)
        return .ok(.init(body: .json(encode(outcome))))
    }

    func listQuarantinedMail(_ input: Operations.ListQuarantinedMail.Input) async throws -> Operations.ListQuarantinedMail.Output {
        let principal = try RequestPrincipal.require()
        try principal.require(.list, .mailQuarantine)
        let limit = try limit(input.query.limit)
        let entries = try await services.mail.quarantined(
            organizationID: principal.organizationID, status: input.query.status?.rawValue ?? "held",
            limit: limit, before: try idCursor(input.query.cursor))
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: entries.map {
                            .init(
                                id: $0.id.text, channel: $0.channel, recipients: $0.recipients, reason: $0.reason, size: $0.size,
                                status: .init(rawValue: $0.status) ?? .held, attempts: $0.attempts, receivedAt: $0.receivedAt,
                                releasedAt: $0.releasedAt,
                                ticketKey: $0.ticketKey)
                        },
                        nextCursor: entries.nextCursor))))
    }

    func retryQuarantinedMail(_ input: Operations.RetryQuarantinedMail.Input) async throws -> Operations.RetryQuarantinedMail.Output {
        let principal = try RequestPrincipal.require()
        try principal.require(.change, .mailQuarantine)
        let outcome = try await services.mail.retry(try parseID(input.path.id, field: "id"), organizationID: principal.organizationID)
        return .ok(.init(body: .json(encode(outcome))))
    }

    func encode(_ outcome: MailIntake.Outcome) -> Components.Schemas.MailOutcome {
        switch outcome {
        case let .opened(key): .init(outcome: .opened, ticketKey: key)
        case let .commented(key): .init(outcome: .commented, ticketKey: key)
        case let .bounce(failed): .init(outcome: .bounce, failedRecipients: failed)
        case let .duplicate(key): .init(outcome: .duplicate, ticketKey: key)
        case let .quarantined(id, reason): .init(outcome: .quarantined, quarantineId: id.text, reason: reason)
        }
    }
}

import Foundation
import RelaisCore
import RelaisStore

extension RelaisAPI {
    func escalateTicket(_ input: Operations.EscalateTicket.Input) async throws -> Operations.EscalateTicket.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let escalation = try await services.escalations.escalate(
            key: input.path.key, tracker: body.tracker, issue: body.issue, also: body.also ?? [], steps: body.steps,
            by: try RequestPrincipal.require())
        return .accepted(.init(body: .json(encode(escalation))))
    }

    func listTicketEscalations(_ input: Operations.ListTicketEscalations.Input) async throws -> Operations.ListTicketEscalations.Output {
        let escalations = try await services.escalations.list(key: input.path.key, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: escalations.map(encode)))))
    }

    func encode(_ escalation: Escalation) -> Components.Schemas.Escalation {
        .init(
            id: escalation.id.text, tracker: escalation.tracker, status: .init(rawValue: escalation.status.rawValue) ?? .failed,
            issueId: escalation.issueID, issueKey: escalation.issueKey, issueUrl: escalation.issueURL, issueState: escalation.issueState,
            fixedAt: escalation.fixedAt, tickets: escalation.tickets, requestedBy: escalation.requestedBy, requestedAt: escalation.requestedAt,
            attempts: escalation.attempts, lastError: escalation.lastError)
    }
}

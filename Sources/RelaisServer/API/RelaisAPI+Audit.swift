import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisStore

extension RelaisAPI {
    func listAuditEntries(_ input: Operations.ListAuditEntries.Input) async throws -> Operations.ListAuditEntries.Output {
        let principal = try RequestPrincipal.require()
        try principal.require(.list, .audit)
        let limit = try limit(input.query.limit)
        let action = input.query.action?.trimmingCharacters(in: .whitespaces)
        let entries = try await AuditLog(database: services.database).entries(
            organizationID: principal.organizationID, action: action?.isEmpty == false ? action : nil, since: input.query.since,
            limit: limit, after: try idCursor(input.query.cursor))
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: entries.map { entry in
                            .init(
                                id: entry.id.text, organizationId: entry.organizationID?.text, occurredAt: entry.occurredAt,
                                actorId: entry.actorID?.text,
                                actor: entry.actor, action: entry.action, target: entry.target,
                                outcome: .init(rawValue: entry.outcome.rawValue) ?? .done,
                                detail: entry.detail)
                        },
                        nextCursor: entries.nextCursor))))
    }
}

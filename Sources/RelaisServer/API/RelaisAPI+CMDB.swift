import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisStore

extension RelaisAPI {
    func listConfigItems(_ input: Operations.ListConfigItems.Input) async throws -> Operations.ListConfigItems.Output {
        let after = try cursor(input.query.cursor)?.id
        let items = try await services.cmdb.items(
            type: input.query._type, accountID: try input.query.accountId.map { try parseID($0, field: "account_id") },
            limit: try limit(input.query.limit), after: after, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: items.map(encode), nextCursor: items.nextCursor))))
    }

    func createConfigItem(_ input: Operations.CreateConfigItem.Input) async throws -> Operations.CreateConfigItem.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let values = try Self.values(body, creating: true)
        return .created(.init(body: .json(encode(try await services.cmdb.createItem(values, by: try RequestPrincipal.require())))))
    }

    func getConfigItem(_ input: Operations.GetConfigItem.Input) async throws -> Operations.GetConfigItem.Output {
        .ok(.init(body: .json(encode(try await services.cmdb.item(try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())))))
    }

    func updateConfigItem(_ input: Operations.UpdateConfigItem.Input) async throws -> Operations.UpdateConfigItem.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let item = try await services.cmdb.updateItem(
            try parseID(input.path.id, field: "id"), try Self.values(body, creating: false),
            by: try RequestPrincipal.require())
        return .ok(.init(body: .json(encode(item))))
    }

    func listItemRelations(_ input: Operations.ListItemRelations.Input) async throws -> Operations.ListItemRelations.Output {
        let relations = try await services.cmdb.relations(of: try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: relations.map(encode)))))
    }

    func listItemTickets(_ input: Operations.ListItemTickets.Input) async throws -> Operations.ListItemTickets.Output {
        let tickets = try await services.cmdb.tickets(
            ofItem: try parseID(input.path.id, field: "id"), openOnly: input.query.openOnly ?? false,
            limit: try limit(input.query.limit), by: try RequestPrincipal.require())
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: tickets.map {
                            .init(key: $0.key, title: $0.title, status: $0.status, statusCategory: .init(rawValue: $0.statusCategory) ?? .open)
                        }))))
    }

    func getItemImpact(_ input: Operations.GetItemImpact.Input) async throws -> Operations.GetItemImpact.Output {
        let limit = input.query.limit ?? 200
        guard (1...5_000).contains(limit) else { throw APIProblem.invalidField("limit", "limit: must be between 1 and 5000") }
        if let depth = input.query.depth, !(1...1_000).contains(depth) {
            throw APIProblem.invalidField("depth", "depth: must be between 1 and 1000")
        }
        let report = try await services.cmdb.impact(
            of: try parseID(input.path.id, field: "id"), maxDepth: input.query.depth, limit: limit,
            by: try RequestPrincipal.require())
        func entry(_ entry: ImpactReport.Entry) -> Components.Schemas.ImpactEntry {
            .init(item: encode(entry.item), distance: entry.distance, via: entry.via.text, relation: entry.relation)
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        item: encode(report.item), impactedCount: report.impactedCount, impacted: report.impacted.map(entry),
                        services: report.services.map(entry),
                        accounts: report.accounts.map { .init(accountId: $0.accountID.text, name: $0.name, items: $0.items) },
                        openTickets: report.openTickets))))
    }

    func createConfigRelation(_ input: Operations.CreateConfigRelation.Input) async throws -> Operations.CreateConfigRelation.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let (relation, created) = try await services.cmdb.relate(
            source: try parseID(body.sourceId, field: "source_id"), type: body._type, target: try parseID(body.targetId, field: "target_id"),
            by: try RequestPrincipal.require())
        return created ? .created(.init(body: .json(encode(relation)))) : .ok(.init(body: .json(encode(relation))))
    }

    func deleteConfigRelation(_ input: Operations.DeleteConfigRelation.Input) async throws -> Operations.DeleteConfigRelation.Output {
        try await services.cmdb.deleteRelation(try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())
        return .noContent(.init())
    }

    func listTicketItems(_ input: Operations.ListTicketItems.Input) async throws -> Operations.ListTicketItems.Output {
        let items = try await services.cmdb.items(ofTicket: input.path.key, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: items.map(encode)))))
    }

    func tieTicketItems(_ input: Operations.TieTicketItems.Input) async throws -> Operations.TieTicketItems.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let add = try (body.add ?? []).enumerated().map { try parseID($1, field: "add[\($0)]") }
        let remove = try (body.remove ?? []).enumerated().map { try parseID($1, field: "remove[\($0)]") }
        let items = try await services.cmdb.tie(ticketKey: input.path.key, adding: add, removing: remove, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: items.map(encode)))))
    }

    // MARK: Encoding

    /// A body as the named values the CMDB service applies; attributes keep their own names.
    static func values(_ body: Components.Schemas.ConfigItemInput, creating: Bool) throws -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in body.attributes?.additionalProperties ?? [:] {
            if ConfigItem.fields.contains(name) || name == "id" {
                throw APIProblem.invalidField("attributes.\(name)", "attributes.\(name): '\(name)' is a field of the item, not an attribute")
            }
            values[name] = value
        }
        values["name"] = body.name
        values["type"] = body._type
        values["external_id"] = body.externalId
        values["status"] = body.status
        values["owner_team"] = body.ownerTeam
        if let account = body.accountId {
            values["account_id"] = account.isEmpty ? "" : try parseID(account, field: "account_id").text
        }
        if creating {
            if body.name == nil { throw APIProblem.invalidField("name", "name: an item needs a name") }
            if body._type == nil { throw APIProblem.invalidField("type", "type: an item needs a type the map declares") }
        }
        return values
    }

    func encode(_ item: ConfigItem) -> Components.Schemas.ConfigItem {
        .init(
            id: item.id.text, externalId: item.externalID, _type: item.type, name: item.name, status: item.status,
            ownerTeam: item.ownerTeam, accountId: item.accountID?.text,
            attributes: .init(additionalProperties: item.attributes), createdAt: item.createdAt, updatedAt: item.updatedAt)
    }

    func encode(_ relation: ConfigRelation) -> Components.Schemas.ConfigRelation {
        .init(
            id: relation.id.text, sourceId: relation.sourceID.text, _type: relation.type,
            targetId: relation.targetID.text, createdAt: relation.createdAt)
    }
}

import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisStore

extension RelaisAPI {
    /// Agents and administrators read and change the map (as far as its governance lets them).
    func mapActor() throws -> MapActor {
        let principal = try RequestPrincipal.require()
        try principal.require(.read, .mapVersion)
        return MapActor(principal)
    }

    func listMapVersions(_ input: Operations.ListMapVersions.Input) async throws -> Operations.ListMapVersions.Output {
        _ = try mapActor()
        let services = services
        let limit = try limit(input.query.limit)
        let before = try cursor(input.query.cursor)?.value
        let versions = try await services.versions.list(
            organizationID: services.organization.id, state: input.query.state.flatMap { .init(rawValue: $0.rawValue) },
            limit: limit, before: before)
        return .ok(
            .init(
                body: .json(
                    .init(
                        running: services.mapVersion.number, items: versions.map(MapVersionEncoding.version),
                        nextCursor: versions.nextCursor))))
    }

    func proposeMapVersion(_ input: Operations.ProposeMapVersion.Input) async throws -> Operations.ProposeMapVersion.Output {
        let actor = try mapActor()
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let message = body.message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !message.isEmpty else { throw APIProblem.invalidField("message", "message: say what the change is for") }
        let version = try await services.versions.propose(
            organizationID: services.organization.id, text: body.text, message: message,
            moves: try Self.moves(body.moves), by: actor)
        return .created(.init(body: .json(MapVersionEncoding.version(version))))
    }

    func getMapVersion(_ input: Operations.GetMapVersion.Input) async throws -> Operations.GetMapVersion.Output {
        _ = try mapActor()
        let version = try await services.versions.version(organizationID: services.organization.id, number: input.path.number)
        var impact: Components.Schemas.MapImpact?
        if version.state == .proposed || version.state == .approved {
            impact = try MapVersionEncoding.impact(try await services.versions.impact(of: version))
        }
        return .ok(.init(body: .json(.init(value1: MapVersionEncoding.version(version), value2: .init(text: version.text, impact: impact)))))
    }

    func diffMapVersion(_ input: Operations.DiffMapVersion.Input) async throws -> Operations.DiffMapVersion.Output {
        _ = try mapActor()
        let services = services
        let version = try await services.versions.version(organizationID: services.organization.id, number: input.path.number)
        let other = try await services.versions.version(
            organizationID: services.organization.id, number: input.query.against ?? services.mapVersion.number)
        let change = MapChange(from: try? services.versions.map(of: other), to: try services.versions.map(of: version))
        return .ok(
            .init(
                body: .json(
                    .init(
                        from: other.number, to: version.number, sections: change.sections.sorted().map(\.rawValue),
                        domains: change.domains.map(\.rawValue).sorted(),
                        diff: LineDiff.unified(other.text, version.text, oldName: "version \(other.number)", newName: "version \(version.number)")))))
    }

    func approveMapVersion(_ input: Operations.ApproveMapVersion.Input) async throws -> Operations.ApproveMapVersion.Output {
        let actor = try mapActor()
        let note = input.body.flatMap { if case let .json(body) = $0 { body.note } else { nil } }
        let version = try await services.versions.approve(organizationID: services.organization.id, number: input.path.number, note: note, by: actor)
        return .ok(.init(body: .json(MapVersionEncoding.version(version))))
    }

    func rejectMapVersion(_ input: Operations.RejectMapVersion.Input) async throws -> Operations.RejectMapVersion.Output {
        let actor = try mapActor()
        let note = input.body.flatMap { if case let .json(body) = $0 { body.note } else { nil } }
        let version = try await services.versions.reject(organizationID: services.organization.id, number: input.path.number, note: note, by: actor)
        return .ok(.init(body: .json(MapVersionEncoding.version(version))))
    }

    func applyMapVersion(_ input: Operations.ApplyMapVersion.Input) async throws -> Operations.ApplyMapVersion.Output {
        let actor = try mapActor()
        let version = try await services.versions.apply(organizationID: services.organization.id, number: input.path.number, by: actor)
        try await runtime.reload()
        return .ok(.init(body: .json(MapVersionEncoding.version(version))))
    }

    func rollbackMapVersion(_ input: Operations.RollbackMapVersion.Input) async throws -> Operations.RollbackMapVersion.Output {
        let actor = try mapActor()
        let body: Components.Schemas.MapRollback? = input.body.flatMap { if case let .json(body) = $0 { body } else { nil } }
        let version = try await services.versions.rollback(
            organizationID: services.organization.id, to: input.path.number,
            message: body?.message.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 },
            moves: try Self.moves(body?.moves), by: actor)
        try await runtime.reload()
        return .created(.init(body: .json(MapVersionEncoding.version(version))))
    }
}

extension RelaisAPI {
    /// Status moves of a body, each field named when empty.
    static func moves(_ moves: [Components.Schemas.MapStatusMove]?) throws -> [StatusMove] {
        try (moves ?? []).enumerated().map { index, move in
            let fields = [("family", move.family), ("from", move.from), ("to", move.to)].map { ($0, $1.trimmingCharacters(in: .whitespaces)) }
            if let empty = fields.first(where: { $0.1.isEmpty }) {
                throw APIProblem.invalidField("moves[\(index)].\(empty.0)", "moves[\(index)].\(empty.0): must not be empty")
            }
            return StatusMove(family: fields[0].1, from: fields[1].1, to: fields[2].1)
        }
    }
}

enum MapVersionEncoding {
    static func version(_ version: MapVersion) -> Components.Schemas.MapVersion {
        .init(
            number: version.number, state: .init(rawValue: version.state.rawValue) ?? .proposed, base: version.baseNumber,
            rollbackOf: version.rollbackOf,
            hash: version.hash, message: version.message, author: version.author, createdAt: version.createdAt, decidedBy: version.decidedBy,
            decidedAt: version.decidedAt, decisionNote: version.decisionNote, appliedBy: version.appliedBy, appliedAt: version.appliedAt,
            sections: version.sections.map(\.rawValue), domains: version.domains,
            moves: version.moves.map { .init(family: $0.family, from: $0.from, to: $0.to) },
            problems: version.problems.map { .init(line: $0.line, column: $0.column, message: $0.message) })
    }

    /// Core's impact already has the API's field names; only `can_apply` is computed.
    static func impact(_ impact: MapImpact) throws -> Components.Schemas.MapImpact {
        guard var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(impact)) as? [String: Any] else {
            throw APIProblem.internalError
        }
        object["can_apply"] = impact.canApply
        return try JSONDecoder().decode(Components.Schemas.MapImpact.self, from: JSONSerialization.data(withJSONObject: object))
    }
}

import Crypto
import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisStore

extension RelaisAPI {
    func createTicket(_ input: Operations.CreateTicket.Input) async throws -> Operations.CreateTicket.Output {
        let principal = try RequestPrincipal.require()
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let draft = TicketDraft(
            family: body.family, title: body.title, description: body.description ?? "", channel: body.channel ?? "api",
            openedBy: body.openedBy ?? "internal", impact: body.impact, urgency: body.urgency, priority: body.priority,
            severity: body.severity, category: body.category, team: body.team, assignee: body.assignee,
            tags: body.tags ?? [], customFields: body.customFields?.additionalProperties ?? [:],
            links: try (body.links ?? []).enumerated().map { try link($1, index: $0) }, brand: body.brand, entity: body.entity)
        var claim: TicketRepository.IdempotencyClaim?
        if let key = input.headers.idempotencyKey {
            guard !key.isEmpty, key.count <= 255 else {
                throw APIProblem.invalidField("Idempotency-Key", "Idempotency-Key must have 1 to 255 characters")
            }
            claim = .init(userID: principal.userID, key: key, requestHash: Self.hash(body))
        }
        let creation = try await services.tickets.open(draft, by: principal, idempotency: claim)
        if !creation.replayed {
            services.metrics.makeCounter(descriptor: RelaisMetrics.ticketsCreated, labels: [("family", creation.ticket.family)]).increment()
        }
        var created = encode(creation.ticket)
        created.suggestedArticles = try await services.knowledge.suggestions(
            for: creation.ticket.title, family: creation.ticket.family,
            record: false, by: principal
        ).map { summary($0.article) }
        return .created(
            .init(
                headers: .init(eTag: ETag.make(creation.ticket.version), location: "/api/v1/tickets/\(creation.ticket.key)"),
                body: .json(created)))
    }

    func getTicket(_ input: Operations.GetTicket.Input) async throws -> Operations.GetTicket.Output {
        let ticket = try await services.tickets.find(key: input.path.key, by: try RequestPrincipal.require())
        return .ok(.init(headers: .init(eTag: ETag.make(ticket.version)), body: .json(encode(ticket))))
    }

    func listTickets(_ input: Operations.ListTickets.Input) async throws -> Operations.ListTickets.Output {
        let principal = try RequestPrincipal.require()
        let q = input.query
        var query = TicketQuery(organizationID: principal.organizationID)
        query.family = q.family
        query.status = q.status
        query.statusCategory = q.statusCategory.flatMap { StatusCategory(rawValue: $0.rawValue) }
        query.team = q.team
        query.assignee = q.assignee
        query.priority = q.priority
        query.entity = q.entity
        query.brand = q.brand
        query.accountID = try q.account.map { try parseID($0, field: "account") }
        query.limit = try limit(q.limit)
        query.cursor = try cursor(q.cursor)
        let sort = q.sort?.rawValue ?? "-created_at"
        query.descending = sort.hasPrefix("-")
        query.sort = TicketQuery.SortField(rawValue: String(sort.drop { $0 == "-" })) ?? .createdAt
        let page = try await services.tickets.list(query, by: principal)
        return .ok(.init(body: .json(.init(items: page.tickets.map { encode($0) }, nextCursor: page.nextCursor?.token))))
    }

    func updateTicket(_ input: Operations.UpdateTicket.Input) async throws -> Operations.UpdateTicket.Output {
        let principal = try RequestPrincipal.require()
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let patch = TicketPatch(
            title: body.title, description: body.description, impact: body.impact, urgency: body.urgency,
            priority: body.priority, severity: body.severity, category: body.category, team: body.team,
            assignee: body.assignee, tags: body.tags, customFields: body.customFields?.additionalProperties,
            links: try body.links.map { try $0.enumerated().map { try link($1, index: $0) } })
        let ticket = try await services.tickets.update(
            key: input.path.key, with: patch, ifMatch: try ETag.version(ifMatch: input.headers.ifMatch), by: principal)
        return .ok(.init(headers: .init(eTag: ETag.make(ticket.version)), body: .json(encode(ticket))))
    }

    func transitionTicket(_ input: Operations.TransitionTicket.Input) async throws -> Operations.TransitionTicket.Output {
        let principal = try RequestPrincipal.require()
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let ticket = try await services.tickets.transition(
            key: input.path.key, to: body.to, resolutionNote: body.resolutionNote,
            ifMatch: try ETag.version(ifMatch: input.headers.ifMatch), by: principal)
        return .ok(.init(headers: .init(eTag: ETag.make(ticket.version)), body: .json(encode(ticket))))
    }

    func addComment(_ input: Operations.AddComment.Input) async throws -> Operations.AddComment.Output {
        let principal = try RequestPrincipal.require()
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let (_, comment) = try await services.tickets.comment(
            key: input.path.key, body: body.body, isPublic: body._public ?? true, channel: body.channel, by: principal)
        return .created(.init(body: .json(encode(comment))))
    }

    func rateTicket(_ input: Operations.RateTicket.Input) async throws -> Operations.RateTicket.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let (ticket, rating) = try await services.tickets.rate(
            key: input.path.key, score: body.score, comment: body.comment, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(ticket: ticket.key, score: rating.score, comment: rating.comment))))
    }

    func answerResolution(_ input: Operations.AnswerResolution.Input) async throws -> Operations.AnswerResolution.Output {
        let principal = try RequestPrincipal.require()
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let ticket =
            body.accepted
            ? try await services.tickets.confirmResolution(key: input.path.key, by: principal)
            : try await services.tickets.refuseResolution(key: input.path.key, reason: body.reason ?? "", by: principal)
        return .ok(.init(headers: .init(eTag: ETag.make(ticket.version)), body: .json(encode(ticket))))
    }

    func mergeTicket(_ input: Operations.MergeTicket.Input) async throws -> Operations.MergeTicket.Output {
        let principal = try RequestPrincipal.require()
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let kept = try await services.tickets.merge(key: input.path.key, into: body.into, by: principal)
        return .ok(.init(body: .json(encode(kept))))
    }

    func listComments(_ input: Operations.ListComments.Input) async throws -> Operations.ListComments.Output {
        let comments = try await services.tickets.comments(key: input.path.key, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: comments.map(encode)))))
    }

    func listTicketEvents(_ input: Operations.ListTicketEvents.Input) async throws -> Operations.ListTicketEvents.Output {
        let events = try await services.tickets.events(key: input.path.key, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: events.map(encode)))))
    }

    func link(_ link: Components.Schemas.Link, index: Int) throws -> CRMLink {
        CRMLink(kind: CRMObjectKind(rawValue: link.kind.rawValue) ?? .account, id: try parseID(link.id, field: "links[\(index)].id"))
    }

    func limit(_ value: Int?) throws -> Int {
        guard let value else { return 50 }
        guard (1...200).contains(value) else { throw APIProblem.invalidField("limit", "limit: must be between 1 and 200") }
        return value
    }

    func cursor(_ token: String?) throws -> PageCursor? {
        guard let token, !token.isEmpty else { return nil }
        guard let cursor = PageCursor(token: token) else { throw APIProblem.invalidField("cursor", "cursor: not a cursor this API gave") }
        return cursor
    }

    /// The request's fingerprint for `Idempotency-Key`: its decoded body, re-encoded canonically.
    static func hash(_ body: Components.Schemas.TicketCreate) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(body)) ?? Data()
        return HexDigits.text(SHA256.hash(data: data))
    }
}

import Foundation
import Hummingbird
import RelaisCore
import RelaisStore
import Synchronization

/// The caller of the request being handled, set by `AuthenticationMiddleware`.
enum RequestPrincipal {
    @TaskLocal static var current: Principal?

    /// The caller, for handlers that only run behind the middleware.
    static func require() throws -> Principal {
        guard let current else { throw APIProblem.unauthorized("missing bearer token") }
        return current
    }
}

/// The channel whose token authenticated the request: set only on the channel message route.
enum RequestChannel {
    @TaskLocal static var current: (organizationID: UUID, channel: String)?
}

/// Resolves `Authorization: Bearer <token>` to a principal for every route under `/api/`; a
/// channel's token (`rch_...`) is taken on its channel's message route and nowhere else. Every
/// refusal, of the token here or of the permission further on (401 and 403), is written to the
/// audit log before it is answered.
struct AuthenticationMiddleware<Context: RequestContext>: RouterMiddleware {
    let directory: DirectoryRepository
    let channelTokens: ChannelTokens
    let cache: TokenCache
    let audit: AuditLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        let target = "\(request.method.rawValue) \(request.uri.path)"
        /// Records a refusal (the error, when it is one) and passes the error on.
        func audited(_ error: any Error, organizationID: UUID?, actorID: UUID?, actor: String) async throws -> Never {
            let problem = ProblemResponse.problem(for: error)
            if problem.status == 401 || problem.status == 403 {
                try await audit.record(
                    AuditEntry(
                        organizationID: organizationID, actorID: actorID, actor: actor,
                        action: problem.status == 401 ? "auth.refused" : "access.refused", target: target,
                        outcome: .refused, detail: problem.detail))
            }
            throw error
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            try await audited(
                APIProblem.unauthorized("missing bearer token: send 'Authorization: Bearer <token>'"),
                organizationID: nil, actorID: nil, actor: "anonymous")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        // Every credential belongs to one organisation: this process answers for the one its map
        // describes, and a token of another organisation on the same database is no token here.
        guard let organizationID = RequestServices.current?.organization.id else {
            try await audited(APIProblem.unauthorized("the server is not running a map yet"), organizationID: nil, actorID: nil, actor: "anonymous")
        }
        if token.hasPrefix(ChannelTokens.prefix) {
            guard let found = try await channelTokens.channel(forToken: token, organizationID: organizationID) else {
                try await audited(APIProblem.unauthorized("the channel token is not valid"), organizationID: nil, actorID: nil, actor: "anonymous")
            }
            let actor = "channel \(found.channel)"
            let parts = request.uri.path.split(separator: "/")
            guard request.method == .post, parts.count == 5, parts[0...2] == ["api", "v1", "channels"], parts[4] == "messages" else {
                try await audited(
                    AccessError.forbidden("a channel token only posts its channel's messages"),
                    organizationID: found.organizationID, actorID: nil, actor: actor)
            }
            guard parts[3] == found.channel else {
                try await audited(
                    AccessError.forbidden("this token belongs to the '\(found.channel)' channel, not '\(parts[3])'"),
                    organizationID: found.organizationID, actorID: nil, actor: actor)
            }
            do {
                return try await RequestChannel.$current.withValue(found) { try await next(request, context) }
            } catch {
                try await audited(error, organizationID: found.organizationID, actorID: nil, actor: actor)
            }
        }
        var principal: Principal
        if let cached = cache.principal(for: token), cached.organizationID == organizationID {
            principal = cached
        } else if let found = try await directory.principal(forToken: token, organizationID: organizationID) {
            cache.store(found, for: token)
            principal = found
        } else {
            try await audited(APIProblem.unauthorized("the bearer token is not valid"), organizationID: nil, actorID: nil, actor: "anonymous")
        }
        // A role of the map means what the map running for this request says it means, and an
        // agent's entity grants are read against that map's entities.
        if let map = RequestServices.current?.configuration.map {
            guard let resolved = principal.resolved(in: map) else {
                try await audited(
                    AccessError.forbidden("the role '\(principal.roleName)' of this user is not in the running map"),
                    organizationID: principal.organizationID, actorID: principal.userID, actor: principal.name)
            }
            principal = resolved
        }
        do {
            return try await RequestPrincipal.$current.withValue(principal) { try await next(request, context) }
        } catch {
            try await audited(error, organizationID: principal.organizationID, actorID: principal.userID, actor: principal.name)
        }
    }
}

/// Recently seen tokens, so a burst of requests does not look the same token up each time.
/// Entries expire after a minute, which bounds how long a revoked token keeps working.
final class TokenCache: Sendable {
    private struct Entry {
        var principal: Principal
        var expires: ContinuousClock.Instant
    }
    private let entries = Mutex<[String: Entry]>([:])
    private let lifetime: Duration = .seconds(60)

    func principal(for token: String) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[token], entry.expires > .now else { return nil }
            return entry.principal
        }
    }

    /// Forgets every token seen, after a revocation made in this process.
    func forgetAll() { entries.withLock { $0.removeAll() } }

    func store(_ principal: Principal, for token: String) {
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[token] = Entry(principal: principal, expires: .now + lifetime)
        }
    }
}

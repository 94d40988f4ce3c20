import Foundation
import Hummingbird
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
/// channel's token (`rch_...`) is taken on its channel's message route and nowhere else.
struct AuthenticationMiddleware<Context: RequestContext>: RouterMiddleware {
    let directory: DirectoryRepository
    let channelTokens: ChannelTokens
    let cache: TokenCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIProblem.unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        if token.hasPrefix(ChannelTokens.prefix) {
            guard let found = try await channelTokens.channel(forToken: token) else { throw APIProblem.unauthorized("the channel token is not valid") }
            let parts = request.uri.path.split(separator: "/")
            guard request.method == .post, parts.count == 5, parts[0...2] == ["api", "v1", "channels"], parts[4] == "messages" else {
                throw AccessError.forbidden("a channel token only posts its channel's messages")
            }
            guard parts[3] == found.channel else {
                throw AccessError.forbidden("this token belongs to the '\(found.channel)' channel, not '\(parts[3])'")
            }
            return try await RequestChannel.$current.withValue(found) { try await next(request, context) }
        }
        let principal: Principal
        if let cached = cache.principal(for: token) {
            principal = cached
        } else if let found = try await directory.principal(forToken: token) {
            cache.store(found, for: token)
            principal = found
        } else {
            throw APIProblem.unauthorized("the bearer token is not valid")
        }
        return try await RequestPrincipal.$current.withValue(principal) { try await next(request, context) }
    }
}

/// Recently seen tokens, so a burst of requests does not look the same token up each time.
/// Entries expire after a minute, which bounds how long a revoked token keeps working.
final class TokenCache: Sendable {
    private struct Entry { var principal: Principal; var expires: ContinuousClock.Instant }
    private let entries = Mutex<[String: Entry]>([:])
    private let lifetime: Duration = .seconds(60)

    func principal(for token: String) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[token], entry.expires > .now else { return nil }
            return entry.principal
        }
    }

    func store(_ principal: Principal, for token: String) {
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[token] = Entry(principal: principal, expires: .now + lifetime)
        }
    }
}

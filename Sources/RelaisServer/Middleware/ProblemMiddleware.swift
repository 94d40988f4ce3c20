import Foundation
import Hummingbird
import Logging
import OpenAPIRuntime

/// The API's error boundary: whatever a handler, the generated OpenAPI layer or another middleware
/// throws becomes an `application/problem+json` response. Unexpected errors are logged as critical
/// and answered with a 500 that reveals nothing.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = ProblemResponse.problem(for: error)
            if problem.status >= 500 {
                context.logger.critical("request failed", metadata: ["path": .string(request.uri.path), "error": .string(String(reflecting: error))])
            }
            return ProblemResponse.response(problem)
        }
    }
}

/// Turns any error into the problem the client gets.
enum ProblemResponse {
    static func problem(for error: any Error) -> APIProblem {
        if let error = error as? ServerError {
            let underlying = unwrap(error.underlyingError)
            // Without a body, what did not decode is a path or query parameter (an unknown report name ...).
            if case let .dataCorrupted(context)? = underlying as? DecodingError, [.get, .head, .delete].contains(error.request.method) {
                return APIProblem("bad-request", .badRequest, "a path or query parameter is not valid: \(context.debugDescription)")
            }
            if underlying is APIProblem || underlying is DecodingError || !(underlying is HTTPResponseConvertible) {
                return APIProblem(underlying)
            }
            // Errors of the OpenAPI runtime itself: wrong content type, missing parameter, ...
            let status = error.httpStatus
            if status.code >= 500 { return .internalError }
            let slug = status == .unsupportedMediaType ? "unsupported-media-type" : "bad-request"
            let detail = String(describing: underlying)
            return APIProblem(slug, status, detail.isEmpty ? error.causeDescription : detail)
        }
        if let error = error as? HTTPError {
            if error.status.code >= 500 { return .internalError }
            return APIProblem(error.status == .notFound ? "not-found" : "bad-request", error.status, error.body ?? error.status.reasonPhrase)
        }
        return APIProblem(unwrap(error))
    }

    /// Digs the first error Relais knows out of the runtime's wrappers.
    static func unwrap(_ error: any Error) -> any Error {
        var current = error
        for _ in 0..<5 {
            let mirror = Mirror(reflecting: current)
            if current is DecodingError || current is APIProblem { return current }
            guard let inner = mirror.children.compactMap({ $0.value as? any Error }).first else { return current }
            current = inner
        }
        return current
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func response(_ problem: APIProblem) -> Response {
        let data = (try? encoder.encode(problem)) ?? Data()
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if problem.status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: .init(code: problem.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

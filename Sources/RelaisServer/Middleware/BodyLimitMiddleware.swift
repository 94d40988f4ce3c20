import Hummingbird

/// Refuses request bodies over the limit with 413 before any handler reads them.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBodySize: Int
    /// Imports and event logs to mine carry whole files and get a larger limit.
    let maxImportSize: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let carriesAFile = request.uri.path.hasPrefix("/api/v1/imports/") || request.uri.path == "/api/v1/process/mining"
        let maxSize = carriesAFile ? maxImportSize : maxBodySize
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxSize {
            throw APIProblem.tooLarge(maxSize)
        }
        guard [.post, .put, .patch].contains(request.method) else { return try await next(request, context) }
        var request = request
        do {
            _ = try await request.collectBody(upTo: maxSize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIProblem.tooLarge(maxSize)
        }
        return try await next(request, context)
    }
}

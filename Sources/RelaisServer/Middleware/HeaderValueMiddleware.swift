import Foundation
import HTTPTypes
import Hummingbird

/// The OpenAPI runtime percent-encodes response header values as if they were URI parts
/// (`ETag: %223%22`). HTTP wants `ETag: "3"` and `Location: /api/v1/tickets/INC-1`, so the
/// headers the API sets are decoded on the way out.
struct HeaderValueMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        for name in [HTTPField.Name.eTag, .location] {
            if let value = response.headers[name], value.contains("%"), let decoded = value.removingPercentEncoding {
                response.headers[name] = decoded
            }
        }
        return response
    }
}

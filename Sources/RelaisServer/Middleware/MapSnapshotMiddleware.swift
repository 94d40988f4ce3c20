import Hummingbird

/// The services a request runs on, taken once when it starts.
enum RequestServices {
    @TaskLocal static var current: RelaisServices?
}

/// Gives each request the services of the map version running when it arrives, so a map applied
/// meanwhile is seen by the next request, never by half of this one.
struct MapSnapshotMiddleware<Context: RequestContext>: RouterMiddleware {
    let runtime: MapRuntime

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await RequestServices.$current.withValue(runtime.current) { try await next(request, context) }
    }
}

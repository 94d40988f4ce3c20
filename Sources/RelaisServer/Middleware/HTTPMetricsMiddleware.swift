import Hummingbird
import Prometheus

/// Counts requests and their durations by method and status class, for `/metrics`.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let labels = [("method", request.method.rawValue), ("status", "\(response.status.code / 100)xx")]
        registry.makeCounter(descriptor: RelaisMetrics.httpRequests, labels: labels).increment()
        registry.makeDurationHistogram(
            descriptor: RelaisMetrics.httpDuration, labels: [("method", request.method.rawValue)],
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2)]
        ).record(elapsed)
        return response
    }
}

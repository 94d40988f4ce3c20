import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import RelaisAPIDocument
import RelaisCore
import RelaisStore

/// Builds the HTTP application over started services; `relais serve` and the tests both call it.
public func buildApplication(
    _ services: RelaisServices, onServerRunning: @escaping @Sendable () async -> Void = {}
) throws -> some ApplicationProtocol {
    var logger = Logger(label: "relais")
    logger.logLevel = services.configuration.logLevel
    let router = try buildRouter(services)
    return Application(
        router: router,
        configuration: .init(address: .hostname(services.configuration.host, port: services.configuration.port), serverName: "relais"),
        onServerRunning: { _ in await onServerRunning() },
        logger: logger
    )
}

/// The routes: operational ones first, then the API generated from `openapi.yaml`.
public func buildRouter(_ services: RelaisServices) throws -> Hummingbird.Router<RelaisRequestContext> {
    var logger = Logger(label: "relais.web")
    logger.logLevel = services.configuration.logLevel
    let router = Hummingbird.Router(context: RelaisRequestContext.self)
    router.add(middleware: HTTPMetricsMiddleware(registry: services.metrics))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: BodyLimitMiddleware(maxBodySize: services.configuration.maxBodySize, maxImportSize: services.configuration.maxImportSize))
    // The map version comes first: authentication reads the roles it declares.
    router.add(middleware: MapSnapshotMiddleware(runtime: services.runtime))
    router.add(
        middleware: AuthenticationMiddleware(
            directory: services.directory, channelTokens: services.channelTokens, cache: services.tokens,
            audit: AuditLog(database: services.database)))
    router.get("/openapi.yaml") { _, _ in
        guard let data = try? APIDocument.load() else { throw HTTPError(.notFound) }
        return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
    // The figures tell how busy the desk is and which routes fail: for the operator's scraper,
    // which holds RELAIS_METRICS_TOKEN; off when it is not set.
    let metricsToken = services.configuration.environment[RelaisConfiguration.metricsTokenVariable].flatMap { $0.isEmpty ? nil : $0 }
    router.get("/metrics") { request, _ in
        guard let metricsToken else {
            throw AccessError.forbidden("metrics are off: start the server with \(RelaisConfiguration.metricsTokenVariable) set and scrape with it")
        }
        let header = request.headers[.authorization] ?? ""
        guard header.lowercased().hasPrefix("bearer "), ConstantTime.equal(String(header.dropFirst(7)), metricsToken) else {
            throw APIProblem.unauthorized("send 'Authorization: Bearer' with the metrics token")
        }
        var buffer: [UInt8] = []
        services.metrics.emit(into: &buffer)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }
    TrackerHookRoute.register(on: router, runtime: services.runtime)
    WebRoutes.register(
        on: router, site: try WebSite.load(runtime: services.runtime, settings: services.configuration.web, logger: logger, now: services.now))
    router.add(middleware: HeaderValueMiddleware())
    // Compact, unsorted JSON: responses are read by programs first, and pretty printing and key
    // sorting cost measurable time at volume.
    try RelaisAPI(runtime: services.runtime).registerHandlers(on: router, configuration: .init(jsonEncodingOptions: []))
    return router
}

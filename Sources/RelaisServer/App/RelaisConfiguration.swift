import Foundation
import Logging
import RelaisCore
import RelaisIntegrations

/// How one `relais serve` process runs.
public struct RelaisConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// An SQLite file path or a `postgres://` URL.
    public var databaseURL: String
    /// The map this process runs (the running version's, once started).
    public var map: ProcessMap
    /// The text `map` was read from: version 1 of an organisation that has no map version yet.
    public var mapText: String
    /// Where the map file is: the files a map names (holiday calendars) are read relative to it.
    public var mapFile: String
    /// Largest request body accepted, in bytes.
    public var maxBodySize: Int
    /// Largest import file accepted on `/api/v1/imports/...`, in bytes.
    public var maxImportSize: Int
    public var logLevel: Logger.Level
    /// How events are sent to webhook endpoints, and whether private targets are allowed.
    public var webhooks: WebhookDispatcher.Settings
    /// How escalations are sent to developers' trackers, and the address of Relais their issues link back to.
    public var trackers: TrackerDispatcher.Settings
    /// The environment the trackers' credentials and webhook secrets are read from (the
    /// variables the map names).
    public var environment: [String: String]
    /// Sessions, passwords and cookies of the web workspace.
    public var web = WebSettings()

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databaseURL: String, map: ProcessMap, mapText: String, mapFile: String = "relais.map.yaml",
        maxBodySize: Int = 1 << 20, maxImportSize: Int = 64 << 20, logLevel: Logger.Level = .info,
        webhooks: WebhookDispatcher.Settings = .init(), trackers: TrackerDispatcher.Settings = .init(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.host = host
        self.port = port
        self.databaseURL = databaseURL
        self.map = map
        self.mapText = mapText
        self.mapFile = mapFile
        self.maxBodySize = maxBodySize
        self.maxImportSize = maxImportSize
        self.logLevel = logLevel
        self.webhooks = webhooks
        self.trackers = trackers
        self.environment = environment
    }

    /// The variable holding the token a metrics scraper sends (`/metrics` is off without it).
    public static let metricsTokenVariable = "RELAIS_METRICS_TOKEN"

    /// The organisation the map describes, as a URL-safe name.
    public var organizationSlug: String { map.organization.slug }
}

/// The bundled example map `relais serve --demo` runs.
public enum DemoMap {
    public static var url: URL? { Bundle.module.url(forResource: "acme.map", withExtension: "yaml", subdirectory: "demo") }
}

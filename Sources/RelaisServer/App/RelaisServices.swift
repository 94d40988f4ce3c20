import Foundation
import Logging
import Prometheus
import RelaisCore
import RelaisIntegrations
import RelaisMap
import RelaisProcess
import RelaisStore

/// Everything a running Relais holds for one version of its map: the database, the organisation
/// and the services over them. A request takes one of these when it starts and keeps it to the
/// end, so it never sees half of a map change; `runtime` swaps in the next one.
public struct RelaisServices: Sendable {
    public let configuration: RelaisConfiguration
    public let database: RelaisDatabase
    public let organization: Organization
    /// The map version these services run.
    public let mapVersion: MapVersion
    public let versions: MapVersions
    public let runtime: MapRuntime
    public let directory: DirectoryRepository
    public let crm: CRMService
    public let tickets: TicketService
    public let sla: SLAService
    public let process: ProcessService
    public let knowledge: KnowledgeService
    public let cmdb: CMDBService
    public let webhooks: WebhookService
    public let escalations: EscalationService
    public let mail: MailIntake
    public let channels: ChannelIntake
    public let channelTokens: ChannelTokens
    public let metrics: PrometheusCollectorRegistry
    let tokens: TokenCache
    let now: @Sendable () -> Date

    /// Opens the database, applies pending migrations, makes sure the map's organisation exists and
    /// runs the organisation's current map version (the configuration's map becomes version 1 of
    /// an organisation that has none).
    public static func start(_ configuration: RelaisConfiguration, now: @escaping @Sendable () -> Date = Date.init) async throws -> RelaisServices {
        var logger = Logger(label: "relais.store")
        logger.logLevel = configuration.logLevel
        let database = try RelaisDatabase.open(configuration.databaseURL, logger: logger)
        do {
            try await Migrator.migrate(database)
            // Secrets written before encryption (or before a key was given) are sealed now.
            try await WebhookRepository(database: database, secrets: configuration.webhooks.secrets).sealClearSecrets()
            let directory = DirectoryRepository(database: database, now: now)
            let organization = try await directory.ensureOrganization(slug: configuration.organizationSlug, name: configuration.map.organization.name)
            let versions = MapVersions(
                database: database,
                reader: MapText.reader(
                    file: configuration.mapFile,
                    allowPrivateEgress: configuration.webhooks.allowPrivateTargets), now: now)
            let running = try await versions.start(organizationID: organization.id, text: configuration.mapText)
            let runtime = MapRuntime()
            var adjusted = configuration
            adjusted.map = running.map
            let services = RelaisServices(
                configuration: adjusted, database: database, organization: organization, version: running.version, versions: versions,
                runtime: runtime,
                directory: directory, channelTokens: ChannelTokens(database: database), metrics: PrometheusCollectorRegistry(), tokens: TokenCache(),
                now: now)
            runtime.install(services)
            return services
        } catch {
            await database.close()
            throw error
        }
    }

    init(
        configuration: RelaisConfiguration, database: RelaisDatabase, organization: Organization, version: MapVersion, versions: MapVersions,
        runtime: MapRuntime, directory: DirectoryRepository, channelTokens: ChannelTokens, metrics: PrometheusCollectorRegistry, tokens: TokenCache,
        now: @escaping @Sendable () -> Date
    ) {
        let map = configuration.map
        self.configuration = configuration
        self.database = database
        self.organization = organization
        self.mapVersion = version
        self.versions = versions
        self.runtime = runtime
        self.directory = directory
        self.channelTokens = channelTokens
        self.metrics = metrics
        self.tokens = tokens
        self.now = now
        tickets = TicketService(map: map, database: database, now: now)
        mail = MailIntake(map: map, database: database, tickets: tickets, now: now)
        crm = CRMService(map: map, database: database, now: now)
        sla = SLAService(tickets: tickets, database: database, now: now)
        process = ProcessService(map: map, database: database, tickets: tickets)
        knowledge = KnowledgeService(map: map, database: database, tickets: tickets, now: now)
        cmdb = CMDBService(map: map, database: database, tickets: tickets, now: now)
        webhooks = WebhookService(
            database: database, allowPrivateTargets: configuration.webhooks.allowPrivateTargets,
            secrets: configuration.webhooks.secrets, now: now)
        channels = ChannelIntake(mail: mail)
        escalations = EscalationService(map: map, tickets: tickets, now: now)
    }

    /// The same process over another map version: what does not depend on the map (database,
    /// token cache, metrics) is shared.
    func running(_ version: MapVersion, map: ProcessMap) -> RelaisServices {
        var configuration = configuration
        configuration.map = map
        return RelaisServices(
            configuration: configuration, database: database, organization: organization, version: version, versions: versions,
            runtime: runtime, directory: directory, channelTokens: channelTokens, metrics: metrics, tokens: tokens, now: now)
    }

    /// The background SLA clock of this process.
    public var slaClock: SLAClockWorker { SLAClockWorker(database: database, tracker: sla.tracker, now: sla.now) }

    /// A webhook dispatcher for this process; the caller runs it and shuts it down.
    public func makeWebhookDispatcher() -> WebhookDispatcher {
        WebhookDispatcher(database: database, settings: configuration.webhooks, now: webhooks.now)
    }

    /// A dispatcher of escalations to developers' trackers for this process, following the
    /// running map's trackers; the caller runs it and shuts it down.
    public func makeTrackerDispatcher() -> TrackerDispatcher {
        var settings = configuration.trackers
        if settings.publicURL == nil { settings.publicURL = "http://\(configuration.host):\(configuration.port)" }
        let runtime = runtime
        return TrackerDispatcher(
            escalations: escalations.escalations, map: { runtime.current.configuration.map },
            environment: configuration.environment, settings: settings, now: now)
    }

    public func shutdown() async { await database.close() }
}

/// Map texts read for the store: problems carry their line and column.
public enum MapText {
    /// Reads map texts; the files a new text names are read relative to `file`. A server that
    /// does not allow private egress refuses a map naming a tracker, peer or connector on this
    /// machine or a private network, placed at the first line that names the address.
    public static func reader(file: String, allowPrivateEgress: Bool = true) -> MapVersions.Reader {
        { text, included in
            do {
                let read = try MapLoader.read(yaml: text, file: file, included: included)
                let egress = read.map.egressProblems(allowPrivate: allowPrivateEgress).map { problem in
                    let place = Self.place(of: problem.url, in: text)
                    return MapVersion.Problem(line: place.line, column: place.column, message: problem.message)
                }
                if !egress.isEmpty { return .failure(.init(problems: egress)) }
                return .success(.init(map: read.map, included: read.included))
            } catch let error as MapValidationError {
                // A problem in a named file says which file; the map's own problems need not.
                return .failure(
                    .init(
                        problems: error.problems.map { problem in
                            .init(
                                line: problem.line, column: problem.column,
                                message: problem.file == file ? problem.message : "\(problem.file): \(problem.message)")
                        }))
            } catch {
                return .failure(.init(problems: [.init(line: 1, column: 1, message: "\(error)")]))
            }
        }
    }

    /// Line and column (from 1) of the first occurrence of `needle` in `text`, or 1:1.
    static func place(of needle: String, in text: String) -> (line: Int, column: Int) {
        guard let range = text.range(of: needle) else { return (1, 1) }
        let before = text[..<range.lowerBound]
        let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let column = before.distance(from: before.lastIndex(of: "\n").map { before.index(after: $0) } ?? before.startIndex, to: before.endIndex) + 1
        return (line, column)
    }
}

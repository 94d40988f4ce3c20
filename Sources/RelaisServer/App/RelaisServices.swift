import Foundation
import Logging
import Prometheus
import RelaisCore
import RelaisIntegrations
import RelaisStore

/// Everything a running Relais holds: its database, the organisation of its map and the services
/// over them. Built once and shared by the HTTP layer, background work and tests.
public struct RelaisServices: Sendable {
    public let configuration: RelaisConfiguration
    public let database: RelaisDatabase
    public let organization: Organization
    public let directory: DirectoryRepository
    public let crm: CRMService
    public let tickets: TicketService
    public let sla: SLAService
    public let process: ProcessService
    public let knowledge: KnowledgeService
    public let cmdb: CMDBService
    public let webhooks: WebhookService
    public let mail: MailIntake
    public let channels: ChannelIntake
    public let channelTokens: ChannelTokens
    public let metrics: PrometheusCollectorRegistry
    let tokens: TokenCache

    /// Opens the database, applies pending migrations and makes sure the map's organisation exists.
    public static func start(_ configuration: RelaisConfiguration, now: @escaping @Sendable () -> Date = Date.init) async throws -> RelaisServices {
        var logger = Logger(label: "relais.store")
        logger.logLevel = configuration.logLevel
        let database = try RelaisDatabase.open(configuration.databaseURL, logger: logger)
        do {
            try await Migrator.migrate(database)
            let directory = DirectoryRepository(database: database)
            let organization = try await directory.ensureOrganization(slug: configuration.organizationSlug, name: configuration.map.organization.name)
            let tickets = TicketService(map: configuration.map, database: database, now: now)
            let mail = MailIntake(map: configuration.map, database: database, tickets: tickets, now: now)
            return RelaisServices(
                configuration: configuration, database: database, organization: organization, directory: directory,
                crm: CRMService(map: configuration.map, database: database, now: now), tickets: tickets, sla: SLAService(tickets: tickets, database: database, now: now),
                process: ProcessService(map: configuration.map, database: database, tickets: tickets),
                knowledge: KnowledgeService(map: configuration.map, database: database, tickets: tickets, now: now),
                cmdb: CMDBService(map: configuration.map, database: database, tickets: tickets, now: now),
                webhooks: WebhookService(database: database, allowPrivateTargets: configuration.webhooks.allowPrivateTargets, now: now),
                mail: mail, channels: ChannelIntake(mail: mail), channelTokens: ChannelTokens(database: database),
                metrics: PrometheusCollectorRegistry(), tokens: TokenCache())
        } catch {
            await database.close()
            throw error
        }
    }

    /// The background SLA clock of this process.
    public var slaClock: SLAClockWorker { SLAClockWorker(database: database, tracker: sla.tracker, now: sla.now) }

    /// A webhook dispatcher for this process; the caller runs it and shuts it down.
    public func makeWebhookDispatcher() -> WebhookDispatcher {
        WebhookDispatcher(database: database, settings: configuration.webhooks, now: webhooks.now)
    }

    public func shutdown() async { await database.close() }
}

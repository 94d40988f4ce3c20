import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RelaisCore
import RelaisIntegrations
import RelaisServer
import RelaisStore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Runs the Relais API over the process map.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "An SQLite file path, or a postgres:// URL (default: relais.sqlite, or relais-demo.sqlite with --demo).")
    var database: String?
    @Option(help: "The process map to run.") var map = "relais.map.yaml"
    @Flag(help: "Run the bundled example map with generated demo data and print a demo API token.") var demo = false
    @Option(help: "Tickets generated for --demo when the database has none.") var demoTickets = 3_000
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    @Flag(help: "Let webhooks, trackers and connectors call addresses on loopback or private networks (local development and tests).")
    var allowPrivateEgress = false
    @Flag(help: .hidden) var allowPrivateWebhooks = false
    @Flag(help: "Do not send webhooks from this process (another process on the same database sends them).") var noWebhookDispatch = false
    @Option(help: "Seconds between webhook tries, comma-separated (default: 12 tries over about three days).") var webhookRetryDelays: String?
    @Option(
        help:
            "Days sent webhooks, their tries and the outside events already delivered are kept (at least 1); dead letters and tickets' history stay.")
    var retentionDays = 30
    @Option(help: "Port of the SMTP listener taking mail for the map's mailboxes (off unless given).") var smtpPort: Int?
    @Option(help: "Address the SMTP listener binds (keep loopback behind the organisation's mail server).") var smtpHost = "127.0.0.1"
    @Option(
        help: "HOST:PORT of the SMTP relay that takes requesters' notices (acknowledgement, reply, solved, fix shipped); none are sent without it.")
    var smtpRelay: String?
    @Option(help: "Sender of notices for tickets that came by no mailbox of the map and whose family has none.") var mailFrom: String?
    @Option(
        help:
            "Seconds an endpoint has to answer a delivery; a process that dies mid-send leaves its batch to others once its lease (at least four times this) ends."
    )
    var webhookTimeout: Double = 15
    @Option(help: "The address people reach this Relais at, for the links back in issues opened in developers' trackers (default: http://HOST:PORT).")
    var publicURL: String?
    @Flag(help: "Send the session cookie without `Secure`, for plain http on an address other than loopback (never in production).")
    var insecureCookies = false
    @Option(help: "Address of a load balancer in front of Relais whose X-Forwarded-For is believed for sign-in throttling (repeatable).")
    var trustedProxy: [String] = []

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        var webhooks = WebhookDispatcher.Settings()
        webhooks.allowPrivateTargets = allowPrivateEgress || allowPrivateWebhooks
        guard webhookTimeout >= 1, webhookTimeout <= 120 else { throw ValidationError("--webhook-timeout must be between 1 and 120 seconds") }
        guard retentionDays >= 1 else { throw ValidationError("--retention-days must be at least 1, not \(retentionDays)") }
        let mapPath = demo ? try CLI.demoMapPath() : map
        let map = try CLI.loadMap(mapPath)
        let mapText = try String(contentsOfFile: mapPath, encoding: .utf8)
        webhooks.timeout = webhookTimeout
        webhooks.lease = webhookTimeout * 4
        if let webhookRetryDelays {
            let delays = webhookRetryDelays.split(separator: ",").map { TimeInterval($0.trimmingCharacters(in: .whitespaces)) }
            guard !delays.isEmpty, delays.allSatisfy({ ($0 ?? -1) > 0 }) else {
                throw ValidationError("--webhook-retry-delays must be positive numbers of seconds separated by commas")
            }
            webhooks.schedule = RetrySchedule(delays: delays.compactMap { $0 })
        }
        let relay = try smtpRelay.map { value in
            guard let client = SMTPClient(relay: value) else { throw ValidationError("--smtp-relay must be HOST or HOST:PORT, not '\(value)'") }
            return client
        }
        let sender = try mailFrom.map { value in
            guard let address = MailAddress.single(value) else { throw ValidationError("--mail-from must be a mail address, not '\(value)'") }
            return address
        }
        var trackers = TrackerDispatcher.Settings()
        if let publicURL {
            guard let url = URLComponents(string: publicURL), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false else {
                throw ValidationError("--public-url must be an http or https address, not '\(publicURL)'")
            }
            trackers.publicURL = publicURL
        }
        trackers.allowPrivateEgress = allowPrivateEgress || allowPrivateWebhooks
        var configuration = RelaisConfiguration(
            host: host, port: port, databaseURL: database ?? (demo ? "relais-demo.sqlite" : "relais.sqlite"), map: map, mapText: mapText,
            mapFile: mapPath, logLevel: level,
            webhooks: webhooks, trackers: trackers)
        configuration.web.secureCookies = !insecureCookies
        let environment = ProcessInfo.processInfo.environment
        var generatedKey: String?
        if let box = try SecretBox.fromEnvironment(environment) {
            configuration.webhooks.secrets = box
        } else if demo {
            // The demo makes its own key; kept only for this run, so printed for the next.
            let key = SecretBox.generateEncoded()
            configuration.webhooks.secrets = try SecretBox(encoded: key)
            generatedKey = key
        }
        configuration.web.trustedProxies = Set(trustedProxy)
        let services: RelaisServices
        do {
            services = try await RelaisServices.start(configuration)
        } catch let error as StoreError {
            CLI.printError("error: \(error)")
            throw ExitCode(1)
        }
        var banner = [
            "Relais \(map.organization.name) is listening on http://\(host):\(port)  (database: \(services.database.location), map version \(services.mapVersion.number))"
        ]
        if case let .success(read) = MapText.reader(file: mapPath)(mapText, nil),
            services.mapVersion.hash != MapVersions.digest(mapText, included: read.included)
        {
            banner.append(
                "Note: \(mapPath) differs from map version \(services.mapVersion.number), which runs; to change the map, `relais map propose \(mapPath) -m ...`, then approve and apply it."
            )
        }
        if let generatedKey {
            banner.append(
                "Secret key for this demo (webhook secrets are sealed with it; set it again to keep them): \(SecretBox.variable)=\(generatedKey)")
        } else if configuration.webhooks.secrets == nil {
            banner.append("Note: \(SecretBox.variable) is not set, so webhook endpoints cannot be added (their secrets are only kept encrypted).")
        }
        if demo {
            banner.append("Demo API token: \(try await prepareDemo(services))")
            banner.append(contentsOf: try await demoLogins(services, web: "http://\(host):\(port)/login"))
        }
        let lines = banner
        let app = try buildApplication(services) {
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
        var slaLogger = Logger(label: "relais.sla")
        slaLogger.logLevel = level
        var signalLogger = Logger(label: "relais.signals")
        signalLogger.logLevel = level
        var mailLogger = Logger(label: "relais.mail")
        mailLogger.logLevel = level
        var mapLogger = Logger(label: "relais.map")
        mapLogger.logLevel = level
        let loggers = (sla: slaLogger, signals: signalLogger, mail: mailLogger)
        // Work that reads the map runs on the services of the running version, and starts again on
        // those of each version applied later (here or by another process).
        let mapWork = Task { [relay, sender] in
            var tasks = Self.startMapWork(services, relay: relay, sender: sender, loggers: loggers)
            for await next in services.runtime.changes {
                tasks.forEach { $0.cancel() }
                for task in tasks { await task.value }
                tasks = Self.startMapWork(next, relay: relay, sender: sender, loggers: loggers)
            }
            tasks.forEach { $0.cancel() }
        }
        let mapFollower = Task { [mapLogger] in await services.runtime.follow(logger: mapLogger) }
        // Webhooks: hand outbox events to endpoints, send them, retry.
        var webhookLogger = Logger(label: "relais.webhooks")
        webhookLogger.logLevel = level
        let dispatcher = noWebhookDispatch ? nil : services.makeWebhookDispatcher()
        let dispatch = Task { [webhookLogger] in await dispatcher?.run(logger: webhookLogger) }
        // Escalations: open (or read) the issues of developers' trackers the map declares.
        var trackerLogger = Logger(label: "relais.trackers")
        trackerLogger.logLevel = level
        let trackerDispatcher = services.makeTrackerDispatcher()
        let escalating = Task { [trackerLogger] in await trackerDispatcher.run(logger: trackerLogger) }
        // Mail: an SMTP listener for the map's mailboxes, when asked for; each session takes the
        // intake of the version running when it opens.
        let runtime = services.runtime
        let smtp = smtpPort.map { port in
            Task { [mailLogger] in
                do {
                    try await SMTPListener(host: smtpHost, port: port, intake: { runtime.current.mail }, organizationID: services.organization.id)
                        .run(logger: mailLogger)
                } catch {
                    mailLogger.error("mail: the SMTP listener stopped: \(error)")
                }
            }
        }
        // What only served to tell the outside world, removed once older than the retention.
        let retention = Task { [webhookLogger, retentionDays] in
            await EventRetention(database: services.database, retention: TimeInterval(retentionDays) * 86_400).run(logger: webhookLogger)
        }
        try await app.runService()
        retention.cancel()
        smtp?.cancel()
        mapFollower.cancel()
        mapWork.cancel()
        dispatch.cancel()
        escalating.cancel()
        _ = await dispatch.value
        _ = await escalating.value
        await trackerDispatcher.shutdown()
        await dispatcher?.shutdown()
        await services.shutdown()
    }

    /// The background work that reads the map: SLA clocks (brought in line with the map first),
    /// business signals, and notices to requesters when a relay is given.
    static func startMapWork(
        _ services: RelaisServices, relay: SMTPClient?, sender: MailAddress?,
        loggers: (sla: Logger, signals: Logger, mail: Logger)
    ) -> [Task<Void, Never>] {
        let clock = Task {
            do {
                let updated = try await services.sla.reconcile()
                if updated > 0 { loggers.sla.info("SLA: re-evaluated \(updated) tickets for map version \(services.mapVersion.number)") }
            } catch {
                loggers.sla.warning("SLA: could not re-evaluate tickets: \(error)")
            }
            await services.slaClock.run(logger: loggers.sla)
        }
        let signals = Task { await services.crm.signals.run(logger: loggers.signals) }
        guard let relay else { return [clock, signals] }
        let notices = Task {
            let notifier = MailNotifier(map: services.configuration.map, database: services.database, settings: .init(from: sender))
            await MailSender(notifier: notifier, client: relay).run(logger: loggers.mail)
        }
        return [clock, signals, notices]
    }

    /// People to sign in to the web workspace as, each with a password made up for this start:
    /// the administrator, an agent of the first support and IT teams, and a requester who is a
    /// contact of a demo account.
    func demoLogins(_ services: RelaisServices, web: String) async throws -> [String] {
        let organization = services.organization.id
        let directory = services.directory
        let map = services.configuration.map
        let teams = map.teams.keys.sorted().filter { $0.hasSuffix("l1") }
        var people: [(name: String, role: String, email: String?)] = [("demo", "admin", nil), ("ada", "agent", nil)]
        let contacts = try await services.crm.repository.contacts(organizationID: organization, limit: 20, after: nil)
        if let contact = contacts.first(where: { $0.email != nil && $0.accountID != nil }) { people.append(("customer", "requester", contact.email)) }
        var lines = ["Web workspace: \(web)"]
        let passwords = Passwords(cost: 10)
        let sessions = WebSessions(database: services.database)
        for person in people {
            var user = try await directory.user(organizationID: organization, name: person.name)
            if user == nil {
                user = try await directory.addUser(organizationID: organization, name: person.name, email: person.email, roleName: person.role)
                if person.role == "agent", let added = user { try await directory.setTeams(teams, of: added) }
            }
            guard let user else { continue }
            let password = String(DirectoryRepository.newSecret().prefix(16))
            try await sessions.setPassword(hash: try await passwords.hash(password), of: user, at: Date())
            lines.append("Demo \(person.role) sign-in: \(person.name) / \(password)")
        }
        return lines
    }

    /// Fills an empty demo database and returns a fresh admin token for it.
    func prepareDemo(_ services: RelaisServices) async throws -> String {
        let page = try await services.tickets.tickets.list(TicketQuery(organizationID: services.organization.id))
        if page.tickets.isEmpty {
            let options = DemoData.Options(tickets: demoTickets)
            _ = try await DemoData(map: services.configuration.map, database: services.database)
                .generate(organizationID: services.organization.id, options: options)
            // A small knowledge base and CMDB to search and to walk; services serve demo accounts.
            let catalogue = DemoCatalogue(database: services.database)
            try await catalogue.generateArticles(300, organizationID: services.organization.id)
            let accounts = try await services.crm.repository.accounts(organizationID: services.organization.id, limit: 50, after: nil).map(\.id)
            _ = try await catalogue.generateCMDB(items: 400, relations: 1_200, accounts: accounts, organizationID: services.organization.id)
        }
        var user = try await services.directory.user(organizationID: services.organization.id, name: "demo")
        if user == nil {
            user = try await services.directory.addUser(organizationID: services.organization.id, name: "demo", email: nil, role: .admin)
        }
        guard let user else { throw ExitCode(1) }
        return try await services.directory.createToken(for: user, label: "demo")
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Applies pending database migrations.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let db = try RelaisDatabase.open(database.database)
        do {
            let applied = try await Migrator.migrate(db)
            print(applied.isEmpty ? "The database is up to date." : "Applied: \(applied.joined(separator: ", "))")
        } catch let error as StoreError {
            CLI.printError("error: \(error)")
            await db.close()
            throw ExitCode(1)
        }
        await db.close()
    }
}

import Crypto
import Foundation
import RelaisCore
import RelaisStore

/// What one outside CRM speaks: how its objects come in, and how tickets and roll-ups go out.
protocol CRMDialect: Sendable {
    /// The connector's name, as `crm_links` and the cursors know it.
    var name: String { get }
    /// Objects sent in one batch.
    var batchLimit: Int { get }
    /// Every object to mirror, by kind, as import rows (`external_id`, `account_external_id`...).
    func pull(_ caller: APICaller) async throws -> [(noun: String, kind: CRMObjectKind, rows: [ImportRow])]
    /// A ticket as the CRM holds it.
    func fields(of push: CRMPushes.TicketPush) -> [String: String]
    /// Sends tickets; the CRM's id of each one it took (by Relais key), and why it refused the others.
    func send(
        tickets: [(push: CRMPushes.TicketPush, fields: [String: String])], _ caller: APICaller
    ) async throws
        -> (ids: [String: String], refused: [String])
    /// Writes roll-ups to the CRM's accounts (by the CRM's account id); those it refused, with why.
    func send(rollups: [(account: String, fields: [String: String])], _ caller: APICaller) async throws -> [String: String]
    /// A roll-up as the CRM's account fields.
    func fields(of rollup: CRMSync.Rollup) -> [String: String]
}

/// Keeps an outside CRM and Relais in step, in the direction of the map's connector: the CRM's
/// objects come in as accounts, contacts and records (upserted by the CRM's ids), tickets of
/// accounts the CRM knows go out (only those changed since the last push, and only when what
/// the CRM would hold changed), and each account's roll-up goes out to its account.
public final class CRMSync: Sendable {
    public struct Settings: Sendable {
        public var tries = 6
        public var firstPause: TimeInterval = 1
        public var timeout: TimeInterval = 30
        /// Requests in any ten seconds (HubSpot's burst limit); nil for none kept here.
        public var burst: Int? = 100
        /// Objects per batch, at most what the CRM takes.
        public var batchSize = 100
        /// Whether the CRM may be on loopback or a private network (`EgressClient`).
        public var allowPrivateEgress = false
        public init() {}
    }

    public struct Report: Sendable, Equatable {
        public struct Pulled: Sendable, Equatable {
            public var noun: String
            public var report: ImportReport
        }
        public var pulled: [Pulled] = []
        public var ticketsPushed = 0
        public var ticketsUnchanged = 0
        /// Tickets the CRM refused, with its reason.
        public var refused: [String] = []
        public var rollupsPushed = 0
        public var retries = 0

        public func pulled(_ noun: String) -> ImportReport? { pulled.first { $0.noun == noun }?.report }
    }

    /// An account's roll-up, as every CRM receives it.
    public struct Rollup: Sendable {
        public var tickets: Int
        public var open: Int
        public var openSignals: Int
        public var awaitingFix: Int
        public var fixShipped: Int
        public var lastTicket: String?
    }

    let connection: CRMConnection
    let dialect: any CRMDialect
    let database: RelaisDatabase
    let organizationID: UUID
    let entities: [String]
    let settings: Settings
    let caller: APICaller
    let now: @Sendable () -> Date

    public init(
        connection: CRMConnection, map: ProcessMap, database: RelaisDatabase, organizationID: UUID,
        environment: [String: String] = ProcessInfo.processInfo.environment, settings: Settings = Settings(),
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(for: .milliseconds(Int($0 * 1000))) },
        now: @escaping @Sendable () -> Date = Date.init
    ) throws {
        guard let token = SecretVariable.value(connection.tokenVariable, in: environment) else {
            throw SyncStopped(reason: "environment variable \(connection.tokenVariable) (the \(connection.kind.rawValue) token) is not set")
        }
        self.connection = connection
        var settings = settings
        switch connection.kind {
        case .hubspot:
            dialect = HubSpotDialect(connection: connection, token: token, pageSize: settings.batchSize)
        case .salesforce:
            dialect = SalesforceDialect(connection: connection, token: token)
            settings.burst = nil
        }
        settings.batchSize = min(settings.batchSize, dialect.batchLimit)
        self.database = database
        self.organizationID = organizationID
        entities = map.entityOrder
        self.settings = settings
        self.now = now
        caller = APICaller(
            name: connection.kind.rawValue,
            limits: .init(
                tries: settings.tries, firstPause: settings.firstPause, timeout: settings.timeout,
                burst: settings.burst, window: 10, allowPrivate: settings.allowPrivateEgress),
            sleep: sleep, now: now)
    }

    public func shutdown() async { await caller.shutdown() }

    /// One sync, in the connector's direction: pull, then push.
    public func run() async throws -> Report {
        var report = Report()
        if connection.direction.pulls {
            for pulled in try await dialect.pull(caller) {
                let imported = try await CRMImporter(database: database, entities: entities, now: now).run(
                    pulled.rows, kind: pulled.kind,
                    organizationID: organizationID)
                report.pulled.append(.init(noun: pulled.noun, report: imported))
            }
        }
        if connection.direction.pushes {
            try await pushTickets(into: &report)
            report.rollupsPushed = try await pushRollups(into: &report)
        }
        report.retries = caller.retries
        return report
    }

    /// Sends tickets changed since the last push, a batch at a time.
    func pushTickets(into report: inout Report) async throws {
        let pushes = CRMPushes(database: database), cursors = PeerCursors(database: database)
        let source = "\(dialect.name):tickets"
        var mark = try await cursors.position(of: source, organizationID: organizationID)
            .flatMap { try? JSONDecoder().decode(CRMPushes.Mark.self, from: Data($0.cursor.utf8)) }
        while true {
            let batch = try await pushes.tickets(organizationID: organizationID, after: mark, limit: settings.batchSize)
            guard let last = batch.last else { break }
            let sent = try await pushes.links(
                connector: dialect.name, object: "ticket", organizationID: organizationID, localIDs: batch.map(\.ticket.id.text))
            var changed: [(push: CRMPushes.TicketPush, fields: [String: String], digest: String)] = []
            for push in batch {
                let fields = dialect.fields(of: push)
                // What the ticket is tied to counts too: a new association sends it again.
                var described = Dictionary(uniqueKeysWithValues: fields.map { ("field.\($0.key)", $0.value) })
                described["account"] = push.companyID
                for (kind, id) in push.linked { described["linked.\(kind.rawValue)"] = id }
                let digest = Self.digest(described)
                if sent[push.ticket.id.text]?.digest == digest { report.ticketsUnchanged += 1 } else { changed.append((push, fields, digest)) }
            }
            if !changed.isEmpty {
                let answer = try await dialect.send(tickets: changed.map { ($0.push, $0.fields) }, caller)
                try await pushes.record(
                    connector: dialect.name, object: "ticket", organizationID: organizationID,
                    changed.compactMap { item in answer.ids[item.push.ticket.key].map { (item.push.ticket.id.text, $0, item.digest) } },
                    at: now())
                report.ticketsPushed += answer.ids.count
                report.refused += answer.refused
            }
            mark = CRMPushes.Mark(updatedAt: Int64((last.ticket.updatedAt.timeIntervalSince1970 * 1000).rounded()), id: last.ticket.id.text)
            try await cursors.advance(
                source, to: String(decoding: try JSONEncoder().encode(mark), as: UTF8.self), records: batch.count,
                organizationID: organizationID, at: now())
            if batch.count < settings.batchSize { break }
        }
    }

    /// Writes each account's roll-up to the CRM when it changed since it was last written.
    func pushRollups(into report: inout Report) async throws -> Int {
        let pushes = CRMPushes(database: database)
        var after: String?, pushed = 0
        while true {
            let page = try await pushes.rollups(organizationID: organizationID, after: after, limit: settings.batchSize)
            guard !page.isEmpty else { break }
            let sent = try await pushes.links(
                connector: dialect.name, object: "rollup", organizationID: organizationID,
                localIDs: page.map(\.summary.accountID.text))
            var items: [(account: String, fields: [String: String])] = [], records: [(localID: String, remoteID: String, digest: String)] = []
            for (account, summary) in page {
                let counts = summary.counts["status_category"] ?? [:]
                let rollup = Rollup(
                    tickets: summary.tickets, open: ["new", "open", "pending"].reduce(0) { $0 + (counts[$1] ?? 0) },
                    openSignals: summary.openSignals, awaitingFix: summary.awaitingFix, fixShipped: summary.fixShipped,
                    lastTicket: summary.lastTicketKey)
                let fields = dialect.fields(of: rollup)
                let digest = Self.digest(fields.merging(["account": account]) { first, _ in first })
                guard sent[summary.accountID.text]?.digest != digest else { continue }
                items.append((account, fields))
                records.append((summary.accountID.text, account, digest))
            }
            if !items.isEmpty {
                let refused = try await dialect.send(rollups: items, caller)
                report.refused += refused.keys.sorted().map { "account \($0): \(refused[$0]!)" }
                try await pushes.record(
                    connector: dialect.name, object: "rollup", organizationID: organizationID,
                    records.filter { refused[$0.remoteID] == nil }, at: now())
                pushed += items.count - refused.count
            }
            after = page.last?.summary.accountID.text
            if page.count < settings.batchSize { break }
        }
        return pushed
    }

    /// A JSON request with the CRM's bearer token.
    static func request(_ method: String, _ url: String, token: String, body: [String: Any]?) -> OutboundRequest {
        OutboundRequest(
            method: method, url: url,
            headers: [
                "Authorization": "Bearer \(token)", "Accept": "application/json", "Content-Type": "application/json",
                "User-Agent": "Relais-CRM/1",
            ],
            body: body.map(OutboundHTTP.json))
    }

    static func digest(_ values: [String: String]) -> String {
        HexDigits.text(SHA256.hash(data: OutboundHTTP.json(values)))
    }

    /// The properties of an answer's object, as text.
    static func texts(_ object: [String: Any]?) -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in object ?? [:] {
            if let text = PeerJSON.text(value), !text.isEmpty { values[name] = text }
        }
        return values
    }
}

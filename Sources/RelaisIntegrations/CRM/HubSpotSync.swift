import Crypto
import Foundation
import RelaisCore
import RelaisStore

/// Keeps HubSpot and Relais in step, the way the map's connector says: companies, contacts and
/// deals come in as accounts, contacts and opportunities (upserted by HubSpot's ids); tickets of
/// accounts HubSpot knows go out as HubSpot tickets (batch upserted by their Relais key, in the
/// connector's pipeline and stage, associated with their company), and each account's roll-up
/// goes out as properties of its company. Only what changed since the last push is sent.
/// HubSpot's burst limit is kept on this side (100 requests in any 10 seconds), and a 429 or 5xx
/// is tried again after a pause.
public final class HubSpotSync: Sendable {
    public struct Settings: Sendable {
        public var tries = 6
        public var firstPause: TimeInterval = 1
        public var timeout: TimeInterval = 30
        /// Requests in any ten seconds (a private app's limit is 100 or more).
        public var burst = 100
        /// Objects per page read and per batch sent (HubSpot's batch endpoints take 100).
        public var batchSize = 100
        public init() {}
    }

    public struct Report: Sendable, Equatable {
        public var companies = ImportReport()
        public var contacts = ImportReport()
        public var deals = ImportReport()
        public var ticketsPushed = 0
        public var ticketsUnchanged = 0
        public var rollupsPushed = 0
        public var retries = 0
    }

    /// Company properties the roll-up is written to (they are created once in HubSpot, as numbers and a text).
    public static let rollupProperties = ["relais_tickets", "relais_open_tickets", "relais_open_signals", "relais_awaiting_fix", "relais_fix_shipped",
                                          "relais_last_ticket"]

    let connection: CRMConnection
    let token: String
    let database: RelaisDatabase
    let organizationID: UUID
    let entities: [String]
    let settings: Settings
    let caller: APICaller
    let now: @Sendable () -> Date

    public init(connection: CRMConnection, map: ProcessMap, database: RelaisDatabase, organizationID: UUID,
                environment: [String: String] = ProcessInfo.processInfo.environment, settings: Settings = Settings(),
                sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(for: .milliseconds(Int($0 * 1000))) },
                now: @escaping @Sendable () -> Date = Date.init) throws {
        guard let token = environment[connection.tokenVariable], !token.isEmpty else {
            throw SyncStopped(reason: "environment variable \(connection.tokenVariable) (the HubSpot token) is not set")
        }
        self.connection = connection
        self.token = token
        self.database = database
        self.organizationID = organizationID
        entities = map.entityOrder
        self.settings = settings
        self.now = now
        caller = APICaller(name: "hubspot", limits: .init(tries: settings.tries, firstPause: settings.firstPause, timeout: settings.timeout,
                                                         burst: settings.burst, window: 10), sleep: sleep, now: now)
    }

    public func shutdown() async { await caller.shutdown() }

    /// One sync, in the connector's direction: pull, then push.
    public func run() async throws -> Report {
        var report = Report()
        if connection.direction.pulls {
            report.companies = try await pull("companies", properties: ["name", "domain", "annualrevenue"] + [connection.tierProperty].compactMap { $0 },
                                              kind: .account, row: companyRow)
            report.contacts = try await pull("contacts", properties: ["email", "firstname", "lastname"], associations: "companies", kind: .contact,
                                             row: contactRow)
            report.deals = try await pull("deals", properties: ["dealname", "dealstage", "amount", "closedate", "deal_currency_code"], associations: "companies",
                                          kind: .opportunity, row: dealRow)
        }
        if connection.direction.pushes {
            (report.ticketsPushed, report.ticketsUnchanged) = try await pushTickets()
            report.rollupsPushed = try await pushRollups()
        }
        report.retries = caller.retries
        return report
    }

    // MARK: - In

    /// Reads every object of `object`, page after page, and imports them.
    func pull(_ object: String, properties: [String], associations: String? = nil, kind: CRMObjectKind,
              row: ([String: Any]) -> [String: String]?) async throws -> ImportReport {
        var rows: [ImportRow] = []
        var after: String?
        repeat {
            var items = [("limit", String(settings.batchSize)), ("properties", properties.joined(separator: ","))]
            if let associations { items.append(("associations", associations)) }
            if let after { items.append(("after", after)) }
            let answer = try await caller.send(request("GET", "/crm/v3/objects/\(object)?" + PeerFeed.query(items))).body
            guard let page = try? JSONSerialization.jsonObject(with: answer) as? [String: Any] else {
                throw SyncStopped(reason: "hubspot: the \(object) answer is not a JSON object")
            }
            for result in page["results"] as? [[String: Any]] ?? [] {
                if let values = row(result) { rows.append(ImportRow(line: rows.count + 1, values: values)) }
            }
            after = ((page["paging"] as? [String: Any])?["next"] as? [String: Any])?["after"] as? String
        } while after != nil
        return try await CRMImporter(database: database, entities: entities, now: now).run(rows, kind: kind, organizationID: organizationID)
    }

    static func properties(_ object: [String: Any]) -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in object["properties"] as? [String: Any] ?? [:] {
            if let text = PeerJSON.text(value), !text.isEmpty { values[name] = text }
        }
        return values
    }

    static func firstCompany(_ object: [String: Any]) -> String? {
        let results = ((object["associations"] as? [String: Any])?["companies"] as? [String: Any])?["results"] as? [[String: Any]]
        return results?.first.flatMap { PeerJSON.text($0["id"]) }
    }

    func companyRow(_ object: [String: Any]) -> [String: String]? {
        guard let id = PeerJSON.text(object["id"]) else { return nil }
        let properties = Self.properties(object)
        var values = ["external_id": id, "name": properties["name"] ?? "HubSpot company \(id)"]
        values["domain"] = properties["domain"]
        // HubSpot keeps revenue as a decimal text.
        values["annual_revenue"] = properties["annualrevenue"].flatMap(Double.init).map { String(Int($0.rounded())) }
        if let tier = connection.tierProperty { values["tier"] = properties[tier] }
        return values
    }

    func contactRow(_ object: [String: Any]) -> [String: String]? {
        guard let id = PeerJSON.text(object["id"]) else { return nil }
        let properties = Self.properties(object)
        let name = [properties["firstname"], properties["lastname"]].compactMap { $0 }.joined(separator: " ")
        var values = ["external_id": id, "name": name.isEmpty ? properties["email"] ?? "HubSpot contact \(id)" : name]
        values["email"] = properties["email"]
        values["account_external_id"] = Self.firstCompany(object)
        return values
    }

    func dealRow(_ object: [String: Any]) -> [String: String]? {
        guard let id = PeerJSON.text(object["id"]) else { return nil }
        let properties = Self.properties(object)
        var values = ["external_id": id, "name": properties["dealname"] ?? "HubSpot deal \(id)", "stage": properties["dealstage"] ?? "unknown"]
        values["amount"] = properties["amount"]
        values["currency"] = properties["deal_currency_code"] ?? connection.currency
        values["close_date"] = properties["closedate"].map { String($0.prefix(10)) }
        values["account_external_id"] = Self.firstCompany(object)
        return values
    }

    // MARK: - Out

    /// Sends tickets changed since the last push, a batch at a time; returns those sent and those unchanged.
    func pushTickets() async throws -> (pushed: Int, unchanged: Int) {
        let pushes = CRMPushes(database: database), cursors = PeerCursors(database: database)
        let source = "hubspot:tickets"
        var mark = try await cursors.position(of: source, organizationID: organizationID)
            .flatMap { try? JSONDecoder().decode(CRMPushes.Mark.self, from: Data($0.cursor.utf8)) }
        var pushed = 0, unchanged = 0
        while true {
            let batch = try await pushes.tickets(organizationID: organizationID, after: mark, limit: settings.batchSize)
            guard let last = batch.last else { break }
            let sent = try await pushes.links(connector: "hubspot", object: "ticket", organizationID: organizationID, localIDs: batch.map(\.ticket.id.text))
            var changed: [(push: CRMPushes.TicketPush, properties: [String: String], digest: String)] = []
            for push in batch {
                let properties = ticketProperties(push.ticket)
                let digest = Self.digest(properties.merging(["company": push.companyID]) { first, _ in first })
                if sent[push.ticket.id.text]?.digest == digest { unchanged += 1 } else { changed.append((push, properties, digest)) }
            }
            if !changed.isEmpty {
                let inputs: [[String: Any]] = changed.map { ["idProperty": "relais_key", "id": $0.push.ticket.key, "properties": $0.properties] }
                let answer = try await caller.send(request("POST", "/crm/v3/objects/tickets/batch/upsert", body: ["inputs": inputs])).body
                var ids: [String: String] = [:]  // Relais key -> HubSpot id
                let results = (try? JSONSerialization.jsonObject(with: answer) as? [String: Any])?["results"] as? [[String: Any]] ?? []
                for result in results {
                    if let id = PeerJSON.text(result["id"]), let key = Self.properties(result)["relais_key"] { ids[key] = id }
                }
                let associations: [[String: Any]] = changed.compactMap { item in
                    ids[item.push.ticket.key].map { ["from": ["id": $0], "to": ["id": item.push.companyID]] }
                }
                if !associations.isEmpty {
                    _ = try await caller.send(request("POST", "/crm/v4/associations/ticket/company/batch/associate/default", body: ["inputs": associations]))
                }
                try await pushes.record(connector: "hubspot", object: "ticket", organizationID: organizationID,
                                        changed.compactMap { item in ids[item.push.ticket.key].map { (item.push.ticket.id.text, $0, item.digest) } },
                                        at: now())
                pushed += ids.count
            }
            mark = CRMPushes.Mark(updatedAt: Int64((last.ticket.updatedAt.timeIntervalSince1970 * 1000).rounded()), id: last.ticket.id.text)
            try await cursors.advance(source, to: String(decoding: try JSONEncoder().encode(mark), as: UTF8.self), records: batch.count,
                                      organizationID: organizationID, at: now())
            if batch.count < settings.batchSize { break }
        }
        return (pushed, unchanged)
    }

    /// A ticket as HubSpot holds it: subject, content, pipeline and stage, priority, and the
    /// Relais key its upserts go by (a unique property created once in HubSpot).
    func ticketProperties(_ ticket: Ticket) -> [String: String] {
        var properties = ["relais_key": ticket.key, "subject": "[\(ticket.key)] \(ticket.title)", "content": ticket.description,
                          "hs_pipeline": connection.pipeline]
        properties["hs_pipeline_stage"] = connection.stages[ticket.statusCategory]
        switch ticket.priority {
        case "P1", "P2": properties["hs_ticket_priority"] = "HIGH"
        case "P3": properties["hs_ticket_priority"] = "MEDIUM"
        case "P4", "P5": properties["hs_ticket_priority"] = "LOW"
        default: break
        }
        return properties
    }

    /// Writes each account's roll-up to its company when it changed since it was last written.
    func pushRollups() async throws -> Int {
        let pushes = CRMPushes(database: database)
        var after: String?, pushed = 0
        while true {
            let page = try await pushes.rollups(organizationID: organizationID, after: after, limit: settings.batchSize)
            guard !page.isEmpty else { break }
            let sent = try await pushes.links(connector: "hubspot", object: "rollup", organizationID: organizationID,
                                              localIDs: page.map(\.summary.accountID.text))
            var inputs: [[String: Any]] = [], records: [(localID: String, remoteID: String, digest: String)] = []
            for (company, summary) in page {
                let counts = summary.counts["status_category"] ?? [:]
                let open = ["new", "open", "pending"].reduce(0) { $0 + (counts[$1] ?? 0) }
                let properties = ["relais_tickets": String(summary.tickets), "relais_open_tickets": String(open),
                                  "relais_open_signals": String(summary.openSignals), "relais_awaiting_fix": String(summary.awaitingFix),
                                  "relais_fix_shipped": String(summary.fixShipped), "relais_last_ticket": summary.lastTicketKey ?? ""]
                let digest = Self.digest(properties.merging(["company": company]) { first, _ in first })
                guard sent[summary.accountID.text]?.digest != digest else { continue }
                inputs.append(["id": company, "properties": properties])
                records.append((summary.accountID.text, company, digest))
            }
            if !inputs.isEmpty {
                _ = try await caller.send(request("POST", "/crm/v3/objects/companies/batch/update", body: ["inputs": inputs]))
                try await pushes.record(connector: "hubspot", object: "rollup", organizationID: organizationID, records, at: now())
                pushed += inputs.count
            }
            after = page.last?.summary.accountID.text
            if page.count < settings.batchSize { break }
        }
        return pushed
    }

    // MARK: -

    func request(_ method: String, _ path: String, body: [String: Any]? = nil) -> TrackerAPI.Request {
        TrackerAPI.Request(method: method, url: connection.url + path,
                           headers: ["Authorization": "Bearer \(token)", "Accept": "application/json", "Content-Type": "application/json",
                                     "User-Agent": "Relais-CRM/1"],
                           body: body.map(TrackerAPI.json))
    }

    static func digest(_ values: [String: String]) -> String {
        SHA256.hash(data: TrackerAPI.json(values)).map { String(format: "%02x", $0) }.joined()
    }
}

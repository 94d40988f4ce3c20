import Foundation
import HTTPTypes
import RelaisCore
import RelaisIntegrations
import RelaisStore
import RelaisTestSupport
import SQLKit
import Synchronization
import Testing

/// The pauses a sync asked for, without waiting them.
final class PauseLog: Sendable {
    let pauses = Mutex<[TimeInterval]>([])
    func record(_ seconds: TimeInterval) { pauses.withLock { $0.append(seconds) } }
    var all: [TimeInterval] { pauses.withLock { $0 } }
}

/// `relais sync` against stub servers that answer as the tools' APIs do, page by page.
@Suite struct PeerSyncTests {
    static let environment = [
        "RELAIS_ZD_USER": "agent@acme.example", "RELAIS_ZD_TOKEN": "zd-token", "RELAIS_SN_USER": "relais", "RELAIS_SN_PASSWORD": "sn-pass",
    ]

    struct Setup {
        let database: RelaisDatabase
        let organizationID: UUID
        let map: ProcessMap
        let stub: APIStub
        let pauses = PauseLog()

        func sync(_ source: String, tries: Int = 4, pageSize: Int = 3) throws -> PeerSync {
            var settings = PeerSync.Settings()
            settings.allowPrivateEgress = true  // the stub tool listens on loopback
            settings.tries = tries
            settings.pageSize = pageSize
            settings.timeout = 30  // a loaded machine answers late; no test here waits on it
            let pauses = pauses
            return try PeerSync(
                connection: try #require(map.peers[source]), map: map, database: database, organizationID: organizationID,
                environment: PeerSyncTests.environment, settings: settings, sleep: { seconds in pauses.record(seconds) })
        }

        func run(_ sync: PeerSync) async throws -> PeerSync.Report {
            try await using(sync, close: { await $0.shutdown() }) { try await $0.run() }
        }

        func count(_ source: String) async throws -> Int {
            try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM peer_tickets WHERE source = \(bind: source)").first(decodingColumn: "n", as: Int.self)
                    ?? 0
            }
        }
    }

    static func with(_ engine: Engine, _ body: (Setup) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            let organization = try await DirectoryRepository(database: database).ensureOrganization(slug: "acme", name: "Acme")
            let stub = try await APIStub.start { _, _ in .init(status: .notFound) }
            var map = try ExampleMap.load()
            map.peers = [
                "zendesk": PeerConnection(source: "zendesk", url: stub.url, userVariable: "RELAIS_ZD_USER", tokenVariable: "RELAIS_ZD_TOKEN"),
                "servicenow": PeerConnection(
                    source: "servicenow", url: stub.url, userVariable: "RELAIS_SN_USER", tokenVariable: "RELAIS_SN_PASSWORD",
                    since: Date(timeIntervalSince1970: 1_790_000_000)),
            ]
            do {
                try await body(Setup(database: database, organizationID: organization.id, map: map, stub: stub))
                await stub.stop()
            } catch {
                await stub.stop()
                throw error
            }
        }
    }

    /// A page of Zendesk's cursor-based incremental export.
    static func zendeskPage(_ ids: ClosedRange<Int>, after: String, end: Bool) -> [UInt8] {
        let tickets = ids.map { id in
            #"{"id":\#(id),"subject":"Ticket \#(id)","description":"d","status":"open","type":"problem","priority":"high","via":{"channel":"web"},"created_at":"2026-10-20T09:00:00Z","updated_at":"2026-10-20T10:\#(String(format: "%02d", id % 60)):00Z"}"#
        }
        return Array(
            #"{"tickets":[\#(tickets.joined(separator: ","))],"after_cursor":"\#(after)","before_cursor":null,"end_of_stream":\#(end)}"#.utf8)
    }

    static func query(_ path: String) -> [String: String] {
        var items: [String: String] = [:]
        for item in URLComponents(string: "http://x\(path)")?.queryItems ?? [] { items[item.name] = item.value }
        return items
    }

    @Test(arguments: Engine.available)
    func zendeskIsReadCursorAfterCursorWaitingWhenToldAndResumesWhereItStopped(engine: Engine) async throws {
        try await Self.with(engine) { s in
            s.stub.answer { _, request in
                let query = Self.query(request.path)
                switch query["cursor"] ?? "start:" + (query["start_time"] ?? "") {
                case "start:0": return .init(status: .ok, body: Self.zendeskPage(1...3, after: "c1", end: false))
                case "c1":
                    // The first try of the second page is rate-limited.
                    let tries = s.stub.requests.filter { Self.query($0.path)["cursor"] == "c1" }.count
                    return tries == 1
                        ? .init(status: .tooManyRequests, headers: [.retryAfter: "7"])
                        : .init(status: .ok, body: Self.zendeskPage(4...5, after: "c2", end: true))
                case "c2": return .init(status: .ok, body: Self.zendeskPage(5...6, after: "c3", end: true))
                default: return .init(status: .badRequest)
                }
            }
            let first = try await s.run(try s.sync("zendesk"))
            #expect(first.pages == 2 && first.retries == 1 && first.caughtUp && first.imported.created == 5 && first.imported.skipped.isEmpty)
            #expect(s.pauses.all == [7])
            let requests = s.stub.requests
            #expect(requests.first?.path.hasPrefix("/api/v2/incremental/tickets/cursor.json?start_time=0") == true)
            #expect(requests.first?.headers["authorization"] == "Basic " + Data("agent@acme.example/token:zd-token".utf8).base64EncodedString())
            #expect(try await s.count("zendesk") == 5)
            let position = try #require(try await PeerCursors(database: s.database).position(of: "zendesk", organizationID: s.organizationID))
            #expect(PeerFeed.Cursor.read(position.cursor) == PeerFeed.Cursor(cursor: "c2") && position.records == 5 && position.lastError == nil)

            // The next sync starts from the stored cursor: ticket 5 again (changed or not) and ticket 6.
            let second = try await s.run(try s.sync("zendesk"))
            #expect(Self.query(s.stub.requests.last?.path ?? "")["cursor"] == "c2")
            #expect(second.imported.created == 1 && second.imported.unchanged == 1 && second.pages == 1)
            #expect(try await s.count("zendesk") == 6)
        }
    }

    @Test(arguments: Engine.available)
    func aToolThatStaysDownStopsTheSyncAfterItsTriesAndTheNextOneResumes(engine: Engine) async throws {
        try await Self.with(engine) { s in
            let down = Mutex(true)
            s.stub.answer { _, request in
                let query = Self.query(request.path)
                if query["start_time"] != nil { return .init(status: .ok, body: Self.zendeskPage(1...3, after: "c1", end: false)) }
                if down.withLock({ $0 }) { return .init(status: .badGateway, body: Array(#"{"error":"upstream"}"#.utf8)) }
                return .init(status: .ok, body: Self.zendeskPage(4...5, after: "c2", end: true))
            }
            await #expect(throws: PeerSync.Stopped.self) { _ = try await s.run(try s.sync("zendesk", tries: 3)) }
            #expect(s.pauses.all == [1, 2])
            #expect(try await s.count("zendesk") == 3)
            let stopped = try #require(try await PeerCursors(database: s.database).position(of: "zendesk", organizationID: s.organizationID))
            #expect(PeerFeed.Cursor.read(stopped.cursor)?.cursor == "c1")
            #expect(stopped.lastError == "zendesk failed 3 times (last: HTTP 502: upstream); the next sync resumes after the last page imported")

            down.withLock { $0 = false }
            let before = s.stub.requests.count
            let resumed = try await s.run(try s.sync("zendesk"))
            #expect(s.stub.requests.count == before + 1 && Self.query(s.stub.requests.last?.path ?? "")["cursor"] == "c1")
            #expect(resumed.imported.created == 2 && resumed.caughtUp)
            #expect(try await s.count("zendesk") == 5)
            // A refusal (4xx) is not tried again.
            s.stub.answer { _, _ in .init(status: .unauthorized, body: Array(#"{"error":"Couldn't authenticate you"}"#.utf8)) }
            let pauses = s.pauses.all.count
            await #expect(
                throws: PeerSync.Stopped(
                    reason:
                        "zendesk answered HTTP 401: Couldn't authenticate you to GET \(s.stub.url)/api/v2/incremental/tickets/cursor.json?cursor=c2&per_page=3"
                )
            ) {
                _ = try await s.run(try s.sync("zendesk"))
            }
            #expect(s.pauses.all.count == pauses)
        }
    }

    @Test(arguments: Engine.available)
    func serviceNowIsReadByUpdateTimeWithoutLosingRecordsThatShareAnInstant(engine: Engine) async throws {
        try await Self.with(engine) { s in
            // Seven incidents; four were updated in the same second (a mass update), more than a page holds.
            let times = [
                "2026-10-05 09:00:00", "2026-10-05 09:10:00", "2026-10-05 09:10:00", "2026-10-05 09:10:00", "2026-10-05 09:10:00",
                "2026-10-05 09:20:00", "2026-10-05 09:30:00",
            ]
            let records = times.enumerated().map { index, time in (id: String(format: "sys%02d", index), updated: time) }
            s.stub.answer { _, request in
                let query = Self.query(request.path)
                let filter = query["sysparm_query"] ?? ""
                guard filter.hasPrefix("sys_updated_on>="), filter.hasSuffix("^ORDERBYsys_updated_on^ORDERBYsys_id") else {
                    return .init(status: .badRequest)
                }
                let since = String(filter.dropFirst("sys_updated_on>=".count).prefix(19))
                let limit = Int(query["sysparm_limit"] ?? "") ?? 10, offset = Int(query["sysparm_offset"] ?? "") ?? 0
                let chosen = records.filter { $0.updated >= since }.sorted { ($0.updated, $0.id) < ($1.updated, $1.id) }.dropFirst(offset).prefix(
                    limit)
                let result = chosen.map { record in
                    #"{"sys_id":"\#(record.id)","number":"INC\#(record.id)","short_description":"Incident \#(record.id)","state":"2","impact":"2","urgency":"2","opened_at":"2026-10-05 08:00:00","sys_updated_on":"\#(record.updated)","sys_updated_by":"beth.anglin"}"#
                }
                return .init(status: .ok, body: Array(#"{"result":[\#(result.joined(separator: ","))]}"#.utf8))
            }
            let report = try await s.run(try s.sync("servicenow", pageSize: 3))
            #expect(report.caughtUp && report.imported.created == 7 && report.imported.skipped.isEmpty, "\(report)")
            #expect(try await s.count("servicenow") == 7)
            let first = try #require(s.stub.requests.first)
            #expect(
                first.path.hasPrefix("/api/now/table/incident?")
                    && Self.query(first.path)["sysparm_query"]?.hasPrefix("sys_updated_on>=2026-09-21 ") == true)
            #expect(first.headers["authorization"] == "Basic " + Data("relais:sn-pass".utf8).base64EncodedString())
            #expect(s.stub.requests.contains { Self.query($0.path)["sysparm_offset"] != nil }, "the mass update was read by offset")
            // A second sync reads again only what was updated at the last instant, and creates nothing.
            let again = try await s.run(try s.sync("servicenow", pageSize: 3))
            #expect(again.imported.created == 0 && again.imported.received == 0 && again.caughtUp)
        }
    }

    @Test func jiraAndFreshserviceAreAskedByUpdateTimeOldestFirst() throws {
        let since = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21 14:13:20 UTC
        let jira = PeerFeed(
            connection: PeerConnection(
                source: "jira", url: "https://acme.atlassian.net", userVariable: "U", tokenVariable: "T",
                since: since, query: "project = SUP"),
            credentials: .init(token: "atl", user: "relais@acme.example"), pageSize: 50)
        let request = jira.request(after: nil)
        let query = Self.query(String(request.url.dropFirst("https://acme.atlassian.net".count)))
        #expect(request.url.hasPrefix("https://acme.atlassian.net/rest/api/3/search/jql?"))
        #expect(query["jql"] == #"(project = SUP) AND updated >= "2026/09/21 14:13" ORDER BY updated ASC, key ASC"#)
        #expect(query["maxResults"] == "50" && query["expand"] == "changelog")
        var paris = jira.connection
        paris.timezone = "Europe/Paris"
        let local = PeerFeed(connection: paris, credentials: .init(token: "atl", user: "u"), pageSize: 50).request(after: nil)
        #expect(
            Self.query(String(local.url.dropFirst("https://acme.atlassian.net".count)))["jql"]?.contains(#"updated >= "2026/09/21 16:13""#) == true)
        #expect(request.headers["Authorization"] == "Basic " + Data("relais@acme.example:atl".utf8).base64EncodedString())
        // Jira's filter has minutes: issues of the cursor's minute already read are dropped.
        let answer = Data(
            #"{"issues":[{"key":"SUP-1","fields":{"summary":"a","status":{"name":"Open"},"created":"2026-09-21T14:13:05.000+0000","updated":"2026-09-21T14:13:40.000+0000"}},{"key":"SUP-2","fields":{"summary":"b","status":{"name":"Open"},"created":"2026-09-21T14:13:05.000+0000","updated":"2026-09-21T14:13:50.000+0000"}}],"isLast":true}"#
                .utf8)
        let page = try jira.page(answer, after: PeerFeed.Cursor(time: 1_789_999_980_000, seen: ["SUP-1"]))
        #expect(page.inputs.count == 1 && page.cursor == PeerFeed.Cursor(time: 1_789_999_980_000, seen: ["SUP-1", "SUP-2"]) && page.caughtUp)
        // An issue older than the cursor (a filter read in another zone) is not read again, and the cursor does not go back.
        let older = try jira.page(answer, after: PeerFeed.Cursor(time: 1_790_000_040_000, seen: []))
        #expect(older.inputs.isEmpty && older.cursor.time == 1_790_000_040_000)

        let freshservice = PeerFeed(
            connection: PeerConnection(source: "freshservice", url: "https://acme.freshservice.com", tokenVariable: "K", since: since),
            credentials: .init(token: "fs-key"), pageSize: 100)
        let asked = freshservice.request(after: nil)
        let items = Self.query(String(asked.url.dropFirst("https://acme.freshservice.com".count)))
        #expect(asked.url.hasPrefix("https://acme.freshservice.com/api/v2/tickets?"))
        #expect(items["updated_since"] == "2026-09-21T14:13:20Z" && items["order_by"] == "updated_at" && items["order_type"] == "asc")
        #expect(asked.headers["Authorization"] == "Basic " + Data("fs-key:X".utf8).base64EncodedString())
    }
}

import Foundation
import RelaisCore
import RelaisIntegrations
import RelaisStore
import RelaisTestSupport
import SQLKit
import Synchronization
import Testing

/// ServiceNow incidents brought in through the demo map's mappings: what is imported, what is
/// reported, and that importing again duplicates nothing.
@Suite struct PeerImportTests {
    func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text.replacingOccurrences(of: " ", with: "T") + "Z")! }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/peers/servicenow-incidents.json")

    static func inputs(_ transform: (String) -> String = { $0 }) throws -> [PeerInput] {
        try ServiceNowRecords.read(Data(transform(try String(contentsOf: fixture, encoding: .utf8)).utf8))
    }

    @Test func theTableAPIShapeIsReadAndBadRecordsArePlaced() throws {
        let inputs = try Self.inputs()
        #expect(inputs.count == 7)
        let first = try inputs[0].record.get()
        #expect(first.externalID == "9d385017c611228701d22104cc95c371" && first.title == "Email server unreachable from the Lyon office")
        #expect(first.values["assignment_group"] == "Network" && first.values["state"] == "2" && first.values["table"] == "incident")
        #expect(first.createdAt == utc("2026-10-05 08:12:30"))
        let closed = try inputs[1].record.get()
        #expect(closed.history.map(\.to) == ["6", "7"] && closed.history.map(\.actor) == ["itil", "itil"])
        let problems = inputs.compactMap { input -> String? in
            if case let .failure(problem) = input.record { return problem.description }
            return nil
        }
        #expect(
            problems == ["record 5: no sys_id", "record 6: opened_at: 'last tuesday' is not a time (yyyy-MM-dd HH:mm:ss)", "record 7: not an object"])
        #expect(throws: PeerRecordProblem.self) { try ServiceNowRecords.read(Data("[1,".utf8)) }
    }

    @Test(arguments: Engine.available)
    func incidentsAreMappedImportedWithTheirHistoryAndReimportedWithoutDuplicates(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let importer = PeerImporter(database: database, map: fixture.map)
            let org = fixture.organization.id
            let report = try await importer.run(try Self.inputs(), fields: ServiceNowRecords.referentialFields, organizationID: org)
            #expect(report.received == 7 && report.created == 3 && report.updated == 0 && report.unchanged == 0)
            #expect(report.skipped.map(\.position) == ["record 4", "record 5", "record 6", "record 7"])
            #expect(report.skipped[0].reason.contains("no mapping of 'servicenow' gives a status or status category of workflow 'itil-incident'"))
            // Every local value no mapping covers, with how many records hold it.
            #expect(report.uncovered["state"] == ["9": 1])
            #expect(report.uncovered["category"] == ["Hardware": 1])
            #expect(report.uncovered["priority"] == ["2": 1, "5": 1])
            #expect(report.uncovered["contact_type"] == ["email": 1, "phone": 1, "self-service": 1])
            #expect(report.uncovered["assignment_group"] == nil && report.uncovered["table"] == nil)

            let tickets = try await fixture.service.list(TicketQuery(organizationID: org), by: fixture.agent).tickets
            #expect(tickets.count == 3)
            let lyon = try #require(tickets.first { $0.title.hasPrefix("Email server") })
            // State 2 maps to the open category: the workflow's first open status.
            #expect(lyon.family == "incident" && lyon.status == "assigned" && lyon.team == "it-l2" && lyon.level == 2)
            #expect(lyon.impact == "high" && lyon.urgency == "medium" && lyon.priority == "P2" && lyon.category == "network")
            #expect(lyon.createdAt == utc("2026-10-05 08:12:30") && lyon.entity == "acme-sas")
            // The history keeps the tool's times: opened, resolved, closed.
            let closed = try #require(tickets.first { $0.title.hasPrefix("Cannot install") })
            let events = try await fixture.service.events(key: closed.key, by: fixture.agent)
            #expect(events.map(\.change.kind) == [.created, .statusChanged, .statusChanged])
            #expect(events.map(\.change.to) == ["new", "resolved", "closed"])
            #expect(
                events.map(\.occurredAt) == [
                    utc("2026-10-01 14:00:00"), utc("2026-10-02 11:30:00"),
                    utc("2026-10-04 10:00:00"),
                ])
            // The raw values stay beside the ticket.
            let raw = try await database.read { db in
                try await db.select().column("raw").from("peer_tickets").where("ticket_id", .equal, lyon.id.text).first()
            }
            #expect(try raw?.decode(column: "raw", as: String.self).contains(#""assignment_group":"Network""#) == true)

            // Again: nothing new. Then the tool moved one incident on: only that one changes.
            let again = try await importer.run(try Self.inputs(), fields: ServiceNowRecords.referentialFields, organizationID: org)
            #expect(again.created == 0 && again.updated == 0 && again.unchanged == 3)
            let moved = try Self.inputs {
                $0.replacingOccurrences(of: #""state": "2""#, with: #""state": "6""#)
                    .replacingOccurrences(of: #""sys_updated_on": "2026-10-05 09:40:00""#, with: #""sys_updated_on": "2026-10-05 16:00:00""#)
            }
            let third = try await importer.run(moved, fields: ServiceNowRecords.referentialFields, organizationID: org)
            #expect(third.created == 0 && third.updated == 1 && third.unchanged == 2)
            let resolved = try await fixture.service.find(key: lyon.key, by: fixture.agent)
            #expect(resolved.status == "resolved" && resolved.statusCategory == .solved && resolved.version == lyon.version + 1)
            let last = try #require(try await fixture.service.events(key: lyon.key, by: fixture.agent).last)
            #expect(last.change.to == "resolved" && last.occurredAt == utc("2026-10-05 16:00:00") && last.actor == "servicenow")
            #expect(try await fixture.service.list(TicketQuery(organizationID: org), by: fixture.agent).tickets.count == 3)

            // The same request entered in Jira an hour later is found as a double entry.
            let jira = PeerRecord(
                source: "jira", externalID: "OPS-99", title: "Lyon office: email server unreachable",
                values: ["issuetype": "Task", "status": "To Do"], createdAt: utc("2026-10-05 09:12:30"))
            #expect(try await importer.run([PeerInput(position: "issue 1", record: .success(jira))], fields: [], organizationID: org).created == 1)
            let pairs = try await DoubleEntries(database: database).pairs(
                organizationID: org, from: utc("2026-10-01 00:00:00"), to: utc("2026-11-01 00:00:00"))
            #expect(pairs.map(\.tools) == ["jira + servicenow"] && pairs.first?.first.key == lyon.key, "\(pairs)")
            #expect(
                try await DoubleEntries(database: database).pairs(
                    organizationID: org, from: utc("2026-10-01 00:00:00"), to: utc("2026-11-01 00:00:00"),
                    window: 1_800
                ).isEmpty)
        }
    }

    /// An import larger than a batch goes through the two stages (rows built for the next batch
    /// while one is written): every record is accounted for once, numbers follow on across
    /// batches, coverage counts every record, progress only goes forward, and a record given twice
    /// across two batches is taken at its last occurrence.
    @Test(arguments: Engine.available)
    func importsOfSeveralBatchesAccountForEveryRecordOnce(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let org = fixture.organization.id
            let count = PeerImporter.firstBatchSize + 1_300
            var inputs = (0..<count).map { index in
                PeerInput(
                    position: "record \(index + 1)",
                    record: .success(
                        PeerRecord(
                            source: "servicenow", externalID: "inc-\(index)", title: "Incident \(index)",
                            values: [
                                "table": "incident", "state": index % 2 == 0 ? "2" : "6", "assignment_group": "Network", "contact_type": "phone",
                            ],
                            createdAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(index) * 60))))
            }
            // The first record again at the end, with another title: the later one is imported.
            inputs.append(
                PeerInput(
                    position: "record \(count + 1)",
                    record: .success(
                        PeerRecord(
                            source: "servicenow", externalID: "inc-0", title: "Incident 0, retitled",
                            values: ["table": "incident", "state": "2", "assignment_group": "Network", "contact_type": "phone"],
                            createdAt: Date(timeIntervalSince1970: 1_790_000_000)))))
            // One the mappings cannot place, in the second batch.
            inputs[PeerImporter.firstBatchSize + 10] = PeerInput(
                position: "record \(PeerImporter.firstBatchSize + 11)",
                record: .success(
                    PeerRecord(
                        source: "servicenow", externalID: "odd", title: "Odd", values: ["table": "incident", "state": "9"],
                        createdAt: Date(timeIntervalSince1970: 1_790_000_000))))
            let seen = Mutex<[Int]>([])
            let report = try await PeerImporter(database: database, map: fixture.map)
                .run(inputs, fields: ServiceNowRecords.referentialFields, organizationID: org) { done in seen.withLock { $0.append(done) } }
            #expect(report.received == count + 1 && report.created == count - 1)
            #expect(report.skipped.map(\.position) == ["record 1", "record \(PeerImporter.firstBatchSize + 11)"])
            #expect(report.uncovered["contact_type"] == ["phone": count] && report.uncovered["state"] == ["9": 1])
            let progress = seen.withLock { $0 }
            #expect(progress.count >= 2 && progress == progress.sorted() && progress.last == inputs.count)
            let stored = try await database.read { db in
                try await db.select().column("key").column("title").from("tickets").where("organization_id", .equal, org.text).all()
            }
            let keys = try stored.map { try $0.decode(column: "key", as: String.self) }
            #expect(Set(keys).count == count - 1 && keys.count == count - 1)
            let numbers = keys.compactMap { $0.split(separator: "-").last.flatMap { Int($0) } }.sorted()
            #expect(numbers == Array(numbers.first!..<(numbers.first! + count - 1)))
            #expect(try stored.contains { try $0.decode(column: "title", as: String.self) == "Incident 0, retitled" })
            let again = try await PeerImporter(database: database, map: fixture.map)
                .run(inputs, fields: ServiceNowRecords.referentialFields, organizationID: org)
            #expect(again.created == 0 && again.unchanged == count - 1)
        }
    }

    @Test func everyRecordEndsInAValidFamilyAndStatusOrInTheReport() throws {
        // Records made of every combination of a few known and unknown local values.
        let map = try ExampleMap.load()
        let states = ["1", "2", "3", "6", "7", "8", "9", ""], tables = ["incident", "problem"], groups = ["Service Desk", "Network", "Nobody", ""]
        var generator = SystemRandomNumberGenerator()
        for state in states {
            for table in tables {
                for group in groups {
                    let record = PeerRecord(
                        source: "servicenow", externalID: "\(state)-\(table)-\(group)", title: "x",
                        values: ["state": state, "table": table, "assignment_group": group].filter { !$0.value.isEmpty },
                        createdAt: Date(timeIntervalSince1970: Double.random(in: 0...2e9, using: &generator)))
                    switch PeerImportRules.translate(record, map: map, organizationID: UUID(), id: UUID()) {
                    case let .success(translation):
                        let ticket = translation.ticket
                        let family = try #require(map.families[ticket.family])
                        #expect(map.workflow(of: family)?.category(of: ticket.status) == ticket.statusCategory)
                        #expect(ticket.team.map(family.handledBy.contains) ?? true)
                        #expect(
                            translation.history.first?.change.kind == .created
                                && translation.history.last.map { $0.change.to == ticket.status || $0.change.kind == .created } == true)
                    case let .failure(unmapped):
                        #expect(table != "incident" || ["9", ""].contains(state), "\(record.values): \(unmapped.reason)")
                        #expect(!unmapped.missing.isEmpty)
                    }
                }
            }
        }
    }
}

/// Jira issues: Atlassian Document Format bodies turned into text, and the changelog's status
/// moves become the ticket's history at Jira's times.
@Suite struct JiraImportTests {
    static let fixture = PeerImportTests.fixture.deletingLastPathComponent().appendingPathComponent("jira-search.json")

    @Test func issuesAreReadWithTheirChangelogAndTextBodies() throws {
        let inputs = try JiraIssues.read(try Data(contentsOf: Self.fixture))
        #expect(inputs.count == 3)
        let task = try inputs[0].record.get()
        #expect(task.externalID == "OPS-14" && task.values["issuetype"] == "Task" && task.values["status"] == "Done")
        #expect(task.values["statusCategory"] == "done" && task.values["priority"] == "High" && task.values["project"] == "OPS")
        #expect(task.description == "Agents run out of disk every night.\n- move the caches\n- ask @Ana")
        #expect(task.createdAt == ISO8601DateFormatter().date(from: "2026-10-01T07:00:00Z"))
        #expect(task.history.map(\.to) == ["To Do", "In Progress", "Done"] && task.history.map(\.actor) == ["Ana Silva", "Ana Silva", "Bo Chen"])
        if case let .failure(problem) = inputs[2].record { #expect(problem.description == "issue 3: no key") } else { Issue.record("issue 3 read") }
    }

    @Test(arguments: Engine.available)
    func theChangelogBecomesTheTicketsHistory(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let report = try await PeerImporter(database: database, map: fixture.map)
                .run(
                    try JiraIssues.read(try Data(contentsOf: Self.fixture)), fields: JiraIssues.referentialFields,
                    organizationID: fixture.organization.id)
            #expect(report.created == 1 && report.skipped.map(\.position) == ["issue 2", "issue 3"], "\(report.skipped)")
            #expect(report.uncovered["issuetype"] == ["Epic": 1] && report.uncovered["priority"] == ["High": 1])
            let ticket = try #require(
                try await fixture.service.list(TicketQuery(organizationID: fixture.organization.id), by: fixture.agent).tickets.first)
            #expect(ticket.family == "project_task" && ticket.status == "done" && ticket.statusCategory == .solved)
            let events = try await fixture.service.events(key: ticket.key, by: fixture.agent)
            #expect(events.map(\.change.to) == ["backlog", "todo", "doing", "done"])
            #expect(events.map(\.actor) == ["jira", "Ana Silva", "Ana Silva", "Bo Chen"])
            #expect(events.last?.occurredAt == ISO8601DateFormatter().date(from: "2026-10-09T15:30:00Z"))
        }
    }
}

/// Zendesk's incremental export and Freshservice's tickets API, through the demo map's mappings.
@Suite struct ZendeskAndFreshserviceImportTests {
    static let folder = PeerImportTests.fixture.deletingLastPathComponent()

    @Test(arguments: Engine.available)
    func theirTicketsAreMappedAndImported(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let fixture = try await StoreFixture.make(database)
            let importer = PeerImporter(database: database, map: fixture.map), org = fixture.organization.id
            let zendesk = try ZendeskTickets.read(try Data(contentsOf: Self.folder.appendingPathComponent("zendesk-incremental.json")))
            #expect(
                try zendesk[0].record.get().values == [
                    "status": "open", "type": "problem", "priority": "high", "channel": "web", "group_id": "98738",
                ])
            let fromZendesk = try await importer.run(zendesk, fields: ZendeskTickets.referentialFields, organizationID: org)
            #expect(fromZendesk.created == 2 && fromZendesk.skipped.map(\.position) == ["ticket 3"])
            #expect(fromZendesk.uncovered["type"] == ["task": 1] && fromZendesk.uncovered["channel"] == ["email": 1, "web": 1])

            let fresh = try FreshserviceTickets.read(try Data(contentsOf: Self.folder.appendingPathComponent("freshservice-tickets.json")))
            #expect(try fresh[0].record.get().values["status"] == "2" && fresh[0].position == "ticket 1")
            let fromFresh = try await importer.run(fresh, fields: FreshserviceTickets.referentialFields, organizationID: org)
            #expect(fromFresh.created == 2 && fromFresh.skipped.map(\.description) == ["ticket 3: no created_at"])

            let tickets = try await fixture.service.list(TicketQuery(organizationID: org), by: fixture.agent).tickets
            let byTitle = Dictionary(uniqueKeysWithValues: tickets.map { ($0.title, $0) })
            #expect(byTitle["Help, my printer is on fire!"]?.family == "incident" && byTitle["Help, my printer is on fire!"]?.statusCategory == .open)
            #expect(byTitle["How do I export invoices?"]?.family == "customer_support" && byTitle["How do I export invoices?"]?.category == "usage")
            #expect(byTitle["How do I export invoices?"]?.statusCategory == .solved)
            #expect(
                byTitle["New starter: accounts for Léa"]?.family == "service_request"
                    && byTitle["New starter: accounts for Léa"]?.statusCategory == .closed)
            #expect(byTitle["Laptop does not boot"]?.description == "Black screen since this morning.")
        }
    }
}

import Foundation
import RelaisTestSupport
import Testing

/// The `relais` executable as a user runs it.
@Suite struct CommandLineTests {
    struct Outcome {
        var status: Int32
        var output: String
        var errors: String
    }

    func relais(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = try RelaisProcess.executable()
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let output = Pipe(), errors = Pipe(), standardInput = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = standardInput
        try process.run()
        standardInput.fileHandleForWriting.write(Data((input ?? "").utf8))
        try standardInput.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile(), err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), errors: String(decoding: err, as: UTF8.self))
    }

    /// `relais` run from an async test: the wait happens on a thread of its own, so that the
    /// test's local servers keep the concurrency threads they answer on.
    func relaisAsync(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try relais(arguments, environment: environment) })
            }
        }
    }

    @Test func mapCheckSummarisesAValidMap() throws {
        let outcome = try relais(["map", "check", ExampleMap.path])
        #expect(outcome.status == 0)
        #expect(outcome.output.contains("valid map for Acme"))
        #expect(outcome.output.contains("Families (5)"))
    }

    @Test func serveRefusesARetentionUnderADay() throws {
        let outcome = try relais(["serve", "--retention-days", "0", "--database", "unused.sqlite"])
        #expect(outcome.status != 0)
        #expect(outcome.errors.contains("--retention-days must be at least 1, not 0"))
    }

    @Test func mapCheckListsEveryProblemAndFails() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).yaml")
        try """
        teams: { l1: { level: 1 } }
        workflows:
          w: { initial: new, statuses: { new: new, done: finished }, transitions: [[new, gone]] }
        families:
          f: { label: F, domain: itsm, key: FF, opened_by: [internal], channels: [api], handled_by: [l2], workflow: w }
        """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let outcome = try relais(["map", "check", file.path])
        #expect(outcome.status == 1)
        #expect(outcome.output.isEmpty)
        let lines = outcome.errors.split(separator: "\n").map(String.init)
        #expect(
            lines.contains(
                "\(file.path):3:50: workflows.w.statuses.done: unknown category 'finished'; expected one of new, open, pending, solved, closed"))
        #expect(lines.contains("\(file.path):3:82: workflows.w.transitions[0]: transition to unknown status 'gone'"))
        #expect(lines.contains("\(file.path):5:94: families.f.handled_by: unknown team 'l2'; expected one of l1"))
        #expect(lines.last == "3 problems in \(file.path)")
    }

    @Test func crmImportMirrorsAFileAndListsRefusedRowsByLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("relais.sqlite").path
        let accounts = folder.appendingPathComponent("accounts.csv")
        try "external_id,name,tier,annual_revenue\nSF-1,Orbital,strategic,2500000\nSF-2,,key,\nSF-3,Wren,standard,ten\n".write(
            to: accounts, atomically: true, encoding: .utf8)
        let first = try relais(["crm", "import", "accounts", accounts.path, "--map", ExampleMap.path, "--database", database])
        #expect(first.status == 2)
        #expect(first.output.contains("accounts: 1 created, 0 updated, 2 refused"))
        #expect(first.errors.contains("\(accounts.path):3: name: must not be empty"))
        #expect(first.errors.contains("\(accounts.path):4: annual_revenue: 'ten' is not a whole number"))
        let contracts = folder.appendingPathComponent("contracts.json")
        try #"[{"external_id":"C-1","account_external_id":"SF-1","name":"Premium","start_date":"2026-01-01","sla_level":"premium-24x7"}]"#
            .write(to: contracts, atomically: true, encoding: .utf8)
        let second = try relais(["crm", "import", "contracts", contracts.path, "--map", ExampleMap.path, "--database", database])
        #expect(second.status == 0, "\(second.errors)")
        #expect(second.output.contains("contracts: 1 created, 0 updated, 0 refused"))
        let again = try relais(["crm", "import", "contracts", contracts.path, "--map", ExampleMap.path, "--database", database])
        #expect(again.output.contains("contracts: 0 created, 1 updated, 0 refused"))
        let broken = folder.appendingPathComponent("broken.json")
        try "{ not json".write(to: broken, atomically: true, encoding: .utf8)
        let refused = try relais(["crm", "import", "contracts", broken.path, "--map", ExampleMap.path, "--database", database])
        #expect(refused.status == 1 && refused.errors.contains("not a JSON array of objects"))
        let rollups = try relais(["crm", "rollups", "--map", ExampleMap.path, "--database", database])
        #expect(rollups.status == 0 && rollups.output.contains("0 counts differed"), "\(rollups.output)")
    }

    @Test func servicenowImportReportsSkippedRecordsAndUncoveredValuesAndRunsAgainIdempotently() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("relais.sqlite").path
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/peers/servicenow-incidents.json").path
        let first = try relais(["import", "servicenow", file, "--map", ExampleMap.path, "--database", database])
        #expect(first.status == 2)
        #expect(first.output.contains("servicenow: 7 records: 3 created, 0 updated, 0 unchanged, 4 skipped"), "\(first.output)")
        #expect(first.errors.contains("\(file): record 5: no sys_id"))
        #expect(first.output.contains("  state=9: 1 record"))
        #expect(first.output.contains("  priority=2: 1 record"))
        let again = try relais(["import", "servicenow", file, "--map", ExampleMap.path, "--database", database])
        #expect(again.output.contains("3 unchanged"), "\(again.output)")
        let missing = try relais([
            "import", "servicenow", folder.appendingPathComponent("none.json").path, "--map", ExampleMap.path, "--database", database,
        ])
        #expect(missing.status == 1 && missing.errors.contains("cannot read"))
        let broken = folder.appendingPathComponent("broken.json")
        try #"{"records": []}"#.write(to: broken, atomically: true, encoding: .utf8)
        let refused = try relais(["import", "servicenow", broken.path, "--map", ExampleMap.path, "--database", database])
        #expect(refused.status == 1 && refused.errors.contains("expected an object with 'result'"))
    }

    @Test func syncReadsAPeerToolThroughItsAPIAndResumes() async throws {
        let stub = try await APIStub.start { _, request in
            let cursor = URLComponents(string: "http://x\(request.path)")?.queryItems?.first { $0.name == "cursor" }?.value
            let ids = cursor == nil ? [35436, 35437] : [35437]
            let tickets = ids.map {
                #"{"id":\#($0),"subject":"Printer \#($0)","status":"open","type":"problem","priority":"high","created_at":"2026-10-20T09:00:00Z","updated_at":"2026-10-20T10:30:00Z"}"#
            }
            return .init(
                status: .ok, body: Array(#"{"tickets":[\#(tickets.joined(separator: ","))],"after_cursor":"next","end_of_stream":true}"#.utf8))
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let map = folder.appendingPathComponent("relais.map.yaml").path
        try ExampleMap.text().replacingOccurrences(of: "https://acme.zendesk.com", with: stub.url).write(
            toFile: map, atomically: true, encoding: .utf8)
        try Data(contentsOf: URL(fileURLWithPath: ExampleMap.path).deletingLastPathComponent().appendingPathComponent("holidays-fr.ics"))
            .write(to: folder.appendingPathComponent("holidays-fr.ics"))
        let database = folder.appendingPathComponent("relais.sqlite").path
        let environment = ["RELAIS_ZENDESK_EMAIL": "agent@acme.example", "RELAIS_ZENDESK_TOKEN": "t0ken"]
        // The stub is on loopback: refused, and never called, unless the operator allows it.
        let refused = try await relaisAsync(["sync", "zendesk", "--once", "--map", map, "--database", database], environment: environment)
        #expect(refused.status == 1 && refused.errors.contains("on this machine or a private network"), "\(refused.errors)")
        #expect(stub.requests.isEmpty)
        let first = try await relaisAsync(
            ["sync", "zendesk", "--once", "--allow-private-egress", "--map", map, "--database", database], environment: environment)
        #expect(first.status == 0, "\(first.errors) \(first.output)")
        #expect(first.output.contains("zendesk: 2 records: 2 created, 0 updated, 0 unchanged, 0 skipped"), "\(first.output)")
        let second = try await relaisAsync(
            ["sync", "zendesk", "--once", "--allow-private-egress", "--map", map, "--database", database],
            environment: environment)
        #expect(second.output.contains("zendesk: 1 records: 0 created, 0 updated, 1 unchanged, 0 skipped"), "\(second.output)")
        #expect(stub.requests.last?.path.contains("cursor=next") == true)
        await stub.stop()

        let unset = try await relaisAsync(["sync", "servicenow", "--once", "--map", map, "--database", database])
        #expect(unset.status == 1 && unset.errors.contains("environment variable RELAIS_SERVICENOW_PASSWORD"), "\(unset.errors)")
        let unknown = try await relaisAsync(["sync", "remedy", "--once", "--map", map, "--database", database])
        #expect(unknown.status != 0 && unknown.errors.contains("unknown tool 'remedy'"))
        let undeclared = try await relaisAsync(["sync", "jira", "--once", "--map", map, "--database", database])
        #expect(undeclared.status == 1 && undeclared.errors.contains("the map's 'peers' section does not declare 'jira'"))
    }

    @Test func crmSyncPullsAndPushesThroughTheMapsConnector() async throws {
        let stub = try await APIStub.start { _, request in
            if request.path.hasPrefix("/crm/v3/objects/companies") {
                return .init(
                    status: .ok, body: Array(#"{"results":[{"id":"101","properties":{"name":"Helix Pharma","domain":"helix.example"}}]}"#.utf8))
            }
            if request.method == "GET" { return .init(status: .ok, body: Array(#"{"results":[]}"#.utf8)) }
            return .init(status: .ok, body: Array(#"{"status":"COMPLETE","results":[]}"#.utf8))
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let map = folder.appendingPathComponent("relais.map.yaml").path
        try ExampleMap.text().replacingOccurrences(
            of: "    token_env: RELAIS_HUBSPOT_TOKEN", with: "    url: \(stub.url)\n    token_env: RELAIS_HUBSPOT_TOKEN"
        )
        .write(toFile: map, atomically: true, encoding: .utf8)
        try Data(contentsOf: URL(fileURLWithPath: ExampleMap.path).deletingLastPathComponent().appendingPathComponent("holidays-fr.ics"))
            .write(to: folder.appendingPathComponent("holidays-fr.ics"))
        let database = folder.appendingPathComponent("relais.sqlite").path
        let synced = try await relaisAsync(
            ["crm", "sync", "hubspot", "--once", "--allow-private-egress", "--map", map, "--database", database],
            environment: ["RELAIS_HUBSPOT_TOKEN": "pat"])
        #expect(synced.status == 0, "\(synced.errors)")
        #expect(synced.output.contains("hubspot: 1 companies: 1 created, 0 updated, 0 refused"), "\(synced.output)")
        #expect(synced.output.contains("hubspot: 0 tickets sent (0 unchanged), 1 account roll-ups sent"), "\(synced.output)")
        await stub.stop()
        let unset = try await relaisAsync(["crm", "sync", "hubspot", "--once", "--map", map, "--database", database])
        #expect(unset.status == 1 && unset.errors.contains("environment variable RELAIS_HUBSPOT_TOKEN"), "\(unset.errors)")
        let undeclared = try await relaisAsync(["crm", "sync", "salesforce", "--once", "--map", map, "--database", database])
        #expect(undeclared.status == 1 && undeclared.errors.contains("does not declare 'salesforce'"), "\(undeclared.errors)")
        let unknown = try await relaisAsync(["crm", "sync", "pipedrive", "--once", "--map", map, "--database", database])
        #expect(unknown.status != 0 && unknown.errors.contains("unknown CRM 'pipedrive'"))
    }

    @Test func aCSVExportIsImportedThroughItsMappingFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("relais.sqlite").path
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "Fixtures/peers")
        let file = fixtures.appendingPathComponent("zendesk-export.csv").path, mapping = fixtures.appendingPathComponent("zendesk-columns.yaml").path
        let first = try relais(["import", "csv", file, "--mapping", mapping, "--map", ExampleMap.path, "--database", database])
        #expect(first.status == 2)
        #expect(first.output.contains("zendesk: 6 records: 2 created, 0 updated, 0 unchanged, 4 skipped"), "\(first.output) \(first.errors)")
        #expect(
            first.errors.contains("\(file): line 4: no mapping of 'zendesk' gives a family to priority=low, status=new, type=suggestion"),
            "\(first.errors)")
        #expect(first.errors.contains("\(file): line 6: no value in column 'ID'"))
        #expect(first.errors.contains("\(file): line 7: Requested: 'yesterday' is not a time"))
        #expect(first.output.contains("  status=hold: 1 record") && first.output.contains("  type=suggestion: 1 record"))
        #expect(first.output.contains("  priority=high: 1 record"))
        let again = try relais(["import", "csv", file, "--mapping", mapping, "--map", ExampleMap.path, "--database", database])
        #expect(again.output.contains("0 created, 0 updated, 2 unchanged"), "\(again.output)")
        // A mapping file with mistakes says where they are.
        let bad = folder.appendingPathComponent("bad.yaml")
        try "source: zendesk\ncolumns: { title: Subject, created_at: Requested, owner: Agent }\nvalues: []\n".write(
            to: bad, atomically: true, encoding: .utf8)
        let refused = try relais(["import", "csv", file, "--mapping", bad.path, "--map", ExampleMap.path, "--database", database])
        #expect(refused.status == 1)
        #expect(refused.errors.contains("\(bad.path):2:"), "\(refused.errors)")
        #expect(refused.errors.contains("owner") && refused.errors.contains("'id'") && refused.errors.contains("values:"), "\(refused.errors)")
    }

    @Test func aMissingMapFileIsAClearError() throws {
        let outcome = try relais(["map", "check", "/nonexistent/relais.map.yaml"])
        #expect(outcome.status == 1)
        #expect(outcome.errors.hasPrefix("/nonexistent/relais.map.yaml:1:1: cannot read the map"))
    }

    @Test func tokensArePrintedAloneAndUnknownUsersRefused() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url + suffix) } }
        #expect(try relais(["user", "add", "ana", "--role", "admin", "--map", ExampleMap.path, "--database", url]).status == 0)
        let duplicate = try relais(["user", "add", "ana", "--database", url])
        #expect(duplicate.status == 1)
        #expect(duplicate.errors.contains("already exists"))
        let token = try relais(["token", "create", "--user", "ana", "--database", url])
        #expect(token.status == 0)
        #expect(token.output.range(of: #"^rls_[A-Za-z0-9_-]{43}\n$"#, options: .regularExpression) != nil)
        let unknown = try relais(["token", "create", "--user", "nobody", "--database", url])
        #expect(unknown.status == 1)
        #expect(unknown.errors.contains("no user named 'nobody'"))
        #expect(try relais(["user", "add", "bob", "--role", "wizard", "--database", url]).status != 0)
    }

    @Test func mapCalendarMeasuresAndAddsBusinessTime() throws {
        // Monday 30 November 2026, 17:00 in Paris (16:00 UTC): one office hour left that day.
        let monday = 1_795_996_800 + 16 * 3600
        let outcome = try relais(
            ["map", "calendar", ExampleMap.path, "paris-office"],
            input: "elapsed \(monday) \(monday + 86_400)\nadd \(monday) 7200\n")
        #expect(outcome.status == 0, "\(outcome.errors)")
        // To Tuesday 17:00: one hour on Monday, 08:30-12:30 and 13:30-17:00 on Tuesday (8.5 hours).
        // Two hours from Monday 17:00: one until 18:00, then Tuesday 08:30 to 09:30 (08:30 UTC).
        #expect(outcome.output == "\(8 * 3600 + 1800)\n\(monday + 16 * 3600 + 30 * 60)\n")
        let unknown = try relais(["map", "calendar", ExampleMap.path, "mars-base"])
        #expect(unknown.status == 1)
        #expect(unknown.errors.contains("has no calendar 'mars-base'"))
        let garbled = try relais(["map", "calendar", ExampleMap.path, "paris-office"], input: "elapsed soon later\n")
        #expect(garbled.status == 1)
        #expect(garbled.errors.contains("line 1: expected 'elapsed START END' or 'add START SECONDS'"))
    }

    @Test func slaReconcileSaysWhatItDid() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url + suffix) } }
        let outcome = try relais(["sla", "reconcile", "--map", ExampleMap.path, "--database", url])
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.output.hasPrefix("Re-evaluated the SLA of 0 tickets in "))
    }

    @Test func mapVersionsAreProposedReviewedAppliedAndRolledBackFromTheCommandLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("relais.sqlite").path
        let text = try ExampleMap.text()
        let holidays = URL(fileURLWithPath: ExampleMap.path).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(
            "holidays-fr.ics")
        try FileManager.default.copyItem(at: holidays, to: directory.appendingPathComponent("holidays-fr.ics"))
        func write(_ name: String, _ content: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let first = try write("v1.yaml", text)
        let renamed = try write("v2.yaml", text.replacingOccurrences(of: "in_progress", with: "working"))
        let broken = try write("broken.yaml", text.replacingOccurrences(of: "workflow: itil-incident", with: "workflow: nowhere"))

        // The first file proposed to an empty database runs as version 1.
        let started = try relais(["map", "propose", first, "-m", "first", "--database", url])
        #expect(started.status == 0, "\(started.errors)")
        #expect(started.output.contains("is version 1, running"))
        for name in ["ana", "bob"] { #expect(try relais(["user", "add", name, "--role", "admin", "--database", url]).status == 0) }

        let invalid = try relais(["map", "propose", broken, "-m", "typo", "--user", "ana", "--database", url])
        #expect(invalid.status == 1)
        #expect(
            invalid.errors.range(of: #"relais\.map\.yaml:\d+:\d+: .*nowhere"#, options: .regularExpression) != nil,
            "\(invalid.errors)")
        #expect(invalid.errors.contains("stored as rejected version 2"))

        let proposed = try relais([
            "map", "propose", renamed, "-m", "rename in_progress", "--move", "incident:in_progress=working",
            "--user", "ana", "--database", url,
        ])
        #expect(proposed.status == 0, "\(proposed.errors)")
        #expect(proposed.output.contains("proposed: version 3  proposed"))
        #expect(proposed.output.contains("[families]"))
        let own = try relais(["map", "approve", "3", "--user", "ana", "--database", url])
        #expect(own.status == 1)
        #expect(own.errors.contains("cannot approve it"))
        #expect(try relais(["map", "approve", "3", "--user", "bob", "--note", "ok", "--database", url]).status == 0)
        let diff = try relais(["map", "diff", "3", "--database", url])
        #expect(diff.output.contains("sections changed: families"))
        #expect(diff.output.contains("+    statuses: { new: new, assigned: open, working: open,"))
        let applied = try relais(["map", "apply", "3", "--database", url])
        #expect(applied.status == 0, "\(applied.errors)")
        let listed = try relais(["map", "versions", "--database", url])
        #expect(listed.output.split(separator: "\n").first?.hasPrefix("* version 3  applied") == true, "\(listed.output)")
        #expect(listed.output.contains("version 2  rejected"))
        let shown = try relais(["map", "show", "2", "--database", url])
        #expect(shown.output.contains("relais.map.yaml:"))
        #expect(
            try relais(["map", "show", "3", "--text", "--database", url]).output == text.replacingOccurrences(of: "in_progress", with: "working"))

        let rolled = try relais(["map", "rollback", "1", "--move", "incident:working=in_progress", "--database", url])
        #expect(rolled.status == 0, "\(rolled.errors)")
        #expect(rolled.output.contains("running: version 4  applied"))
        #expect(try relais(["map", "apply", "9", "--database", url]).errors.contains("map version '9' does not exist"))

        // Users of the map's roles, in its teams.
        let added = try relais(["user", "add", "tom", "--role", "team-member", "--team", "billing", "--database", url])
        #expect(added.status == 0, "\(added.errors)")
        #expect(added.output.contains("Added team-member 'tom' to Acme, in billing."))
        let wrongTeam = try relais(["user", "teams", "tom", "--team", "nowhere", "--database", url])
        #expect(wrongTeam.status != 0)
        #expect(wrongTeam.errors.contains("unknown team 'nowhere'"))
        #expect(
            try relais(["user", "teams", "tom", "--team", "it-l1", "--team", "it-l2", "--database", url]).output.contains("works in it-l1, it-l2"))
        #expect(
            try relais(["user", "add", "zed", "--role", "wizard", "--database", url]).errors.contains(
                "expected admin, agent, requester, boltline-agent, it-agent"))
        // Legal entities granted.
        #expect(try relais(["user", "entities", "tom", "--entity", "boltline", "--database", url]).output.contains("'tom' is granted boltline."))
        let wrongEntity = try relais(["user", "add", "zoe", "--entity", "acme-gmbh", "--database", url])
        #expect(wrongEntity.status != 0)
        #expect(wrongEntity.errors.contains("unknown entity 'acme-gmbh'; the running map has acme-sas, boltline"))
        #expect(try relais(["user", "entities", "tom", "--database", url]).output.contains("'tom' reaches every entity."))
        #expect(try relais(["map", "propose", renamed, "-m", "x", "--move", "nonsense", "--database", url]).status != 0)
    }
}

import Foundation
import RelaisProcess
import RelaisServer
import RelaisTestSupport
import Testing

/// `relais mine`, `relais map render` and `relais log export` as a user runs them.
extension CommandLineTests {
    static let miningFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RelaisMiningTests/Fixtures")

    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The report `relais mine --json` printed.
    func minedJSON(_ outcome: Outcome) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any], "\(outcome.errors)")
    }

    /// Runs `body` with a file holding `text`, removed afterwards.
    func withFile(_ name: String, _ text: String, _ body: (URL) throws -> Void) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        try body(file)
    }

    @Test func mineReadsACompressedXESAndPrintsJSON() throws {
        let outcome = try relais(["mine", Self.miningFixtures.appendingPathComponent("claims.xes.gz").path, "--json"])
        #expect(outcome.status == 0, "\(outcome.errors)")
        let report = try minedJSON(outcome)
        let counts = report["counts"] as? [String: Int]
        #expect(counts == ["cases": 3, "events": 9, "activities": 3, "variants": 3])
        let edges = (report["edges"] as? [[String: Any]] ?? []).map { "\($0["from"]!)>\($0["to"]!):\($0["count"]!)" }
        #expect(Set(edges) == ["register>check:2", "check>decide:2", "check>check:1", "register>decide:1"])
        #expect((report["start_activities"] as? [[String: Any]])?.first?["activity"] as? String == "register")
    }

    @Test func mineNamesCSVColumnsReadsAPatternAndReportsBadRows() throws {
        let text =
            "ticket;step;when;agent\nT1;open;30/12/2010 13:32;ann\nT1;close;31/12/2010 13:32;bob\n;open;01/01/2011 10:00;ann\nT2;open;tomorrow;ann\nT2;open;02/01/2011 09:00;ann\n"
        try withFile("calls.csv", text) { file in
            let outcome = try relais([
                "mine", file.path, "--case", "ticket", "--activity", "step", "--timestamp", "when",
                "--resource", "agent", "--timestamp-format", "dd/MM/yyyy HH:mm", "--json",
            ])
            #expect(outcome.status == 0, "\(outcome.errors)")
            let report = try minedJSON(outcome)
            #expect((report["counts"] as? [String: Int])?["events"] == 3)
            #expect(outcome.errors.contains("1 without case, lines 4"))
            #expect(outcome.errors.contains("line 5: timestamp 'tomorrow' cannot be read"))
            let edge = (report["edges"] as? [[String: Any]])?.first
            #expect(edge?["median_seconds"] as? Double == 86_400)

            let missing = try relais(["mine", file.path, "--case", "case"])
            #expect(missing.status == 1)
            #expect(missing.errors.contains("the case column 'case' is not in the header; columns are: ticket, step, when, agent"))
        }
    }

    @Test func mineFlattensAnOCELLogOnTheObjectTypeGiven() throws {
        let file = Self.miningFixtures.appendingPathComponent("orders.jsonocel").path
        let outcome = try relais(["mine", file, "--object-type", "item", "--json"])
        #expect(outcome.status == 0, "\(outcome.errors)")
        let report = try minedJSON(outcome)
        #expect((report["counts"] as? [String: Int])?["cases"] == 3)
        let untyped = try relais(["mine", file])
        #expect(untyped.status != 0 && untyped.errors.contains("pass --object-type TYPE"))
    }

    @Test func mineRefusesXMLWithADoctype() throws {
        try withFile("evil.xes", "<?xml version=\"1.0\"?>\n<!DOCTYPE log [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<log>&e;</log>\n") { file in
            let outcome = try relais(["mine", file.path])
            #expect(outcome.status == 1)
            #expect(outcome.errors.contains("line 2: XML with a DOCTYPE is refused"))
            #expect(!outcome.errors.contains("root:"))
        }
    }

    @Test func mineWritesAPictureAndASelfContainedReport() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let html = folder.appendingPathComponent("report.html"), svg = folder.appendingPathComponent("graph.svg")
        let outcome = try relais([
            "mine", Self.miningFixtures.appendingPathComponent("claims.xes").path,
            "--html", html.path, "--svg", svg.path, "--colour", "waiting",
        ])
        #expect(outcome.status == 0, "\(outcome.errors)")
        let report = try String(contentsOf: html, encoding: .utf8)
        #expect(report.contains("<h2>Variants</h2>") && report.contains("register → check → check → decide"))
        #expect(!report.contains("<script") && !report.contains("src=\"http") && !report.contains("href=\"http"))
        if Graphviz.executable != nil {
            #expect(report.contains("<svg"))
            #expect(try String(contentsOf: svg, encoding: .utf8).contains("<svg"))
        } else {
            #expect(outcome.errors.contains("Graphviz's 'dot' is not installed"))
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("graph.dot").path))
        }
        #expect(try relais(["mine", "--colour", "loud", svg.path]).status != 0)
    }

    @Test func mapRenderDrawsFamiliesTeamsAndWorkflows() throws {
        let dot = try relais(["map", "render", ExampleMap.path, "--format", "dot"])
        #expect(dot.status == 0, "\(dot.errors)")
        #expect(dot.output.hasPrefix("digraph map {"))
        for text in ["IT incident (INC)", "opened by internal, customer, monitoring", "must link: account", "\"in_progress\\nopen\"", "escalates"] {
            #expect(dot.output.contains(text), "\(text)")
        }
        let svg = try relais(["map", "render", ExampleMap.path])
        #expect(svg.status == 0)
        if Graphviz.executable != nil {
            #expect(svg.output.contains("<svg"))
        } else {
            #expect(svg.errors.contains("DOT written instead") && svg.output.hasPrefix("digraph map {"))
        }
    }

    @Test func logExportGivesTheLogThatMineReadsFromTheStore() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("desk.sqlite").path, xes = folder.appendingPathComponent("desk.xes").path
        #expect(try relais(["demo", "generate", "--database", database, "--tickets", "60"]).status == 0)
        let export = try relais(["log", "export", "--demo", "--database", database, "--output", xes])
        #expect(export.status == 0, "\(export.errors)")
        let fromStore = try relais(["mine", "--store", "--demo", "--database", database, "--json"])
        let fromFile = try relais(["mine", xes, "--json"])
        #expect(fromStore.status == 0 && fromFile.status == 0, "\(fromStore.errors) \(fromFile.errors)")
        func counts(_ text: String) -> [String: Int]? {
            ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any])?["counts"] as? [String: Int]
        }
        #expect(counts(fromStore.output)?["cases"] == 60)
        #expect(counts(fromStore.output) == counts(fromFile.output))
        let unknown = try relais(["mine", "--store", "--demo", "--database", database, "--family", "nope"])
        #expect(unknown.status != 0 && unknown.errors.contains("nope"))
        let conformance = try relais(["mine", "--store", "--demo", "--database", database, "--family", "incident", "--activities", "statuses"])
        #expect(conformance.output.contains("Conformance to itil-incident"), "\(conformance.output)")
    }
}

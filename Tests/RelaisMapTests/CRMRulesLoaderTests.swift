import Foundation
import RelaisCore
import RelaisMap
import Testing

/// Routing and signal rules that read CRM objects, checked against the vocabulary of those objects.
@Suite struct CRMRulesLoaderTests {
    /// The example map with its routing and signals replaced by `rules`.
    func load(_ rules: String) throws -> ProcessMap {
        try MapLoaderTests.example(cutAt: "routing", then: rules, file: "crm-rules.yaml")
    }

    func problems(_ rules: String) -> [String] {
        do {
            _ = try load(rules)
            return []
        } catch let error as MapValidationError {
            return error.problems.map { "\($0.line):\($0.column): \($0.message)" }
        } catch {
            return ["\(error)"]
        }
    }

    @Test func routingReadsRevenueByBoundsAndContractsByValue() throws {
        let map = try load(
            """
            routing:
              - when: { account.annual_revenue: { at_least: 1000000 } }
                then: { priority: P1 }
              - when: { contract.sla_level: [gold, premium-24x7] }
                then: { add_tags: [premium] }
            """)
        #expect(map.routing[0].conditions == [.init(field: "account.annual_revenue", values: [], atLeast: 1_000_000)])
        #expect(map.routing[1].conditions == [.init(field: "contract.sla_level", values: ["gold", "premium-24x7"])])
    }

    @Test(arguments: [
        ("routing:\n  - when: { account.tier: { at_least: 3 } }\n    then: { priority: P1 }", "only account.annual_revenue"),
        ("routing:\n  - when: { account.colour: red }\n    then: { priority: P1 }", "unknown field 'account.colour'"),
        ("routing:\n  - when: { invoice.number: F-1 }\n    then: { priority: P1 }", "unknown field 'invoice.number'"),
        ("signals:\n  s:\n    when: { window: soon, tickets: { at_least: 1 } }", "'soon' is not a duration"),
        ("signals:\n  s:\n    when: { window: 30d }", "missing 'tickets'"),
        ("signals:\n  s:\n    when: { tickets: { at_least: 0 } }", "at_least must be a whole number of at least 1"),
        ("signals:\n  s:\n    when: { tickets: { same: colour } }", "unknown field 'colour'"),
        ("signals:\n  s:\n    when: { tickets: { severity: [apocalyptic] } }", "unknown severity 'apocalyptic'"),
        ("signals:\n  s:\n    scope: all\n    when: { account.tier: strategic, tickets: { at_least: 2 } }", "reads no account"),
        ("signals:\n  s:\n    scope: all\n    when: { tickets: { at_least: 2 } }\n    then: { crm_task: Call }", "no account owner"),
        ("signals:\n  s:\n    when: { contract.renews_within: 2h, tickets: { at_least: 1 } }", "not a number of days"),
        ("signals:\n  s:\n    scope: everyone\n    when: { tickets: { at_least: 1 } }", "unknown scope 'everyone'"),
    ])
    func badRulesAreRefusedWithTheirPosition(rules: String, message: String) {
        let found = problems(rules)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.contains(message) == true, "\(found)")
        #expect(found.first.map { $0.first?.isNumber == true } == true, "a line and column: \(found)")
    }
}

/// The `cmdb` section: item types and relation types with the way an incident spreads.
@Suite struct CMDBLoaderTests {
    func load(_ section: String) throws -> ProcessMap {
        try MapLoaderTests.example(cutAt: "cmdb", then: section, file: "cmdb.yaml")
    }

    @Test func theExampleDeclaresServicesAndRelations() throws {
        let map = try MapLoader.load(contentsOf: MapLoaderTests.examplePath)
        #expect(map.cmdb.types["service"]?.isService == true)
        #expect(map.cmdb.types["server"]?.isService == false)
        #expect(map.cmdb.relations["part_of"]?.impact == .target)
        #expect(map.cmdb.relations["licensed_by"]?.impact == CMDBSchema.ImpactDirection.none)
    }

    @Test func aListOfTypesGetsTheStandardRelations() throws {
        let map = try load("cmdb:\n  types: [server, service]\n")
        #expect(Set(map.cmdb.types.keys) == ["server", "service"])
        #expect(Set(map.cmdb.relations.keys) == ["depends_on", "runs_on", "part_of"])
    }

    @Test func badRelationsAreReportedWithTheirPlace() {
        #expect(throws: MapValidationError.self) {
            try load("cmdb:\n  types: [server]\n  relations:\n    runs_on: { impact: sideways }\n    hosts: {}\n")
        }
        do {
            _ = try load("cmdb:\n  types: [server]\n  relations:\n    runs_on: { impact: sideways }\n    hosts: {}\n")
        } catch let error as MapValidationError {
            let messages = error.problems.map { "\($0.line):\($0.message)" }
            #expect(messages.contains { $0.contains("cmdb.relations.runs_on.impact: unknown value 'sideways'") })
            #expect(messages.contains { $0.contains("cmdb.relations.hosts: missing 'impact'") })
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

extension MapLoaderTests {
    /// The example map up to its section `section`, followed by `text` instead, loaded as `file`
    /// beside the example (so the files it names are found).
    static func example(cutAt section: String, then text: String, file: String) throws -> ProcessMap {
        let example = try String(contentsOfFile: examplePath, encoding: .utf8)
        let head = example.components(separatedBy: "\n\(section):\n")[0]
        let folder = URL(fileURLWithPath: examplePath).deletingLastPathComponent().path
        return try MapLoader.load(yaml: head + "\n" + text, file: folder + "/" + file)
    }
}

/// The `mailboxes` section: which address opens which family for which team.
@Suite struct MailboxLoaderTests {
    func load(_ section: String) throws -> ProcessMap {
        try MapLoaderTests.example(cutAt: "mailboxes", then: section, file: "mailboxes.yaml")
    }

    @Test func theExampleRoutesSupportAndIT() throws {
        let map = try MapLoader.load(contentsOf: MapLoaderTests.examplePath)
        #expect(map.mailboxes["support@acme.example"] == Mailbox(address: "support@acme.example", family: "customer_support", team: "support-l1"))
        #expect(map.mailbox(for: ["someone@else.example", "IT@Acme.example"])?.family == "incident")
        #expect(map.mailbox(for: ["nobody@acme.example"]) == nil)
    }

    @Test func badMailboxesAreReportedWithTheirPlace() {
        let text = """
            mailboxes:
              not-an-address: { family: incident }
              change@acme.example: { family: change }
              desk@acme.example: { family: incident, team: billing }
              ops@acme.example: { team: it-l1 }
              x@acme.example: { family: nothing, colour: blue }
            """
        do {
            _ = try load(text)
            Issue.record("the map was accepted")
        } catch let error as MapValidationError {
            let messages = error.problems.map(\.message)
            for expected in [
                "'not-an-address' is not a mail address", "family 'change' does not take the 'email' channel",
                "team 'billing' does not handle family 'incident'", "mailboxes.ops@acme.example: missing 'family'",
                "unknown family 'nothing'", "colour",
            ] {
                #expect(messages.contains { $0.contains(expected) }, "\(expected) in \(messages)")
            }
            #expect(error.problems.allSatisfy { $0.line > 1 })
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

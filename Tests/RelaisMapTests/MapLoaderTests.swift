import Foundation
import RelaisCore
import RelaisMap
import Testing

@Suite struct MapLoaderTests {
    static let examplePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/acme.map.yaml").path

    @Test func theExampleMapCoversTheFiveFamilies() throws {
        let map = try MapLoader.load(contentsOf: Self.examplePath)
        #expect(Set(map.families.keys) == ["incident", "service_request", "change", "customer_support", "project_task"])
        #expect(Set(map.families.values.map(\.domain)) == [.itsm, .support, .projects])
        let incident = try #require(map.families["incident"])
        #expect(incident.keyPrefix == "INC")
        #expect(incident.crm.require == [.account])
        #expect(incident.label.text(in: "fr") == "Incident IT")
        #expect(incident.resolution.require == ["resolution_note"])
        #expect(map.teams["it-l1"]?.escalatesTo == "it-l2")
        #expect(map.workflows["itil-incident"]?.category(of: "waiting_customer") == .pending)
        #expect(map.sla["incident-standard"]?.targets["P1"]?[.firstResponse] == 15 * 60)
        #expect(map.routing.first?.name == "critical-incidents-to-l2")
        #expect(map.routing.first?.continues == true)
        #expect(map.calendars["paris-office"]?.hours[.mon]?.count == 2)
        #expect(map.signals["churn_risk"]?.tickets.atLeast == 3)
        #expect(map.signals["churn_risk"]?.conditions == [.init(field: "account.tier", values: ["strategic"])])
        #expect(map.signals["churn_risk"]?.window == 30 * 86_400)
        #expect(map.signals["renewal_at_risk"]?.renewsWithinDays == 60)
        #expect(map.signals["renewal_at_risk"]?.actions.taskFamily == "project_task")
        #expect(map.signals["feature_demand"]?.scope == .all)
        #expect(map.signals["feature_demand"]?.tickets.same == "category")
        for family in map.families.values {
            #expect(family.label.values.keys.sorted() == ["en", "fr"], "labels of \(family.code)")
        }
    }

    @Test func everyProblemOfABrokenMapIsReportedWithItsPosition() throws {
        let url = try #require(Bundle.module.url(forResource: "broken.map", withExtension: "yaml", subdirectory: "Fixtures"))
        let error = try #require(throws: MapValidationError.self) { try MapLoader.load(contentsOf: url.path) }
        let lines = error.problems.map { "\($0.line):\($0.column): \($0.message)" }
        let expected = [
            "1:41: organization.timezone: unknown time zone 'Mars/Olympus'",
            "10:38: calendars.office.hours: 'funday' is not a weekday or a range such as mon-fri",
            "11:16: calendars.office.holidays: '2026-13-01' is not a date YYYY-MM-DD",
            "14:15: sla.standard.calendar: unknown calendar 'nowhere'; expected one of office",
            "17:46: sla.standard.targets.P1.resolution: 'soon' is not a duration such as 15m, 4h or 2d",
            "18:7: sla.standard.targets: unknown priority 'P9'; expected one of P1, P2, P3",
            "20:33: teams.l1.escalates_to: unknown team 'l9'; expected one of l1, l2",
            "25:64: workflows.flow.statuses.limbo: status has no category; expected one of new, open, pending, solved, closed",
            "25:72: workflows.flow.statuses.done: unknown category 'finished'; expected one of new, open, pending, solved, closed",
            "28:16: workflows.flow.transitions[1]: transition to unknown status 'elsewhere'",
            "35:27: families.incident.opened_by: unknown opener 'robot'; expected one of automation, customer, internal, monitoring, partner",
            "36:23: families.incident.channels: unknown channel 'pigeon'; expected one of api, chat, crm, email, import, monitoring, phone, portal",
            "37:22: families.incident.handled_by: unknown team 'l3'; expected one of l1, l2",
            "40:31: families.incident.crm.require: unknown CRM object 'spaceship'; expected one of account, asset, contact, contract, invoice, opportunity, subscription",
            "43:13: families.support.domain: unknown domain 'helpdesk'; expected one of itsm, support, projects",
            "44:10: families.support.key: duplicate key prefix 'INC', already used by family 'incident'",
            "48:15: families.support.workflow: unknown workflow 'missing-flow'; expected one of flow",
            "49:10: families.support.sla: unknown SLA policy 'gold'; expected one of standard",
            "51:31: routing[0].when: unknown field 'colour'",
            "52:19: routing[0].then.team: unknown team 'l7'",
            "55:13: signals.churn.when: unknown field 'account.colour'",
            "55:58: signals.churn.when.tickets: unknown field 'mood'",
            "56:26: signals.churn.then.task_family: unknown family 'nowhere'",
        ]
        for line in expected {
            #expect(lines.contains { $0 == line || $0.hasPrefix(line + ";") }, "missing: \(line)\nreported:\n\(lines.joined(separator: "\n"))")
        }
        #expect(lines.count == expected.count, "every problem is expected")
        #expect(error.problems.allSatisfy { $0.file == url.path })
        #expect(error.description.split(separator: "\n").first?.hasPrefix("\(url.path):") == true)
    }

    @Test func yamlSyntaxErrorsCarryTheirPosition() throws {
        let error = try #require(throws: MapValidationError.self) {
            try MapLoader.load(yaml: "families:\n  incident: [unclosed\n", file: "bad.yaml")
        }
        #expect(error.problems.count == 1)
        #expect(error.problems[0].file == "bad.yaml")
        #expect(error.problems[0].line >= 2)
        #expect(error.problems[0].message.hasPrefix("YAML syntax"))
    }

    @Test func aMapNeedsFamilies() throws {
        let error = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: "teams: { l1: { level: 1 } }\n") }
        #expect(error.problems.map(\.message) == ["map: missing required section 'families'"])
        let empty = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: "") }
        #expect(empty.problems.first?.message.contains("empty") == true)
    }

    @Test func unknownSectionsAndEmptyFamiliesAreReported() throws {
        let error = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: "families: {}\nfamillies: {}\n") }
        let messages = error.problems.map(\.description)
        #expect(messages.contains { $0.hasPrefix("relais.map.yaml:2:1: map: unknown key 'famillies'; expected one of organization") })
        #expect(messages.contains("relais.map.yaml:1:11: families: declare at least one family"))
    }

    @Test func duplicateKeysAreReportedWhereTheyAre() throws {
        let yaml = "families: {}\nteams:\n  l1: { level: 1 }\n  l1: { level: 2 }\n"
        let error = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: yaml) }
        #expect(error.problems.map(\.description) == ["relais.map.yaml:3:3: duplicate key 'l1' in this mapping"])
    }

    @Test func unreachableStatusesAndEscalationLoopsAreReported() throws {
        let yaml = """
            teams:
              a: { level: 1, escalates_to: b }
              b: { level: 1, escalates_to: a }
            workflows:
              w:
                initial: new
                statuses: { new: new, done: solved, island: open }
                transitions: [[new, done]]
            families:
              f: { label: F, domain: itsm, key: FF, opened_by: [internal], channels: [api], handled_by: [a], workflow: w }
            """
        let error = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: yaml) }
        let messages = error.problems.map(\.message)
        #expect(messages.contains("workflows.w.statuses.island: cannot be reached from 'new'"))
        #expect(messages.contains { $0.contains("escalation loops back") })
    }

    @Test func calendarRangesAcrossMidnightContinueOnTheNextDay() throws {
        let yaml = """
            calendars:
              night: { timezone: UTC, hours: { fri: "22:00-06:00" } }
            workflows:
              w: { initial: new, statuses: { new: new, done: solved }, transitions: [[new, done]] }
            teams: { a: { level: 1 } }
            families:
              f: { label: F, domain: itsm, key: FF, opened_by: [internal], channels: [api], handled_by: [a], workflow: w }
            """
        let calendar = try #require(try MapLoader.load(yaml: yaml).calendars["night"])
        #expect(calendar.hours[.fri] == [.init(start: 22 * 60, end: 24 * 60)])
        #expect(calendar.hours[.sat] == [.init(start: 0, end: 6 * 60)])
        #expect(calendar.weeklyMinutes == 8 * 60)
    }

    @Test func theSummaryNamesFamiliesTeamsAndWorkflows() throws {
        let map = try MapLoader.load(contentsOf: Self.examplePath)
        let summary = MapSummary.render(map, file: "acme.map.yaml")
        #expect(summary.hasPrefix("acme.map.yaml: valid map for Acme (Europe/Paris)"))
        #expect(summary.contains("Families (5)"))
        #expect(summary.contains("  INC    incident           IT incident"))
        #expect(summary.contains("  L1 it-l1 -> it-l2"))
        #expect(summary.contains("itil-incident: 6 statuses, 8 transitions"))
        #expect(summary.split(separator: "\n").count < 45, "one screen")
        #expect(MapSummary.render(map, file: "x", language: "fr").contains("Incident IT"))
    }

    @Test func governanceIsReadWithItsDefaultsAndItsMistakesPlaced() throws {
        let map = try MapLoader.load(contentsOf: Self.examplePath)
        #expect(map.governance.defaults == .init(propose: ["admin"], approve: ["admin"], secondApprover: true))
        // A section rule takes what it leaves out from the default.
        #expect(map.governance.sections[.routing] == .init(propose: ["admin", "agent"], approve: ["admin"], secondApprover: false))
        #expect(map.governance.domains[.support] == .init(propose: ["admin", "agent"], approve: ["admin"], secondApprover: true))
        let minimal = """
            teams: { a: { level: 1 } }
            workflows: { w: { initial: new, statuses: { new: new, done: solved }, transitions: [[new, done]] } }
            families: { f: { label: F, domain: itsm, key: FF, opened_by: [internal], channels: [api], handled_by: [a], workflow: w } }

            """
        #expect(try MapLoader.load(yaml: minimal).governance == MapGovernance())

        let yaml =
            minimal + """
                governance:
                  default: { propose: [admin, requester], second_approver: maybe }
                  sections:
                    workflows: { approve: [admin] }
                  domains:
                    hr: { propose: [agent] }
                """
        let error = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: yaml) }
        let lines = error.problems.map { "\($0.line):\($0.column): \($0.message)" }
        #expect(lines.contains("5:31: governance.default.propose: unknown role 'requester'; expected one of admin, agent"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("5:") && $0.contains("governance.default.second_approver") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("7:5: governance.sections: unknown section 'workflows'") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("9:5: governance.domains: unknown domain 'hr'") }, "\(lines)")
        #expect(lines.count == 4, "\(lines)")
    }

    @Test func rolesAreReadAndTheirMistakesPlaced() throws {
        let map = try MapLoader.load(contentsOf: Self.examplePath)
        let it = try #require(map.roles["it-agent"])
        #expect(it.scope.permissions == [.ticketsWrite, .crmRead, .knowledgeWrite, .cmdbWrite])
        #expect(it.scope.families == ["incident", "service_request", "change"])
        #expect(map.roles["support-agent"]?.scope.teams == nil)
        let member = try #require(map.roles["team-member"])
        #expect(member.ownTeams)
        #expect(member.scope(memberOf: ["billing"]).teams == ["billing"])
        #expect(it.scope(memberOf: ["billing"]) == it.scope)

        let yaml = """
            teams: { a: { level: 1 } }
            workflows: { w: { initial: new, statuses: { new: new, done: solved }, transitions: [[new, done]] } }
            families: { f: { label: F, domain: itsm, key: FF, opened_by: [internal], channels: [api], handled_by: [a], workflow: w } }
            roles:
              agent: { permissions: [] }
              lead: { permissions: [tickets.fly], families: [g], teams: [b] }
            governance:
              default: { propose: [lead, ghost] }
            """
        let error = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: yaml) }
        let lines = error.problems.map { "\($0.line):\($0.column): \($0.message)" }
        #expect(lines.contains { $0.hasPrefix("5:3: roles: 'agent' is a built-in role") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("6:25: roles.lead.permissions: unknown permission 'tickets.fly'") }, "\(lines)")
        #expect(lines.contains { $0.contains("roles.lead.families: unknown family 'g'") }, "\(lines)")
        #expect(lines.contains { $0.contains("roles.lead.teams: unknown team 'b'") }, "\(lines)")
        #expect(lines.contains { $0.contains("governance.default.propose: unknown role 'ghost'; expected one of admin, agent, lead") }, "\(lines)")
        #expect(lines.count == 5, "\(lines)")
    }

    @Test func entitiesAndBrandsAreReadAndTheirMistakesPlaced() throws {
        let map = try MapLoader.load(contentsOf: Self.examplePath)
        #expect(map.entityOrder == ["acme-sas", "boltline"] && map.defaultEntity == "acme-sas")
        #expect(map.entities["boltline"]?.brands == ["boltline"])
        let boltline = try #require(map.brands["boltline"])
        #expect(boltline.entity == "boltline" && boltline.portalName == "Assistance Boltline" && boltline.language == "fr")
        #expect(map.brand(forMail: ["nobody@x.example", "Support@Boltline.example"])?.code == "boltline")
        #expect(map.teams["billing"]?.entity == "acme-sas" && map.teams["support-l1"]?.entity == nil)
        #expect(map.roles["boltline-agent"]?.scope.entities == ["boltline"])

        let yaml = """
            organization: { name: Demo, languages: [en] }
            entities:
              north: { name: North Ltd, brands: { n: { mail: [help@n.example], language: fr, timezone: Mars/Base } } }
              south: { brands: { n: {}, s: { mail: [HELP@n.example, not-an-address] } } }
            teams: { a: { level: 1, entity: west } }
            workflows: { w: { initial: new, statuses: { new: new, done: solved }, transitions: [[new, done]] } }
            families: { f: { label: F, domain: itsm, key: FF, opened_by: [internal], channels: [api], handled_by: [a], workflow: w } }
            roles:
              lead: { permissions: [], entities: [east] }
            """
        let error = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: yaml) }
        let lines = error.problems.map { "\($0.line):\($0.column): \($0.message)" }
        #expect(
            lines.contains { $0.hasPrefix("3:78: entities.north.brands.n.language: 'fr' is not one of the organisation's languages (en)") },
            "\(lines)")
        #expect(lines.contains { $0.contains("entities.north.brands.n.timezone: unknown time zone 'Mars/Base'") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("4:22: entities.south.brands.n: brand 'n' is already a brand of entity 'north'") }, "\(lines)")
        #expect(lines.contains { $0.contains("entities.south.brands.s.mail: 'help@n.example' is already an address of brand 'n'") }, "\(lines)")
        #expect(lines.contains { $0.contains("entities.south.brands.s.mail: 'not-an-address' is not a mail address") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("5:33: teams.a.entity: unknown entity 'west'; expected one of north, south") }, "\(lines)")
        #expect(lines.contains { $0.contains("roles.lead.entities: unknown entity 'east'") }, "\(lines)")
        #expect(lines.count == 7, "\(lines)")

        // A mailbox's team serves the entity of the brand its address belongs to.
        let mismatched = try String(contentsOfFile: Self.examplePath, encoding: .utf8)
            .replacingOccurrences(
                of: "support@boltline.example: { family: customer_support, team: support-l1 }",
                with: "support@boltline.example: { family: customer_support, team: billing }")
        let placed = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: mismatched, file: Self.examplePath) }
        #expect(
            placed.problems.map(\.message) == [
                "mailboxes.support@boltline.example.team: team 'billing' belongs to entity 'acme-sas', the address to brand 'boltline' of entity 'boltline'"
            ])
    }

    @Test func trackersAreReadAndTheirMistakesPlaced() throws {
        let map = try MapLoader.load(contentsOf: Self.examplePath)
        #expect(
            map.trackers["product"]
                == DeveloperTracker(
                    name: "product", kind: .github, url: "https://api.github.com", project: "acme/acme-app", labels: ["from-support"],
                    tokenVariable: "RELAIS_GITHUB_TOKEN", secretVariable: "RELAIS_GITHUB_HOOK_SECRET", onFixed: "solved"))
        #expect(map.trackers["platform"]?.kind == .jira && map.trackers["platform"]?.userVariable == "RELAIS_JIRA_USER")

        let yaml = """
            workflows: { w: { initial: new, statuses: { new: new, done: solved }, transitions: [[new, done]] } }
            teams: { a: { level: 1 } }
            families: { f: { label: F, domain: itsm, key: FF, opened_by: [internal], channels: [api], handled_by: [a], workflow: w } }
            trackers:
              Bugs: { kind: github, url: https://api.github.com, project: acme, token_env: GH-TOKEN }
              jira: { kind: jira, url: "ftp://acme.example", project: PLAT, token_env: DATABASE_URL, on_fixed: shipped }
              boards: { kind: trello, url: https://trello.example, token_env: RELAIS_T, fixed: [] }
            """
        let error = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: yaml) }
        let lines = error.problems.map { "\($0.line):\($0.column): \($0.message)" }
        #expect(lines.contains { $0.hasPrefix("5:3: trackers: 'Bugs' must be lowercase letters, digits and dashes") }, "\(lines)")
        #expect(lines.contains { $0.contains("trackers.Bugs.project: a GitHub project is 'owner/repository', not 'acme'") }, "\(lines)")
        #expect(lines.contains { $0.contains("trackers.Bugs.token_env: 'GH-TOKEN' is not an environment variable name") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("6:28: trackers.jira.url: 'ftp://acme.example' is not an http or https address") }, "\(lines)")
        #expect(lines.contains { $0.contains("trackers.jira: missing 'user_env'") }, "\(lines)")
        #expect(lines.contains { $0.contains("trackers.jira.on_fixed: no workflow has status 'shipped'") }, "\(lines)")
        #expect(lines.contains { $0.contains("trackers.boards.kind: unknown kind 'trello' (known: github, gitlab, jira, azure)") }, "\(lines)")
        #expect(lines.contains { $0.contains("trackers.boards: missing 'project'") }, "\(lines)")
        #expect(lines.contains { $0.contains("trackers.boards.fixed: list at least one state") }, "\(lines)")
        // A map names only variables meant for it: not the database's address or a cloud key.
        #expect(
            lines.contains {
                $0.contains("trackers.jira.token_env: 'DATABASE_URL' is not a variable Relais may read: secrets come from variables named RELAIS_")
            },
            "\(lines)")
        #expect(lines.count == 10, "\(lines)")
    }

    @Test func peersAreReadAndTheirMistakesPlaced() throws {
        let yaml = """
            workflows: { w: { initial: new, statuses: { new: new, done: solved }, transitions: [[new, done]] } }
            teams: { a: { level: 1 } }
            families: { f: { label: F, domain: itsm, key: FF, opened_by: [internal], channels: [api], handled_by: [a], workflow: w } }
            peers:
              zendesk: { url: https://acme.zendesk.com/, user_env: RELAIS_ZD_USER, token_env: RELAIS_ZD_TOKEN, every: 2m, since: 2026-01-01 }
              freshservice: { url: https://acme.freshservice.com, token_env: RELAIS_FS_KEY }
            """
        let map = try MapLoader.load(yaml: yaml)
        #expect(
            map.peers["zendesk"]
                == PeerConnection(
                    source: "zendesk", url: "https://acme.zendesk.com", userVariable: "RELAIS_ZD_USER", tokenVariable: "RELAIS_ZD_TOKEN",
                    every: 120, since: Date(timeIntervalSince1970: 1_767_225_600)))
        #expect(map.peers["freshservice"]?.userVariable == nil && map.peers["freshservice"]?.every == 300)

        let broken =
            yaml.components(separatedBy: "peers:")[0] + """
                peers:
                  remedy: { url: https://remedy.example, token_env: RELAIS_T }
                  jira: { url: acme.atlassian.net, token_env: RELAIS_JIRA_TOKEN, every: 1s, since: yesterday }
                  servicenow: { url: "https://admin:secret@acme.service-now.com", user_env: RELAIS_SN_USER, token_env: PATH }
                """
        let error = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: broken) }
        let lines = error.problems.map { "\($0.line):\($0.column): \($0.message)" }
        #expect(lines.contains { $0.hasPrefix("5:3: peers: unknown tool 'remedy' (known: servicenow, jira, zendesk, freshservice)") }, "\(lines)")
        #expect(lines.contains { $0.contains("peers.jira.url: 'acme.atlassian.net' is not an http or https address") }, "\(lines)")
        #expect(lines.contains { $0.contains("peers.jira: missing 'user_env'") }, "\(lines)")
        #expect(lines.contains { $0.contains("peers.jira.every: '1s' is not a duration of at least 10s") }, "\(lines)")
        #expect(lines.contains { $0.contains("peers.jira.since: 'yesterday' is not a date (YYYY-MM-DD)") }, "\(lines)")
        #expect(
            lines.contains { $0.contains("peers.servicenow.url: 'https://admin:secret@acme.service-now.com' is not an http or https address") },
            "\(lines)")
        #expect(lines.contains { $0.contains("peers.servicenow.token_env: 'PATH' is not a variable Relais may read") }, "\(lines)")
        #expect(lines.count == 7, "\(lines)")
    }

    @Test func connectorsAreReadAndTheirMistakesPlaced() throws {
        let base = """
            workflows: { w: { initial: new, statuses: { new: new, done: solved }, transitions: [[new, done]] } }
            teams: { a: { level: 1 } }
            families: { f: { label: F, domain: itsm, key: FF, opened_by: [internal], channels: [api], handled_by: [a], workflow: w } }

            """
        let map = try MapLoader.load(
            yaml: base + """
                connectors:
                  hubspot: { token_env: RELAIS_HS_TOKEN, pipeline: "12", stages: { new: "1", open: "2", pending: "3", solved: "4", closed: "5" }, currency: eur }
                """)
        #expect(
            map.connectors["hubspot"]
                == CRMConnection(
                    kind: .hubspot, url: "https://api.hubapi.com", tokenVariable: "RELAIS_HS_TOKEN", pipeline: "12",
                    stages: [.new: "1", .open: "2", .pending: "3", .solved: "4", .closed: "5"], currency: "EUR"))
        #expect(
            try MapLoader.load(yaml: base + "connectors: { hubspot: { token_env: RELAIS_T, direction: in } }").connectors["hubspot"]?.direction == .in
        )

        let error = try #require(throws: MapValidationError.self) {
            try MapLoader.load(
                yaml: base + """
                    connectors:
                      pipedrive: { token_env: PD }
                      salesforce: { token_env: RELAIS_SF, direction: in }
                      hubspot: { token_env: HS-TOKEN, direction: sideways, stages: { new: "1", done: "9" } }
                    """)
        }
        let lines = error.problems.map { "\($0.line):\($0.column): \($0.message)" }
        #expect(lines.contains { $0.hasPrefix("5:3: connectors: unknown CRM 'pipedrive' (known: hubspot, salesforce)") }, "\(lines)")
        #expect(
            lines.contains { $0.contains("connectors.salesforce: missing 'url' (the instance, like https://acme.my.salesforce.com)") }, "\(lines)")
        #expect(lines.contains { $0.contains("connectors.hubspot.token_env: 'HS-TOKEN' is not an environment variable name") }, "\(lines)")
        #expect(lines.contains { $0.contains("connectors.hubspot.direction: 'sideways' is not one of in, out, both") }, "\(lines)")
        #expect(lines.contains { $0.contains("connectors.hubspot.stages: 'done' is not a status category") }, "\(lines)")
        #expect(lines.contains { $0.contains("connectors.hubspot.stages: no stage for status category 'open'") }, "\(lines)")
        #expect(lines.count == 6, "\(lines)")
    }
}

import RelaisCore
import RelaisMap
import Testing

@Suite struct SLAPolicyLoaderTests {
    static func map(calendar: String = "timezone: Europe/Paris, hours: { mon-fri: \"09:00-17:00\" }", policy: String, family: String = "") -> String {
        """
        referential:
          priority_matrix: { high: { high: P1, low: P2 }, low: { high: P2, low: P3 } }
        calendars:
          office: { \(calendar) }
        sla:
          standard: { calendar: office, \(policy) }
        workflows:
          w: { initial: new, statuses: { new: new, done: solved }, transitions: [[new, done]] }
        teams: { a: { level: 1 } }
        families:
          f: { label: F, domain: itsm, key: FF, opened_by: [internal], channels: [api], handled_by: [a], workflow: w, sla: standard\(family) }
        """
    }

    @Test func policiesReadEveryRule() throws {
        let yaml = Self.map(
            calendar: "timezone: UTC, hours: { mon-sun: \"00:00-24:00\" }, business_day: 24h",
            policy: """
                warn_at: 75%, on_priority_change: restart, on_reopen: restart, on_policy_change: keep,
                            escalation: { warning: { notify: [assignee] }, breach: { escalate: true, raise_priority: 2, notify: [team, account_owner] } },
                            targets: { P1: { first_response: 1d, periodic_update: 1w } }
                """,
            family: ", sla_by_tier: { strategic: standard }, sla_by_contract: { gold: standard }")
        let map = try MapLoader.load(yaml: yaml)
        let policy = try #require(map.sla["standard"])
        #expect(policy.warnAt == 75)
        #expect(policy.onPriorityChange == .restart && policy.onReopen == .restart && policy.onPolicyChange == .keep)
        #expect(policy.onWarning == .init(notify: ["assignee"]))
        #expect(policy.onBreach == .init(escalate: true, raisePriority: 2, notify: ["team", "account_owner"]))
        // On a calendar open around the clock with 24-hour days, 1d is a day and 1w a week.
        #expect(policy.targets["P1"]?[.firstResponse] == 86_400)
        #expect(policy.targets["P1"]?[.periodicUpdate] == 7 * 86_400)
        #expect(map.families["f"]?.slaByTier == ["strategic": "standard"])
        #expect(SLAEngine(map: map).policy(family: "f", tier: "strategic", contractLevel: "gold")?.code == "standard")
    }

    @Test(
        arguments: [
            ("timezone: Mars/Olympus, hours: { mon: \"09:00-17:00\" }", "targets: {}", "calendars.office.timezone: unknown time zone 'Mars/Olympus'"),
            (nil, "warn_at: 120%", "sla.standard.warn_at: '120%' is not a percentage between 1% and 99%"),
            (nil, "on_reopen: forget", "sla.standard.on_reopen: unknown value 'forget'; expected one of resume, restart"),
            (nil, "on_priority_change: ignore", "sla.standard.on_priority_change: unknown value 'ignore'; expected one of retarget, restart"),
            (
                nil, "escalation: { breach: { notify: [ceo] } }",
                "sla.standard.escalation.breach.notify: unknown recipient 'ceo'; expected one of account_owner, assignee, requester, team"
            ),
            (
                nil, "escalation: { breach: { raise_priority: 12 } }",
                "sla.standard.escalation.breach.raise_priority: expected a number of steps from 0 to 9"
            ),
            (nil, "escalation: { panic: {} }", "sla.standard.escalation: unknown key 'panic'; expected one of warning, breach"),
            (
                nil, "targets: { P1: { resolution: 4 hours } }",
                "sla.standard.targets.P1.resolution: '4 hours' is not a duration such as 15m, 4h or 2d"
            ),
        ] as [(String?, String, String)])
    func badPoliciesAreRefusedWithTheirPosition(calendar: String?, policy: String, message: String) throws {
        let yaml = calendar.map { Self.map(calendar: $0, policy: policy) } ?? Self.map(policy: policy)
        let error = try #require(throws: MapValidationError.self) { try MapLoader.load(yaml: yaml, file: "m.yaml") }
        #expect(error.problems.map(\.message) == [message])
        #expect(error.problems.allSatisfy { $0.line > 1 && $0.column > 1 }, "\(error)")
    }

    @Test func anOverrideNamingAnUnknownPolicyIsRefused() throws {
        let error = try #require(throws: MapValidationError.self) {
            try MapLoader.load(yaml: Self.map(policy: "targets: {}", family: ", sla_by_tier: { strategic: platinum }"))
        }
        #expect(error.problems.map(\.message) == ["families.f.sla_by_tier.strategic: unknown SLA policy 'platinum'; expected one of standard"])
    }
}

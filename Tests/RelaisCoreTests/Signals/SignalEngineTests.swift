import Foundation
import RelaisCore
import Testing

@Suite struct SignalEngineTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let account = UUID()

    func ticket(
        _ key: String, daysAgo: Double, severity: String? = "major", category: String? = nil, tags: [String] = [], account: UUID? = nil
    ) -> SignalTicket {
        var fields: [String: String] = ["family": "incident"]
        fields["severity"] = severity
        fields["category"] = category
        return SignalTicket(
            key: key, accountID: account ?? self.account, createdAt: now.addingTimeInterval(-daysAgo * 86_400), fields: fields, tags: tags)
    }

    var churn: SignalRule {
        SignalRule(
            code: "churn", conditions: [.init(field: "account.tier", values: ["strategic"])], window: 30 * 86_400,
            tickets: .init(fields: ["severity": ["major", "critical"]], atLeast: 3))
    }

    @Test func aRuleCountsOnlyMatchingTicketsInsideItsWindow() {
        let strategic = SignalAccount(id: account, attributes: ["account.tier": "strategic"])
        let tickets = [
            ticket("INC-1", daysAgo: 31), ticket("INC-2", daysAgo: 10), ticket("INC-3", daysAgo: 5, severity: "minor"), ticket("INC-4", daysAgo: 2),
        ]
        #expect(SignalEngine.evaluate(churn, account: strategic, tickets: tickets, now: now).isEmpty)
        let findings = SignalEngine.evaluate(churn, account: strategic, tickets: tickets + [ticket("INC-5", daysAgo: 1)], now: now)
        #expect(findings.map(\.evidence) == [["INC-2", "INC-4", "INC-5"]])
        #expect(findings.first?.subject == account.text)
        // The same tickets on an account of another tier raise nothing.
        let standard = SignalAccount(id: account, attributes: ["account.tier": "standard"])
        #expect(SignalEngine.evaluate(churn, account: standard, tickets: tickets + [ticket("INC-5", daysAgo: 1)], now: now).isEmpty)
    }

    @Test func sameGroupsTicketsPerValueAndAcrossAccountsCountsDistinctAccounts() {
        let rule = SignalRule(
            code: "demand", scope: .all, window: 90 * 86_400,
            tickets: .init(fields: ["tags": ["feature-request"]], same: "category", atLeast: 3, accountsAtLeast: 2))
        let other = UUID()
        let tickets = [
            ticket("SUP-1", daysAgo: 3, category: "sso", tags: ["feature-request"]),
            ticket("SUP-2", daysAgo: 2, category: "sso", tags: ["feature-request"]),
            ticket("SUP-3", daysAgo: 1, category: "sso", tags: ["feature-request"]),
            ticket("SUP-4", daysAgo: 1, category: "export", tags: ["feature-request"], account: other),
            ticket("SUP-5", daysAgo: 1, category: "export", tags: ["feature-request"], account: other),
            ticket("SUP-6", daysAgo: 1, category: "export", tags: ["feature-request"]),
            ticket("SUP-7", daysAgo: 1, category: "export", tags: ["bug"]),
        ]
        let findings = SignalEngine.evaluate(rule, account: nil, tickets: tickets, now: now)
        #expect(findings.map(\.subject) == ["*/export"], "sso comes from one account only")
        #expect(findings.first?.evidence == ["SUP-4", "SUP-5", "SUP-6"])
        #expect(findings.first?.accountID == nil && findings.first?.group == "export")
    }

    @Test(arguments: [("2027-02-14", true), ("2027-03-16", true), ("2027-03-17", false), ("2027-01-10", false)])
    func renewsWithinCountsDaysFromToday(renewal: String, holds: Bool) {
        // now is 2027-01-15.
        let rule = SignalRule(code: "renewal", renewsWithinDays: 60, window: 30 * 86_400, tickets: .init(fields: ["severity": ["critical"]]))
        let account = SignalAccount(id: account, attributes: [:], contracts: [["contract.renewal_date": renewal, "contract.status": "active"]])
        let findings = SignalEngine.evaluate(rule, account: account, tickets: [ticket("INC-9", daysAgo: 1, severity: "critical")], now: now)
        #expect(findings.isEmpty == !holds)
        let ended = SignalAccount(
            id: self.account, attributes: [:], contracts: [["contract.renewal_date": renewal, "contract.status": "terminated"]])
        #expect(SignalEngine.evaluate(rule, account: ended, tickets: [ticket("INC-9", daysAgo: 1, severity: "critical")], now: now).isEmpty)
    }

    @Test func numericConditionsCompareBoundsAndNeverMatchAMissingValue() {
        let condition = RoutingRule.Condition(field: "account.annual_revenue", values: [], atLeast: 1_000_000, atMost: 5_000_000)
        #expect(condition.accepts("1000000") && condition.accepts("4999999.5"))
        #expect(!condition.accepts("999999") && !condition.accepts("5000001") && !condition.accepts(nil) && !condition.accepts("lots"))
        let listed = RoutingRule.Condition(field: "account.tier", values: ["strategic", "key"])
        #expect(listed.accepts("key") && !listed.accepts("standard"))
    }
}

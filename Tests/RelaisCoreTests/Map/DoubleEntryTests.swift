import Foundation
import RelaisCore
import Testing

@Suite struct DoubleEntryTests {
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func theSameRequestInTwoToolsIsPairedAndOnlyThen() {
        let entries = [
            DoubleEntry.Entry(source: "servicenow", key: "INC-1", title: "VPN down at the Lyon office", createdAt: t0, account: "a1"),
            DoubleEntry.Entry(source: "jira", key: "OPS-4", title: "Lyon office: VPN down!", createdAt: t0.addingTimeInterval(3_600), account: "a1"),
            // Same tool: not a double entry between tools.
            DoubleEntry.Entry(source: "servicenow", key: "INC-2", title: "VPN down at the Lyon office", createdAt: t0.addingTimeInterval(60)),
            // Another account.
            DoubleEntry.Entry(
                source: "relais", key: "SUP-9", title: "VPN down at the Lyon office", createdAt: t0.addingTimeInterval(120), account: "a2"),
            // Too late.
            DoubleEntry.Entry(source: "zendesk", key: "ZD-3", title: "VPN down at the Lyon office", createdAt: t0.addingTimeInterval(3 * 86_400)),
            // Another subject.
            DoubleEntry.Entry(source: "zendesk", key: "ZD-4", title: "Printer jams on floor 3", createdAt: t0.addingTimeInterval(30)),
        ]
        let pairs = DoubleEntry.pairs(entries)
        // The untied ServiceNow entry pairs with both others; the accounts a1 and a2 never pair.
        #expect(pairs.map { "\($0.first.key)~\($0.second.key)" } == ["INC-2~SUP-9", "INC-1~OPS-4", "INC-2~OPS-4"])
        #expect(pairs.map(\.similarity) == [1, 0.8, 0.8])
        #expect(Set(pairs.map(\.tools)) == ["jira + servicenow", "relais + servicenow"])
        #expect(DoubleEntry.pairs(entries, window: 4 * 86_400).contains { $0.second.key == "ZD-3" })
        #expect(DoubleEntry.pairs(entries, threshold: 1.01).isEmpty)
    }
}

@Suite struct PeerTimeTests {
    @Test(arguments: [
        ("2026-10-05 08:12:30", "2026-10-05T08:12:30Z"),
        ("2026-10-05T08:12:30Z", "2026-10-05T08:12:30Z"),
        ("2026-10-05T10:12:30.500+02:00", "2026-10-05T08:12:30Z"),
        ("2026-10-05T10:12:30.000+0200", "2026-10-05T08:12:30Z"),
        ("2026-10-04T23:12:30-09:00", "2026-10-05T08:12:30Z"),
        ("2026-10-05", "2026-10-05T00:00:00Z"),
        ("2024-02-29 23:59:59", "2024-02-29T23:59:59Z"),
        ("1999-12-31T23:59", "1999-12-31T23:59:00Z"),
    ])
    func timesAsToolsWriteThem(text: String, expected: String) throws {
        let date = try #require(ColumnMapping.time(text))
        #expect(abs(date.timeIntervalSince(try #require(ISO8601DateFormatter().date(from: expected)))) < 1)
    }

    @Test(arguments: ["yesterday", "2026-13-01", "2026-10-05 25:00:00", "2026-10-05 08:12:30 extra", "", "2026-10-05T08", "2026-1-5"])
    func whatIsNotATimeIsRefused(text: String) {
        #expect(ColumnMapping.time(text) == nil)
    }
}

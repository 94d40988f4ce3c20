import Foundation
import RelaisCore
import Testing

/// Which family a creation form starts on and which channel its ticket is recorded under.
@Suite struct OpeningTests {
    static var map: ProcessMap {
        var map = SampleMap.map
        var request = map.families["incident"]!
        request.code = "request"
        request.keyPrefix = "REQ"
        request.openedBy = ["internal"]
        request.channels = ["portal", "email"]
        request.crm = .init(require: [], allow: [.contact])
        map.families["request"] = request
        return map
    }

    @Test func aFormStartsOnTheFamilyAskedForElseOneWithoutRequiredLinks() {
        let agent = AccessPolicyTests.agent, requester = AccessPolicyTests.requester
        #expect(Self.map.defaultFamily(for: agent, openedBy: "internal", asked: nil) == "request", "INC needs an account: REQ comes first")
        #expect(Self.map.defaultFamily(for: agent, openedBy: "internal", asked: "incident") == "incident")
        #expect(Self.map.defaultFamily(for: agent, openedBy: "internal", asked: "nonsense") == "request")
        // Customers open only what the map lets them: the incident, whatever they ask for.
        #expect(Self.map.defaultFamily(for: requester, openedBy: "customer", asked: "request") == "incident")
        // A role limited to other families opens none of these.
        let other = AccessPolicyTests.principal("lead", permissions: [.ticketsWrite], families: ["changes"])
        #expect(Self.map.defaultFamily(for: other, openedBy: "internal", asked: nil) == nil)
    }

    @Test func aTicketKeepsTheFormsChannelWhenItsFamilyTakesIt() {
        #expect(Self.map.channel(for: "request", preferring: "portal") == "portal")
        #expect(Self.map.channel(for: "incident", preferring: "portal") == "email", "the family's first channel")
        #expect(Self.map.channel(for: "unknown", preferring: "portal") == "portal")
    }
}

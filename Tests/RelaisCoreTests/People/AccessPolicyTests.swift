import Foundation
import RelaisCore
import Testing

/// The one access policy, as a table: for each kind of caller and each resource, what they may do.
@Suite struct AccessPolicyTests {
    static let org = UUID()
    static func principal(_ role: String, permissions: Set<Permission>? = nil, families: Set<String>? = nil) -> Principal {
        var principal = Principal(userID: UUID(), organizationID: org, name: role, roleName: role)
        if let permissions {
            principal.access = AccessScope(permissions: permissions, families: families)
        }
        return principal
    }

    static let admin = principal("admin")
    static let agent = principal("agent")
    static let requester = principal("requester")
    /// A role of the map that reads tickets and nothing more.
    static let reader = principal("reader", permissions: [])
    /// A role of the map that manages users and writes tickets of one family.
    static let lead = principal("lead", permissions: [.usersManage, .ticketsWrite], families: ["incident"])

    /// Letters per action: r(ead) l(ist) c(reate) u (change) d(elete); a dash where refused.
    static let table: [(Resource, [String: String])] = [
        (.ticket, ["admin": "rlcu-", "agent": "rlcu-", "requester": "rlc--", "reader": "rl---", "lead": "rlcu-"]),
        (.ticketReply, ["admin": "rlcud", "agent": "rlcud", "requester": "r-c--", "reader": "rl---", "lead": "rlcud"]),
        (.internalNote, ["admin": "rlcud", "agent": "rlcud", "requester": "-----", "reader": "rl---", "lead": "rlcud"]),
        (.ticketHistory, ["admin": "rl---", "agent": "rl---", "requester": "r----", "reader": "rl---", "lead": "rl---"]),
        (.slaQueue, ["admin": "rl---", "agent": "rl---", "requester": "-----", "reader": "rl---", "lead": "rl---"]),
        (.account, ["admin": "rlcud", "agent": "rlcud", "requester": "-----", "reader": "-----", "lead": "-----"]),
        (.crmRecord, ["admin": "rlcud", "agent": "rlcud", "requester": "-----", "reader": "-----", "lead": "-----"]),
        (.revenue, ["admin": "rlcud", "agent": "rlcud", "requester": "-----", "reader": "-----", "lead": "-----"]),
        (.article, ["admin": "rlcud", "agent": "rlcud", "requester": "rl---", "reader": "rl---", "lead": "rl---"]),
        (.articleHistory, ["admin": "rl---", "agent": "rl---", "requester": "-----", "reader": "rl---", "lead": "rl---"]),
        (.configurationItem, ["admin": "rlcud", "agent": "rlcud", "requester": "-----", "reader": "rl---", "lead": "rl---"]),
        (.report, ["admin": "rl---", "agent": "rl---", "requester": "-----", "reader": "-----", "lead": "-----"]),
        (.processLog, ["admin": "rl---", "agent": "rl---", "requester": "-----", "reader": "-----", "lead": "-----"]),
        (.audit, ["admin": "rl---", "agent": "-----", "requester": "-----", "reader": "-----", "lead": "-----"]),
        (.webhookEndpoint, ["admin": "rlcud", "agent": "-----", "requester": "-----", "reader": "-----", "lead": "-----"]),
        (.channelToken, ["admin": "rlcud", "agent": "-----", "requester": "-----", "reader": "-----", "lead": "-----"]),
        (.mail, ["admin": "rlcud", "agent": "-----", "requester": "-----", "reader": "-----", "lead": "-----"]),
        (.mailQuarantine, ["admin": "rl-u-", "agent": "rl-u-", "requester": "-----", "reader": "rl-u-", "lead": "rl-u-"]),
        (.mapVersion, ["admin": "rlcu-", "agent": "rlcu-", "requester": "-----", "reader": "rlcu-", "lead": "rlcu-"]),
        (.user, ["admin": "rlcud", "agent": "-----", "requester": "-----", "reader": "-----", "lead": "rlcud"]),
        (.apiToken, ["admin": "rlcud", "agent": "-----", "requester": "-----", "reader": "-----", "lead": "rlcud"]),
    ]

    static let callers = [admin, agent, requester, reader, lead]

    @Test func everyResourceIsInTheTable() {
        #expect(Set(Self.table.map(\.0)) == Set(Resource.allCases).subtracting([.contact, .signal, .escalation]))
    }

    @Test(arguments: Self.table.map(\.0))
    func theTableIsWhatThePolicyDecides(resource: Resource) throws {
        let row = try #require(Self.table.first { $0.0 == resource }?.1)
        for caller in Self.callers {
            let expected = try #require(row[caller.name], "\(resource) has no entry for \(caller.name)")
            let letters = ["r", "l", "c", "u", "d"]
            for (index, action) in [Action.read, .list, .create, .change, .delete].enumerated() {
                let allowed = AccessPolicy.decide(action, resource, by: caller).isAllowed
                #expect(
                    allowed == (Array(expected)[index] != "-"), "\(caller.name) \(action) \(resource): expected '\(letters[index])' in \(expected)")
                if !allowed, case let .refused(reason) = AccessPolicy.decide(action, resource, by: caller) {
                    #expect(!reason.isEmpty)
                    #expect(throws: AccessError.forbidden(reason)) { try caller.require(action, resource) }
                }
            }
        }
    }

    @Test func contactsAndSignalsFollowAccounts() {
        for caller in Self.callers {
            for action in Action.allCases {
                #expect(caller.may(action, .contact) == caller.may(action, .account))
                #expect(caller.may(action, .signal) == caller.may(action, .account))
            }
        }
    }

    @Test func requestersSeeTheirOwnTicketsAndThePublicHistory() {
        let mine = Self.requester.userID
        #expect(AccessPolicy.ticketCut(for: Self.requester) == .requestedBy(userID: mine))
        #expect(AccessPolicy.sees(ticketOf: "incident", team: "it-l1", entity: nil, requester: mine, by: Self.requester))
        #expect(!AccessPolicy.sees(ticketOf: "incident", team: "it-l1", entity: nil, requester: UUID(), by: Self.requester))
        #expect(AccessPolicy.sees(historyOf: .statusChanged, by: Self.requester))
        for kind in [TicketChange.Kind.assigned, .escalated, .escalationFailed, .slaBreached, .linked, .fieldChanged] {
            #expect(!AccessPolicy.sees(historyOf: kind, by: Self.requester), "\(kind)")
            #expect(AccessPolicy.sees(historyOf: kind, by: Self.agent), "\(kind)")
        }
        #expect(AccessPolicy.seesOnlyCustomerArticles(Self.requester) && !AccessPolicy.seesOnlyCustomerArticles(Self.agent))
    }

    @Test func staffSeeWhatTheirRoleReaches() {
        #expect(AccessPolicy.ticketCut(for: Self.lead) == .reach(Self.lead.access))
        #expect(AccessPolicy.sees(ticketOf: "incident", team: nil, entity: nil, requester: nil, by: Self.lead))
        #expect(!AccessPolicy.sees(ticketOf: "change", team: nil, entity: nil, requester: nil, by: Self.lead))
        #expect(AccessPolicy.mayOpen(family: "incident", by: Self.lead) && !AccessPolicy.mayOpen(family: "change", by: Self.lead))
        #expect(!AccessPolicy.mayOpen(family: "incident", by: Self.reader))
        #expect(AccessPolicy.mayOpen(family: "anything", by: Self.requester))
    }

    @Test(arguments: WorkspaceArea.allCases)
    func areasOfTheWorkspace(area: WorkspaceArea) {
        let expected: [String: Set<WorkspaceArea>] = [
            "admin": [.desk, .dashboards, .administration], "agent": [.desk, .dashboards], "requester": [.portal],
            "reader": [.desk], "lead": [.desk, .administration],
        ]
        for caller in Self.callers {
            #expect(AccessPolicy.enters(area, by: caller) == expected[caller.name]!.contains(area), "\(caller.name) \(area)")
        }
    }

    /// Managing users never widens one's own access.
    @Test func aRoleIsGivenOnlyByWhoHoldsAsMuch() {
        #expect(AccessPolicy.mayGrant(role: "admin", scope: .everything, by: Self.admin) == .allowed)
        #expect(AccessPolicy.mayGrant(role: "admin", scope: .everything, by: Self.lead) != .allowed)
        #expect(AccessPolicy.mayGrant(role: "agent", scope: .agent, by: Self.lead) != .allowed)
        let narrower = AccessScope(permissions: [.ticketsWrite], families: ["incident"])
        #expect(AccessPolicy.mayGrant(role: "l1", scope: narrower, by: Self.lead) == .allowed)
        let wider = AccessScope(permissions: [.ticketsWrite], families: ["incident", "change"])
        #expect(AccessPolicy.mayGrant(role: "l2", scope: wider, by: Self.lead) != .allowed)
        let allFamilies = AccessScope(permissions: [.ticketsWrite])
        #expect(AccessPolicy.mayGrant(role: "any", scope: allFamilies, by: Self.lead) != .allowed)
        #expect(AccessPolicy.mayGrant(role: "l1", scope: narrower, by: Self.agent) != .allowed, "agents manage no users")
    }
}

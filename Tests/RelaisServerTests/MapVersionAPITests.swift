import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct MapVersionAPITests {
    static func json(_ text: String, message: String) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: ["text": text, "message": message])
        return String(decoding: data, as: UTF8.self)
    }

    static func routingTo(_ team: String, in text: String) -> String {
        text.replacingOccurrences(of: "then: { team: it-l2, priority: P1 }", with: "then: { team: \(team), priority: P1 }")
    }

    static func team(ofNewCriticalIncident client: some TestClientProtocol, _ api: APIHarness) async throws -> String? {
        let created = try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident(severity: "critical"))
        #expect(created.status == .created, "\(created.text)")
        return created.json["team"] as? String
    }

    @Test(arguments: Engine.available)
    func aChangeIsProposedReviewedAppliedAndRolledBack(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let text = try ExampleMap.text()
            let bob = try await api.services.directory.createToken(
                for: api.services.directory.addUser(organizationID: api.services.organization.id, name: "bob", email: nil, role: .admin))
            #expect(try await client.send(.get, "/api/v1/map", token: api.agent).json["version"] as? Int == 1)
            try await client.send(.get, "/api/v1/map/versions", token: api.requester).expectProblem(.forbidden)
            #expect(try await Self.team(ofNewCriticalIncident: client, api) == "it-l2")

            // Not the agent's to propose: the problem names the permissions, and the refusal is audited.
            let renamed = text.replacingOccurrences(of: "in_progress", with: "working")
            let refused = try await client.send(.post, "/api/v1/map/versions", token: api.agent, body: try Self.json(renamed, message: "rename"))
                .expectProblem(.forbidden)
            #expect(refused["permissions"] as? [String] == ["map.families.propose", "map.domain.itsm.propose"])
            let audit = try await AuditLog(database: api.services.database).entries(
                organizationID: api.services.organization.id, action: "access.refused", limit: 10)
            #expect(audit.last?.target == "POST /api/v1/map/versions")
            #expect(audit.last?.detail.contains("map.families.propose") == true)

            // A text that does not validate: every problem with its line and column, stored as rejected.
            let invalid = try await client.send(
                .post, "/api/v1/map/versions", token: api.admin,
                body: try Self.json(Self.routingTo("nobody", in: text), message: "typo")
            )
            .expectProblem(.unprocessableContent, field: "text")
            let errors = try #require(invalid["errors"] as? [[String: Any]])
            #expect(
                errors.contains {
                    ($0["message"] as? String)?.contains("nobody") == true && ($0["line"] as? Int ?? 0) > 200 && ($0["column"] as? Int ?? 0) > 0
                })
            let rejectedNumber = try #require(invalid["version"] as? Int)
            let rejected = try await client.send(.get, "/api/v1/map/versions/\(rejectedNumber)", token: api.agent)
            #expect(rejected.json["state"] as? String == "rejected")
            #expect((rejected.json["problems"] as? [Any])?.count == errors.count)

            let emptyMove = #"{"text": "x", "message": "m", "moves": [{"family": " ", "from": "a", "to": "b"}]}"#
            try await client.send(.post, "/api/v1/map/versions", token: api.admin, body: emptyMove).expectProblem(
                .unprocessableContent, field: "moves[0].family")

            // Routing: agents may propose; the impact replays routing on the open tickets.
            let proposed = try await client.send(
                .post, "/api/v1/map/versions", token: api.agent,
                body: try Self.json(Self.routingTo("it-l3", in: text), message: "critical incidents to L3"))
            #expect(proposed.status == .created, "\(proposed.text)")
            let number = try #require(proposed.json["number"] as? Int)
            #expect(proposed.json["sections"] as? [String] == ["routing"])
            let detail = try await client.send(.get, "/api/v1/map/versions/\(number)", token: api.agent)
            let impact = try #require(detail.json["impact"] as? [String: Any], "\(detail.text)")
            #expect(impact["can_apply"] as? Bool == true)
            #expect(impact["routing_changed"] as? Int == 1)
            let diff = try await client.send(.get, "/api/v1/map/versions/\(number)/diff", token: api.agent)
            let unified = try #require(diff.json["diff"] as? String)
            #expect(unified.contains("\n-    then: { team: it-l2, priority: P1 }\n+    then: { team: it-l3, priority: P1 }\n"), "\(unified)")

            try await client.send(.post, "/api/v1/map/versions/\(number)/apply", token: api.admin).expectProblem(.conflict)
            #expect(
                try await client.send(.post, "/api/v1/map/versions/\(number)/approve", token: api.admin, body: #"{"note": "fine"}"#).status == .ok)
            let applied = try await client.send(.post, "/api/v1/map/versions/\(number)/apply", token: bob)
            #expect(applied.json["state"] as? String == "applied", "\(applied.text)")
            // This process runs it from the next request on.
            #expect(try await client.send(.get, "/api/v1/map", token: api.agent).json["version"] as? Int == number)
            #expect(try await Self.team(ofNewCriticalIncident: client, api) == "it-l3")

            let rollback = try await client.send(.post, "/api/v1/map/versions/1/rollback", token: bob, body: #"{"message": "back to L2"}"#)
            #expect(rollback.status == .created, "\(rollback.text)")
            #expect(rollback.json["rollback_of"] as? Int == 1)
            #expect(try await Self.team(ofNewCriticalIncident: client, api) == "it-l2")
            let list = try await client.send(.get, "/api/v1/map/versions?limit=2", token: api.agent)
            #expect(list.json["running"] as? Int == rollback.json["number"] as? Int)
            #expect((list.json["items"] as? [[String: Any]])?.count == 2)
            let cursor = try #require(list.json["next_cursor"] as? String)
            let rest = try await client.send(.get, "/api/v1/map/versions?cursor=\(cursor)", token: api.agent)
            #expect((rest.json["items"] as? [[String: Any]])?.compactMap { $0["number"] as? Int } == [rejectedNumber, 1], "\(rest.text)")
        }
    }

    /// Another process applying a version: this one switches when it next reads the running
    /// number; requests in flight during the switches all succeed, each on one map or the other.
    @Test(arguments: Engine.available)
    func processesSwitchWithoutAFailedRequest(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let text = try ExampleMap.text()
            let versions = api.services.versions, org = api.services.organization.id
            let admin = MapActor(id: nil, name: "operator", role: "admin")
            let change = try await versions.propose(organizationID: org, text: Self.routingTo("it-l3", in: text), message: "to L3", by: admin)
            _ = try await versions.approve(organizationID: org, number: change.number, by: admin)
            _ = try await versions.apply(organizationID: org, number: change.number, by: admin)
            // Applied elsewhere: this process has not looked yet.
            #expect(try await client.send(.get, "/api/v1/map", token: api.agent).json["version"] as? Int == 1)
            #expect(try await api.services.runtime.reload()?.mapVersion.number == change.number)
            #expect(try await client.send(.get, "/api/v1/map", token: api.agent).json["version"] as? Int == change.number)
            #expect(try await api.services.runtime.reload() == nil)

            // Creations under way while versions keep switching.
            let teams = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var seen: [String] = []
                        for _ in 0..<15 {
                            let created = try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident(severity: "critical"))
                            #expect(created.status == .created, "\(created.text)")
                            seen.append(created.json["team"] as? String ?? "none")
                        }
                        return seen
                    }
                }
                group.addTask {
                    for round in 0..<6 {
                        let target = round.isMultiple(of: 2) ? 1 : change.number
                        _ = try await versions.rollback(organizationID: org, to: target, by: admin)
                        try await api.services.runtime.reload()
                    }
                    return []
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(teams.count == 60)
            #expect(Set(teams).isSubset(of: ["it-l2", "it-l3"]), "\(Set(teams))")
            // The last switch (to the text of version `change`) is what runs now.
            #expect(try await Self.team(ofNewCriticalIncident: client, api) == "it-l3")
        }
    }
}

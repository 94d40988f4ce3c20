import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisStore
import RelaisTestSupport
import Testing

@Suite struct UserAPITests {
    @Test(arguments: Engine.available)
    func usersAreManagedByWhoMayAndOnlyAdministratorsTouchAdministrators(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let refused = try await client.send(.get, "/api/v1/users", token: api.agent).expectProblem(.forbidden)
            #expect((refused["detail"] as? String)?.contains("users.manage") == true)

            let created = try await client.send(
                .post, "/api/v1/users", token: api.admin,
                body: #"{"name":"ivan","role":"it-agent","email":"ivan@acme.example","teams":["it-l2","it-l1"]}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["teams"] as? [String] == ["it-l1", "it-l2"])
            try await client.send(.post, "/api/v1/users", token: api.admin, body: #"{"name":"ivan","role":"agent"}"#).expectProblem(.conflict)
            let unknownRole = try await client.send(.post, "/api/v1/users", token: api.admin, body: #"{"name":"x","role":"wizard"}"#)
                .expectProblem(.unprocessableContent, field: "role")
            #expect((unknownRole["allowed"] as? [String])?.contains("team-member") == true)
            try await client.send(.post, "/api/v1/users", token: api.admin, body: #"{"name":"x","role":"agent","teams":["nowhere"]}"#)
                .expectProblem(.unprocessableContent, field: "teams")

            let changed = try await client.send(.patch, "/api/v1/users/ivan", token: api.admin, body: #"{"role":"support-agent","teams":[]}"#)
            #expect(changed.json["role"] as? String == "support-agent" && (changed.json["teams"] as? [String])?.isEmpty == true, "\(changed.text)")
            try await client.send(.patch, "/api/v1/users/ada", token: api.admin, body: #"{"role":"agent"}"#).expectProblem(.forbidden)
            try await client.send(.patch, "/api/v1/users/nobody", token: api.admin, body: #"{"teams":[]}"#).expectProblem(.notFound)
            let listed = try await client.send(.get, "/api/v1/users", token: api.admin).json["items"] as? [[String: Any]]
            #expect(listed?.first { $0["name"] as? String == "ivan" }?["email"] as? String == "ivan@acme.example")
            let actions = try await AuditLog(database: api.services.database).entries(
                organizationID: api.services.organization.id, action: "user", limit: 50
            )
            .filter { $0.actor == "ada" }.map(\.action)
            #expect(actions == ["user.created", "user.teams_changed", "user.role_changed", "user.teams_changed"])

            // A role holding users.manage, below administrator, makes no administrator and touches none.
            var manager = try #require(try await api.services.directory.user(organizationID: api.services.organization.id, name: "sam"))
            manager.access.permissions.insert(.usersManage)
            let users = UserService(directory: api.services.directory, map: api.services.configuration.map)
            await #expect(throws: AccessError.forbidden("only administrators make administrators")) {
                try await users.create(name: "eve", email: nil, role: "admin", teams: [], by: manager)
            }
            await #expect(throws: AccessError.forbidden("'sam' may not change 'ada', whose access is wider than theirs")) {
                try await users.update(name: "ada", .init(teams: ["it-l1"]), by: manager)
            }
            #expect(try await users.create(name: "eve", email: nil, role: "agent", teams: [], by: manager).roleName == "agent")
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisCore
import RelaisStore
import RelaisTestSupport
import SQLKit
import Testing

/// Legal entities and brands of the demo map (Acme SAS, the default, and Boltline SAS): what
/// decides a ticket's, who reaches what, and the reports cut by them.
@Suite struct EntityAPITests {
    func keys(_ response: TestResponse) -> [String] {
        ((response.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }.sorted()
    }

    @Test(arguments: Engine.available)
    func ticketsAndAccountsBelongToAnEntityAndAgentsReachTheirsOnly(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let directory = api.services.directory, org = api.services.organization.id
            let madeBert = try await client.send(
                .post, "/api/v1/users", token: api.admin, body: #"{"name":"bert","role":"agent","entities":["boltline"]}"#)
            #expect(madeBert.json["entities"] as? [String] == ["boltline"], "\(madeBert.text)")
            try await client.send(.post, "/api/v1/users", token: api.admin, body: #"{"name":"x","role":"agent","entities":["acme-gmbh"]}"#)
                .expectProblem(.unprocessableContent, field: "entities")
            let bert = try await directory.createToken(for: try #require(try await directory.user(organizationID: org, name: "bert")))
            let olga = try await directory.createToken(for: directory.addUser(organizationID: org, name: "olga", email: nil, roleName: "agent"))
            _ = try await client.send(.patch, "/api/v1/users/olga", token: api.admin, body: #"{"entities":["acme-sas"]}"#)

            // What decides a ticket's entity and brand: the brand named, else the account's
            // entity, else the default entity, with its first brand.
            let made = try await client.send(.post, "/api/v1/accounts", token: api.admin, body: #"{"name":"Bolt Client","entity":"boltline"}"#)
            let boltAccount = try #require(made.json["id"] as? String, "\(made.text)")
            try await client.send(.post, "/api/v1/accounts", token: api.admin, body: #"{"name":"Nowhere","entity":"acme-gmbh"}"#)
                .expectProblem(.unprocessableContent, field: "entity")
            let support =
                #"{"family":"customer_support","title":"Invoice is wrong","category":"billing","links":[{"kind":"account","id":"\#(api.accountID)"}]"#
            let branded = try await client.send(.post, "/api/v1/tickets", token: api.agent, body: support + #","brand":"boltline"}"#)
            #expect(branded.json["entity"] as? String == "boltline" && branded.json["brand"] as? String == "boltline", "\(branded.text)")
            let plain = try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident())
            #expect(plain.json["entity"] as? String == "acme-sas" && plain.json["brand"] as? String == "acme", "\(plain.text)")
            let mismatch = try await client.send(
                .post, "/api/v1/tickets", token: api.agent, body: support + #","brand":"boltline","entity":"acme-sas"}"#
            )
            .expectProblem(.unprocessableContent, field: "entity")
            #expect((mismatch["detail"] as? String)?.contains("brand 'boltline' belongs to entity 'boltline'") == true)
            try await client.send(.post, "/api/v1/tickets", token: api.agent, body: support + #","brand":"nope"}"#)
                .expectProblem(.unprocessableContent, field: "brand")
            let boltSupport =
                #"{"family":"customer_support","title":"Login fails","category":"usage","links":[{"kind":"account","id":"\#(boltAccount)"}]}"#
            // Acme's billing office handles Acme SAS's tickets only.
            try await client.send(.post, "/api/v1/tickets", token: api.agent, body: support + #","brand":"boltline","team":"billing"}"#)
                .expectProblem(.unprocessableContent, field: "team")
            try await client.send(
                .patch, "/api/v1/tickets/\(try #require(branded.json["key"] as? String))", token: api.agent, body: #"{"team":"billing"}"#
            )
            .expectProblem(.unprocessableContent, field: "team")
            let linked = try await client.send(.post, "/api/v1/tickets", token: api.agent, body: boltSupport)
            #expect(linked.json["entity"] as? String == "boltline", "\(linked.text)")
            let boltKeys = [branded.json["key"] as? String, linked.json["key"] as? String].compactMap { $0 }.sorted()
            let acmeKey = try #require(plain.json["key"] as? String)

            // An agent granted an entity reaches its tickets and accounts only.
            #expect(keys(try await client.send(.get, "/api/v1/tickets", token: bert)) == boltKeys)
            #expect(keys(try await client.send(.get, "/api/v1/tickets", token: olga)) == [acmeKey])
            try await client.send(.get, "/api/v1/tickets/\(acmeKey)", token: bert).expectProblem(.notFound)
            #expect(try await client.send(.get, "/api/v1/tickets/\(boltKeys[0])", token: bert).status == .ok)
            let refused = try await client.send(.post, "/api/v1/tickets", token: bert, body: api.incident()).expectProblem(.forbidden)
            #expect((refused["detail"] as? String)?.contains("not granted entity 'acme-sas'") == true)
            let own = try await client.send(.post, "/api/v1/tickets", token: bert, body: boltSupport)
            #expect(own.json["entity"] as? String == "boltline", "\(own.text)")
            let boltKeysNow = (boltKeys + [own.json["key"] as? String ?? ""]).sorted()
            let accounts = try await client.send(.get, "/api/v1/accounts", token: bert).json["items"] as? [[String: Any]]
            #expect(accounts?.compactMap { $0["name"] as? String } == ["Bolt Client"])
            try await client.send(.get, "/api/v1/accounts/\(api.accountID)", token: bert).expectProblem(.notFound)
            try await client.send(.get, "/api/v1/accounts/\(api.accountID)/overview", token: bert).expectProblem(.notFound)
            try await client.send(.post, "/api/v1/accounts", token: bert, body: #"{"name":"Initech","entity":"acme-sas"}"#).expectProblem(.forbidden)
            #expect(try await client.send(.get, "/api/v1/accounts/\(api.accountID)", token: olga).status == .ok)

            // Tickets stored before the map had entities count as the default entity's.
            try await api.services.database.transaction { db in
                try await db.update("tickets").set("entity", to: SQLLiteral.null).where("key", .equal, acmeKey).run()
            }
            #expect(keys(try await client.send(.get, "/api/v1/tickets", token: olga)) == [acmeKey])
            #expect(!keys(try await client.send(.get, "/api/v1/tickets", token: bert)).contains(acmeKey))

            // Lists and the SLA report cut by entity and brand; the report holds what the caller reaches.
            #expect(keys(try await client.send(.get, "/api/v1/tickets?entity=boltline", token: api.admin)) == boltKeysNow)
            #expect(keys(try await client.send(.get, "/api/v1/tickets?brand=acme", token: api.admin)) == [acmeKey])
            func groups(_ query: String, token: String) async throws -> [String: Int] {
                let report = try await client.send(.get, "/api/v1/reports/sla?\(query)", token: token)
                #expect(report.status == .ok, "\(report.text)")
                return Dictionary(
                    uniqueKeysWithValues: ((report.json["groups"] as? [[String: Any]]) ?? []).map {
                        ($0["group"] as? String ?? "none", $0["tickets"] as? Int ?? -1)
                    })
            }
            let byEntity = try await groups("group_by=entity", token: api.admin)
            #expect(byEntity["boltline"] == 3 && byEntity["none"] == 1, "\(byEntity)")
            #expect(try await groups("group_by=entity", token: bert) == ["boltline": 3])
            #expect(try await groups("group_by=brand&entity=boltline", token: api.admin) == ["boltline": 3])

            // CRM reports read the tickets the caller reaches, cut by entity or brand when asked.
            func volume(_ query: String, token: String) async throws -> Int {
                let report = try await client.send(.get, "/api/v1/reports/crm/volume?\(query)", token: token)
                #expect(report.status == .ok, "\(report.text)")
                return ((report.json["rows"] as? [[Any]]) ?? []).compactMap { $0.last as? Int }.reduce(0, +)
            }
            #expect(try await volume("", token: api.admin) == 4)
            #expect(try await volume("entity=boltline", token: api.admin) == 3)
            #expect(try await volume("brand=acme", token: api.admin) == 1)
            #expect(try await volume("", token: bert) == 3)

            // A role of the map limited to an entity, held by a user granted another: nothing reached.
            let both = try await directory.addUser(organizationID: org, name: "vic", email: nil, roleName: "boltline-agent")
            try await directory.setEntities(["acme-sas"], of: both)
            let vic = try await directory.createToken(for: both)
            #expect(keys(try await client.send(.get, "/api/v1/tickets", token: vic)).isEmpty)

            // The running map shows its entities and brands.
            let map = try await client.send(.get, "/api/v1/map", token: api.agent).json
            let entities = (map["entities"] as? [[String: Any]]) ?? []
            #expect(entities.compactMap { $0["code"] as? String } == ["acme-sas", "boltline"])
            let brand = ((entities.last?["brands"] as? [[String: Any]]) ?? []).first
            #expect(brand?["portal_name"] as? String == "Assistance Boltline" && brand?["language"] as? String == "fr")

            let audit = try await AuditLog(database: api.services.database).entries(organizationID: org, action: "user.entities_changed", limit: 10)
            #expect(audit.filter { $0.actor == "ada" }.compactMap(\.target).sorted() == ["bert", "olga"])
            #expect(audit.contains { $0.target == "vic" && $0.detail == "entities acme-sas" })
        }
    }

    @Test(arguments: Engine.available)
    func aManagerLimitedToEntitiesGrantsNoMoreThanTheyReach(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, _ in
            let directory = api.services.directory, org = api.services.organization.id, map = api.services.configuration.map
            let stored = try await directory.addUser(organizationID: org, name: "mia", email: nil, roleName: "agent")
            try await directory.setEntities(["boltline"], of: stored)
            var mia = try #require(try await directory.user(organizationID: org, name: "mia")?.resolved(in: map))
            mia.access.permissions.insert(.usersManage)
            #expect(mia.access.entities == ["boltline"] && !mia.access.reachesNoEntity)
            let users = UserService(directory: directory, map: map)
            await #expect(throws: AccessError.forbidden("the user 'mia' is not granted entity 'acme-sas' and cannot grant it")) {
                try await users.create(name: "nils", email: nil, role: "agent", teams: [], entities: ["acme-sas"], by: mia)
            }
            await #expect(throws: AccessError.forbidden("the user 'mia' reaches some entities only, so must name the entities to grant")) {
                try await users.create(name: "nils", email: nil, role: "agent", teams: [], by: mia)
            }
            #expect(
                try await users.create(name: "nils", email: nil, role: "agent", teams: [], entities: ["boltline"], by: mia).entities == ["boltline"])
            // Nor changes a user granted beyond their reach.
            await #expect(throws: AccessError.forbidden("the user 'sam' is granted entities beyond the reach of 'mia'")) {
                try await directory.setEntities(["acme-sas"], of: try #require(try await directory.user(organizationID: org, name: "sam")))
                try await users.update(name: "sam", .init(entities: ["boltline"]), by: mia)
            }
        }
    }
}

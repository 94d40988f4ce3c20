import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisTestSupport
import Testing

@Suite struct CMDBAPITests {
    @Test(arguments: Engine.available)
    func itemsRelateTieToTicketsAndShowTheirImpact(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            func item(_ body: String) async throws -> String {
                let response = try await client.send(.post, "/api/v1/cmdb/items", token: api.agent, body: body)
                #expect(response.status == .created, "\(response.text)")
                return response.json["id"] as? String ?? ""
            }
            let server = try await item(
                #"{"name":"srv-web-01","type":"server","owner_team":"it-l2","attributes":{"ip":"10.1.2.3","os":"Debian 13"}}"#)
            let app = try await item(#"{"name":"Shop front","type":"application"}"#)
            let shop = try await item(#"{"name":"Online shop","type":"service","account_id":"\#(api.accountID)"}"#)
            for (source, type, target) in [(app, "runs_on", server), (shop, "depends_on", app)] {
                let relation = try await client.send(
                    .post, "/api/v1/cmdb/relations", token: api.agent,
                    body: #"{"source_id":"\#(source)","type":"\#(type)","target_id":"\#(target)"}"#)
                #expect(relation.status == .created, "\(relation.text)")
            }
            // The same relation again is kept once.
            let again = try await client.send(
                .post, "/api/v1/cmdb/relations", token: api.agent,
                body: #"{"source_id":"\#(app)","type":"runs_on","target_id":"\#(server)"}"#)
            #expect(again.status == .ok)

            let impact = try await client.send(.get, "/api/v1/cmdb/items/\(server)/impact", token: api.agent)
            #expect(impact.status == .ok, "\(impact.text)")
            #expect(impact.json["impacted_count"] as? Int == 2)
            let services = impact.json["services"] as? [[String: Any]] ?? []
            #expect(services.compactMap { ($0["item"] as? [String: Any])?["name"] as? String } == ["Online shop"])
            #expect(services.first?["distance"] as? Int == 2)
            #expect((impact.json["accounts"] as? [[String: Any]])?.first?["name"] as? String == "Helix Pharma")

            let ticket =
                try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident(title: "Shop is slow")).json["key"] as? String
                ?? ""
            let tied = try await client.send(.post, "/api/v1/tickets/\(ticket)/items", token: api.agent, body: #"{"add":["\#(server)"]}"#)
            #expect(tied.status == .ok, "\(tied.text)")
            let tickets =
                try await client.send(.get, "/api/v1/cmdb/items/\(server)/tickets?open_only=true", token: api.agent).json["items"] as? [[String: Any]]
            #expect(tickets?.compactMap { $0["key"] as? String } == [ticket])
            #expect(
                (try await client.send(.get, "/api/v1/cmdb/items/\(server)/impact", token: api.agent).json["open_tickets"] as? [String]) == [ticket])

            let patched = try await client.send(
                .patch, "/api/v1/cmdb/items/\(server)", token: api.agent, body: #"{"attributes":{"os":"","ram":"64G"}}"#)
            #expect((patched.json["attributes"] as? [String: String]) == ["ip": "10.1.2.3", "ram": "64G"])

            // What the map does not declare, and what does not exist, is named.
            try await client.send(
                .post, "/api/v1/cmdb/relations", token: api.agent, body: #"{"source_id":"\#(app)","type":"hosts","target_id":"\#(server)"}"#
            )
            .expectProblem(.unprocessableContent, field: "type")
            try await client.send(
                .post, "/api/v1/cmdb/relations", token: api.agent,
                body: #"{"source_id":"\#(app)","type":"runs_on","target_id":"0b6f5e1c-3c57-4f43-9d1b-0f3f8a0f6f11"}"#
            )
            .expectProblem(.unprocessableContent, field: "target_id")
            try await client.send(.post, "/api/v1/cmdb/items", token: api.agent, body: #"{"name":"x","type":"toaster"}"#)
                .expectProblem(.unprocessableContent, field: "type")
            try await client.send(.post, "/api/v1/cmdb/items", token: api.agent, body: #"{"name":"x","type":"server","attributes":{"name":"y"}}"#)
                .expectProblem(.unprocessableContent, field: "attributes.name")
            try await client.send(.get, "/api/v1/cmdb/items/\(server)", token: api.requester).expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/cmdb/items/\(server)", token: api.outsider).expectProblem(.unauthorized)
            try await client.send(.get, "/api/v1/cmdb/items/\(server)/impact?depth=0", token: api.agent).expectProblem(
                .unprocessableContent, field: "depth")
        }
    }

    @Test(arguments: Engine.available)
    func inventoriesImportFromCSVAndJSONWithBadRowsByLine(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let csv = "external_id,type,name,owner_team,ip\r\nCI-1,server,db-01,it-l2,10.0.0.1\r\nCI-2,database,crm-db,,\r\nCI-3,toaster,t,,\r\n"
            let items = try await client.send(.post, "/api/v1/imports/config_items", token: api.agent, body: csv, contentType: "text/csv")
            #expect(items.status == .ok, "\(items.text)")
            #expect(items.json["created"] as? Int == 2)
            let rejected = items.json["rejected"] as? [[String: Any]] ?? []
            #expect(rejected.compactMap { $0["line"] as? Int } == [4])
            #expect(rejected.first?["field"] as? String == "type")

            let relations = try await client.send(
                .post, "/api/v1/imports/config_relations", token: api.agent,
                body: #"""
                    [{"source":"CI-2","type":"runs_on","target":"CI-1"},{"source":"CI-2","type":"runs_on","target":"CI-9"},{"source":"CI-2","type":"teleports","target":"CI-1"}]
                    """#)
            #expect(relations.status == .ok, "\(relations.text)")
            #expect(relations.json["created"] as? Int == 1)
            #expect((relations.json["rejected"] as? [[String: Any]])?.compactMap { $0["line"] as? Int } == [2, 3])
            // Re-running the import changes nothing and duplicates nothing.
            let rerun = try await client.send(.post, "/api/v1/imports/config_items", token: api.agent, body: csv, contentType: "text/csv")
            #expect(rerun.json["created"] as? Int == 0)
            #expect(rerun.json["updated"] as? Int == 2)
            let listed = try await client.send(.get, "/api/v1/cmdb/items?type=server", token: api.agent).json["items"] as? [[String: Any]]
            #expect(listed?.compactMap { $0["name"] as? String } == ["db-01"])
        }
    }
}

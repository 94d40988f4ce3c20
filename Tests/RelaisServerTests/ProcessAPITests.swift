import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisTestSupport
import Testing

@Suite struct ProcessAPITests {
    /// Two incidents through the workflow, one with a comment, and a support ticket beside them.
    func makeHistory(_ api: APIHarness, _ client: some TestClientProtocol) async throws {
        for _ in 0..<2 {
            #expect(try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident()).status == .created)
        }
        for (key, moves) in [("INC-1", ["in_progress", "resolved"]), ("INC-2", ["assigned", "in_progress"])] {
            for status in moves {
                let note = status == "resolved" ? #","resolution_note":"Restarted""# : ""
                let moved = try await client.send(
                    .post, "/api/v1/tickets/\(key)/transitions", token: api.agent, body: #"{"to":"\#(status)"\#(note)}"#)
                #expect(moved.status == .ok, "\(moved.text)")
            }
        }
        try await client.send(.post, "/api/v1/tickets/INC-2/comments", token: api.agent, body: #"{"body":"Looking","public":false}"#)
    }

    @Test(arguments: Engine.available)
    func minesTheTicketsHistoryAndHoldsItAgainstTheWorkflow(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            try await makeHistory(api, client)
            let mined = try await client.send(.get, "/api/v1/process/mining?family=incident&activities=statuses", token: api.agent)
            #expect(mined.status == .ok, "\(mined.text)")
            let counts = mined.json["counts"] as? [String: Any]
            #expect(counts?["cases"] as? Int == 2 && counts?["events"] as? Int == 6)
            let edges = (mined.json["edges"] as? [[String: Any]] ?? []).map { "\($0["from"]!)>\($0["to"]!):\($0["count"]!)" }
            #expect(Set(edges) == ["new>in_progress:1", "in_progress>resolved:1", "new>assigned:1", "assigned>in_progress:1"])
            let conformance = try #require(mined.json["conformance"] as? [String: Any])
            #expect(conformance["fitting_cases"] as? Int == 2 && conformance["fitness"] as? Double == 1)

            let one = try await client.send(.get, "/api/v1/process/mining?family=incident&activities=statuses&variants=1", token: api.agent)
            #expect((one.json["variants"] as? [Any])?.count == 1 && (one.json["counts"] as? [String: Any])?["variants"] as? Int == 2)
            try await client.send(.get, "/api/v1/process/mining?variants=0", token: api.agent).expectProblem(.unprocessableContent, field: "variants")
            let everything = try await client.send(.get, "/api/v1/process/mining?family=incident", token: api.agent)
            let names = (everything.json["activities"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names.contains("internal note") && names.contains("new"))
            let teamed = try await client.send(.get, "/api/v1/process/mining?team=nobody-here", token: api.agent)
            teamed.expectProblem(.unprocessableContent, field: "team")
        }
    }

    @Test(arguments: Engine.available)
    func exportsTheLogAsXESAndCSV(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            try await makeHistory(api, client)
            let xes = try await client.send(.get, "/api/v1/process/log?family=incident", token: api.agent)
            #expect(xes.status == .ok && xes.headers[.contentType]?.hasPrefix("application/xml") == true)
            #expect(xes.text.contains("<string key=\"concept:name\" value=\"INC-1\"/>") && !xes.text.contains("SUP-"))
            let csv = try await client.send(.get, "/api/v1/process/log?format=csv&activities=statuses", token: api.agent)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let rows = csv.text.split(separator: "\n")
            #expect(rows.first?.hasPrefix("case:concept:name,concept:name,time:timestamp,org:resource,org:group") == true)
            #expect(rows.count == 7)  // the header and 2 × (creation + 2 moves)
        }
    }

    @Test(arguments: Engine.available)
    func refusesRequestersAndBadFilters(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            try await client.send(.get, "/api/v1/process/mining", token: api.requester).expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/process/log", token: api.requester).expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/process/mining?family=unknown", token: api.agent).expectProblem(
                .unprocessableContent, field: "family")
            // Too large, and too small to be a share at all once divided by 100.
            for value in ["150", "5e-324"] {
                let coverage = try await client.send(.get, "/api/v1/process/mining?coverage=\(value)", token: api.agent)
                #expect(coverage.status.code == 400 || coverage.status.code == 422, "\(coverage.text)")
                #expect(coverage.headers[.contentType] == "application/problem+json")
            }
            try await client.send(.get, "/api/v1/process/mining?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", token: api.agent)
                .expectProblem(.unprocessableContent, field: "from")
            try await client.send(.get, "/api/v1/process/mining?account=nope", token: api.agent).expectProblem(
                .unprocessableContent, field: "account")
        }
    }
}

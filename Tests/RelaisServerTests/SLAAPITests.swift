import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisTestSupport
import Testing

@Suite struct SLAAPITests {
    static func date(_ value: Any?) -> Date? { (value as? String).flatMap { try? Date($0, strategy: .iso8601) } }

    @Test(arguments: Engine.available)
    func aTicketsSLAIsExplainedMetricByMetric(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            // A strategic account: the incident runs on the 24/7 policy, raised to P2 by routing.
            let created = try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident())
            #expect(created.json["priority"] as? String == "P2")
            let response = try await client.send(.get, "/api/v1/tickets/INC-1/sla", token: api.agent)
            #expect(response.status == .ok, "\(response.text)")
            let sla = response.json
            #expect(sla["policy"] as? String == "incident-critical-247")
            #expect(sla["calendar"] as? String == "around-the-clock")
            let metrics = try #require(sla["metrics"] as? [[String: Any]])
            #expect(metrics.map { $0["metric"] as? String } == ["first_response", "resolution"])
            let first = metrics[0]
            #expect(first["target_seconds"] as? Int == 30 * 60)
            #expect(first["clock"] as? String == "running")
            #expect(first["breached"] as? Bool == false)
            #expect(first["met"] == nil)
            #expect(first["pauses"] as? [Any] != nil)
            // Around the clock, business time is real time: due 30 minutes after the start.
            let started = try #require(Self.date(first["started_at"])), due = try #require(Self.date(first["due_at"]))
            #expect(abs(due.timeIntervalSince(started) - 1800) < 0.002)
            let elapsed = try #require(first["elapsed_seconds"] as? Double), remaining = try #require(first["remaining_seconds"] as? Double)
            #expect(abs(elapsed + remaining - 1800) < 0.002)

            // A public reply stops the first response clock: met.
            try await client.send(.post, "/api/v1/tickets/INC-1/comments", token: api.agent, body: #"{"body":"On it","public":true}"#)
            let answered = try await client.send(.get, "/api/v1/tickets/INC-1/sla", token: api.agent).json["metrics"] as? [[String: Any]]
            #expect(answered?.first?["clock"] as? String == "stopped")
            #expect(answered?.first?["met"] as? Bool == true)

            // The requester of a ticket without SLA policy, and an unknown ticket: 404 problems.
            let task = try await client.send(
                .post, "/api/v1/tickets", token: api.agent,
                body: #"{"family":"project_task","title":"Kick-off","links":[{"kind":"account","id":"\#(api.accountID)"}]}"#)
            #expect(task.status == .created, "\(task.text)")
            try await client.send(.get, "/api/v1/tickets/PRJ-1/sla", token: api.agent).expectProblem(.notFound)
            try await client.send(.get, "/api/v1/tickets/INC-99/sla", token: api.agent).expectProblem(.notFound)
            try await client.send(.get, "/api/v1/tickets/INC-1/sla", token: api.outsider).expectProblem(.unauthorized)
        }
    }

    @Test(arguments: Engine.available)
    func listsAndReportsAnswerInJSONAndCSV(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident())
            let due = try await client.send(.get, "/api/v1/sla/due?within=1h", token: api.agent)
            #expect(due.status == .ok, "\(due.text)")
            #expect((due.json["items"] as? [[String: Any]])?.map { $0["key"] as? String } == ["INC-1"])
            let notYet = try await client.send(.get, "/api/v1/sla/due?within=10m", token: api.agent)
            #expect((notYet.json["items"] as? [Any])?.isEmpty == true)
            let breached = try await client.send(.get, "/api/v1/sla/breached", token: api.agent)
            #expect((breached.json["items"] as? [Any])?.isEmpty == true)

            let report = try await client.send(.get, "/api/v1/reports/sla?group_by=priority", token: api.agent)
            #expect(report.status == .ok, "\(report.text)")
            let groups = try #require(report.json["groups"] as? [[String: Any]])
            #expect(groups.map { $0["group"] as? String } == ["P2"])
            #expect(groups.first?["tickets"] as? Int == 1)
            let metrics = try #require(groups.first?["metrics"] as? [[String: Any]])
            #expect(metrics.first?["metric"] as? String == "first_response" && metrics.first?["open"] as? Int == 1)

            let csv = try await client.send(.get, "/api/v1/reports/sla?group_by=family&format=csv", token: api.agent)
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(
                csv.text
                    == "family,tickets,metric,met,breached,open,compliance\r\nincident,1,first_response,0,0,1,\r\nincident,1,resolution,0,0,1,\r\n")
            let negotiated = try await client.send(.get, "/api/v1/reports/sla", token: api.agent, headers: [.accept: "text/csv"])
            #expect(negotiated.text == csv.text)
        }
    }

    @Test(arguments: Engine.available)
    func badQueriesAndRequestersGetProblems(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            try await client.send(.get, "/api/v1/sla/due?within=soon", token: api.agent).expectProblem(.unprocessableContent, field: "within")
            try await client.send(.get, "/api/v1/reports/sla?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", token: api.agent)
                .expectProblem(.unprocessableContent, field: "from")
            let grouping = try await client.send(.get, "/api/v1/reports/sla?group_by=weather", token: api.agent)
            #expect(grouping.status.code >= 400 && grouping.status.code < 500)
            #expect(grouping.headers[.contentType] == "application/problem+json")
            try await client.send(.get, "/api/v1/reports/sla?from=yesterday", token: api.agent).expectProblem(.badRequest)
            try await client.send(.get, "/api/v1/sla/breached", token: api.requester).expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/sla/due", token: api.requester).expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/reports/sla", token: api.requester).expectProblem(.forbidden)
            try await client.send(.get, "/api/v1/sla/breached", token: nil).expectProblem(.unauthorized)
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisTestSupport
import Testing

@Suite struct TicketAPITests {
    @Test(arguments: Engine.available)
    func aTicketIsCreatedReadChangedAndMovedThroughItsWorkflow(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let created = try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident(severity: "critical"))
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers[.eTag] == "\"1\"")
            #expect(created.headers[.location] == "/api/v1/tickets/INC-1")
            let ticket = created.json
            #expect(ticket["key"] as? String == "INC-1")
            #expect(ticket["team"] as? String == "it-l2")
            #expect(ticket["priority"] as? String == "P1")
            #expect(ticket["allowed_transitions"] as? [String] == ["assigned", "in_progress"])

            let read = try await client.send(.get, "/api/v1/tickets/INC-1", token: api.agent)
            #expect(read.status == .ok)
            #expect(read.json["title"] as? String == "Mail is down")

            let patched = try await client.send(
                .patch, "/api/v1/tickets/INC-1", token: api.agent,
                body: #"{"assignee":"sam","tags":["vip"]}"#, headers: [.ifMatch: "\"1\""])
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.headers[.eTag] == "\"2\"")
            #expect(patched.json["assignee"] as? String == "sam")

            try await client.send(.patch, "/api/v1/tickets/INC-1", token: api.agent, body: #"{"assignee":"kim"}"#, headers: [.ifMatch: "\"1\""])
                .expectProblem(.preconditionFailed, field: "If-Match")

            let forbidden = try await client.send(.post, "/api/v1/tickets/INC-1/transitions", token: api.agent, body: #"{"to":"closed"}"#)
            let problem = forbidden.expectProblem(.conflict, field: "to")
            #expect(problem["allowed"] as? [String] == ["assigned", "in_progress"])

            for status in ["in_progress"] {
                let moved = try await client.send(.post, "/api/v1/tickets/INC-1/transitions", token: api.agent, body: #"{"to":"\#(status)"}"#)
                #expect(moved.status == .ok, "\(moved.text)")
                #expect(moved.json["status_category"] as? String == "open")
            }
            try await client.send(.post, "/api/v1/tickets/INC-1/transitions", token: api.agent, body: #"{"to":"resolved"}"#)
                .expectProblem(.unprocessableContent, field: "resolution_note")
            let solved = try await client.send(
                .post, "/api/v1/tickets/INC-1/transitions", token: api.agent,
                body: #"{"to":"resolved","resolution_note":"Restarted the relay"}"#)
            #expect(solved.json["status"] as? String == "resolved")
            #expect(solved.json["resolution_note"] as? String == "Restarted the relay")
            try await client.send(.post, "/api/v1/tickets/INC-1/transitions", token: api.agent, body: #"{"to":"nowhere"}"#)
                .expectProblem(.unprocessableContent, field: "status")

            let comment = try await client.send(.post, "/api/v1/tickets/INC-1/comments", token: api.agent, body: #"{"body":"Done","public":false}"#)
            #expect(comment.status == .created)
            #expect(comment.json["public"] as? Bool == false)

            let events = try await client.send(.get, "/api/v1/tickets/INC-1/events", token: api.agent).json["items"] as? [[String: Any]] ?? []
            let kinds = events.compactMap { $0["kind"] as? String }
            #expect(kinds.first == "created")
            #expect(kinds.filter { $0 == "status_changed" }.count == 2)
            #expect(kinds.last == "commented")
            #expect(events.contains { $0["rule"] as? String == "critical-incidents-to-l2" })
            #expect(events.compactMap { $0["sequence"] as? Int } == Array(1...events.count))
        }
    }

    @Test(arguments: Engine.available)
    func badValuesNameTheirField(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let unknownFamily = try await client.send(.post, "/api/v1/tickets", token: api.agent, body: #"{"family":"outage","title":"x"}"#)
            let problem = unknownFamily.expectProblem(.unprocessableContent, field: "family")
            #expect((problem["allowed"] as? [String])?.contains("incident") == true)
            try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident(extra: #","category":"weather""#))
                .expectProblem(.unprocessableContent, field: "category")
            try await client.send(.post, "/api/v1/tickets", token: api.agent, body: #"{"family":"incident","title":"x"}"#)
                .expectProblem(.unprocessableContent, field: "links")
            let ghost = #"{"family":"incident","title":"x","links":[{"kind":"account","id":"7a4c5d2e-1111-4222-8333-944455566677"}]}"#
            try await client.send(.post, "/api/v1/tickets", token: api.agent, body: ghost)
                .expectProblem(.unprocessableContent, field: "links[0].id")
            try await client.send(
                .post, "/api/v1/tickets", token: api.agent, body: #"{"family":"incident","title":"x","links":[{"kind":"account","id":"nope"}]}"#
            )
            .expectProblem(.unprocessableContent, field: "links[0].id")
            try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident(extra: #","channel":"fax""#))
                .expectProblem(.unprocessableContent, field: "channel")
            try await client.send(.get, "/api/v1/tickets?limit=0", token: api.agent).expectProblem(.unprocessableContent, field: "limit")
            try await client.send(.get, "/api/v1/tickets?cursor=garbage", token: api.agent).expectProblem(.unprocessableContent, field: "cursor")
            try await client.send(.get, "/api/v1/tickets?status_category=sleeping", token: api.agent).expectProblem(.badRequest)
            try await client.send(.get, "/api/v1/tickets/INC-999", token: api.agent).expectProblem(.notFound)
            #expect(try await client.send(.get, "/api/v1/tickets", token: api.agent).json["items"] as? [Any] != nil)
        }
    }

    @Test(arguments: Engine.available)
    func anIdempotencyKeyNeverCreatesTwice(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let first = try await client.send(
                .post, "/api/v1/tickets", token: api.agent, body: api.incident(), headers: [.idempotencyKey: "order-42"])
            let second = try await client.send(
                .post, "/api/v1/tickets", token: api.agent, body: api.incident(), headers: [.idempotencyKey: "order-42"])
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.json["key"] as? String == first.json["key"] as? String)
            try await client.send(
                .post, "/api/v1/tickets", token: api.agent, body: api.incident(title: "Other"), headers: [.idempotencyKey: "order-42"]
            )
            .expectProblem(.unprocessableContent)
            let third = try await client.send(
                .post, "/api/v1/tickets", token: api.agent, body: api.incident(), headers: [.idempotencyKey: "order-43"])
            #expect(third.json["key"] as? String == "INC-2")
        }
    }

    @Test(arguments: Engine.available)
    func listsFilterAndPageThroughTheAPI(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            for index in 0..<7 {
                try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident(severity: index < 3 ? "critical" : "minor"))
            }
            var keys: [String] = []
            var uri = "/api/v1/tickets?team=it-l2&status_category=new&limit=2"
            while true {
                let page = try await client.send(.get, uri, token: api.agent).json
                keys += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
                guard let cursor = page["next_cursor"] as? String else { break }
                uri = "/api/v1/tickets?team=it-l2&status_category=new&limit=2&cursor=\(cursor)"
            }
            #expect(keys == ["INC-3", "INC-2", "INC-1"])
            let oldest = try await client.send(.get, "/api/v1/tickets?sort=created_at&limit=1&family=incident", token: api.agent).json
            #expect((oldest["items"] as? [[String: Any]])?.first?["key"] as? String == "INC-1")
            let byAccount = try await client.send(.get, "/api/v1/tickets?account=\(api.accountID)&limit=100", token: api.agent).json
            #expect((byAccount["items"] as? [Any])?.count == 7)
        }
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisTestSupport
import Testing

/// Every operation that takes a body gets each kind of bad body, and answers a 4xx problem naming
/// what is wrong, never a 500.
@Suite struct BadInputTests {
    struct Operation: Sendable, CustomStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        /// A field the body requires, or nil when none is required.
        var required: String?
        /// A field that must be a string, to send a number in its place.
        var stringField: String
        /// A valid JSON value for `required`.
        var requiredValue = #""x""#
        var description: String { "\(method) \(path)" }
    }

    static let operations = [
        Operation(method: .post, path: "/api/v1/tickets", required: "family", stringField: "title"),
        Operation(method: .patch, path: "/api/v1/tickets/INC-1", required: nil, stringField: "title"),
        Operation(method: .post, path: "/api/v1/tickets/INC-1/transitions", required: "to", stringField: "to"),
        Operation(method: .post, path: "/api/v1/tickets/INC-1/comments", required: "body", stringField: "body"),
        Operation(method: .post, path: "/api/v1/accounts", required: "name", stringField: "name"),
        Operation(method: .post, path: "/api/v1/contacts", required: "name", stringField: "email"),
        Operation(method: .patch, path: "/api/v1/accounts/0b6f5e1c-3c57-4f43-9d1b-0f3f8a0f6f11", required: nil, stringField: "tier"),
        Operation(method: .put, path: "/api/v1/accounts/external/SF-1", required: nil, stringField: "name"),
        Operation(method: .post, path: "/api/v1/crm/contracts", required: nil, stringField: "name"),
        Operation(method: .patch, path: "/api/v1/crm/invoices/0b6f5e1c-3c57-4f43-9d1b-0f3f8a0f6f11", required: nil, stringField: "amount"),
        Operation(method: .put, path: "/api/v1/crm/subscriptions/external/S-1", required: nil, stringField: "product"),
        Operation(method: .put, path: "/api/v1/tickets/INC-1/rating", required: "score", stringField: "comment", requiredValue: "4"),
        Operation(method: .post, path: "/api/v1/kb/articles", required: "title", stringField: "body"),
        Operation(method: .patch, path: "/api/v1/kb/articles/0b6f5e1c-3c57-4f43-9d1b-0f3f8a0f6f11", required: nil, stringField: "title"),
        Operation(method: .post, path: "/api/v1/tickets/INC-1/articles", required: nil, stringField: "title"),
        Operation(method: .post, path: "/api/v1/cmdb/items", required: nil, stringField: "name"),
        Operation(method: .patch, path: "/api/v1/cmdb/items/0b6f5e1c-3c57-4f43-9d1b-0f3f8a0f6f11", required: nil, stringField: "status"),
        Operation(method: .post, path: "/api/v1/cmdb/relations", required: "source_id", stringField: "type"),
        Operation(method: .post, path: "/api/v1/tickets/INC-1/items", required: nil, stringField: "add"),
        Operation(method: .post, path: "/api/v1/webhooks/endpoints", required: "url", stringField: "description"),
        Operation(method: .patch, path: "/api/v1/webhooks/endpoints/0b6f5e1c-3c57-4f43-9d1b-0f3f8a0f6f11", required: nil, stringField: "url"),
        Operation(method: .post, path: "/api/v1/webhooks/dead_letters/replay", required: nil, stringField: "endpoint_id"),
    ]

    @Test(arguments: operations)
    func eachKindOfBadBodyGetsAProblem(operation: Operation) async throws {
        try await APIHarness.with(.sqlite) { api, client in
            try await client.send(.post, "/api/v1/tickets", token: api.admin, body: api.incident())
            let eventsBefore = try await client.send(.get, "/api/v1/tickets/INC-1/events", token: api.admin).canonicalJSON

            try await client.send(operation.method, operation.path, token: api.admin, body: #"{"title": "#)
                .expectProblem(.badRequest)
            try await client.send(operation.method, operation.path, token: api.admin, body: "[1, 2]")
                .expectProblem(.unprocessableContent)
            let present = operation.required.flatMap { $0 == operation.stringField ? nil : #""\#($0)": \#(operation.requiredValue), "# } ?? ""
            try await client.send(operation.method, operation.path, token: api.admin, body: #"{\#(present)"\#(operation.stringField)": 42}"#)
                .expectProblem(.unprocessableContent, field: operation.stringField)
            if let required = operation.required {
                try await client.send(operation.method, operation.path, token: api.admin, body: #"{"unrelated": "x"}"#)
                    .expectProblem(.unprocessableContent, field: required)
            }
            try await client.send(
                operation.method, operation.path, token: api.admin, body: "title=x", contentType: "application/x-www-form-urlencoded"
            )
            .expectProblem(.unsupportedMediaType)
            try await client.send(operation.method, operation.path, token: api.admin, body: "")
                .expectProblem(.badRequest)
            let huge = #"{"title": ""# + String(repeating: "x", count: 1_100_000) + #""}"#
            try await client.send(operation.method, operation.path, token: api.admin, body: huge)
                .expectProblem(.contentTooLarge)

            // Nothing stored was touched by any of the refused requests.
            #expect(try await client.send(.get, "/api/v1/tickets/INC-1/events", token: api.admin).canonicalJSON == eventsBefore)
        }
    }

    /// A path or query parameter outside its enumeration is named as such, not taken for a bad body.
    @Test func anUnknownParameterValueIsNotCalledABadBody() async throws {
        try await APIHarness.with(.sqlite) { api, client in
            let problem = try await client.send(.get, "/api/v1/reports/crm/nope", token: api.admin).expectProblem(.badRequest)
            #expect((problem["detail"] as? String)?.hasPrefix("a path or query parameter is not valid") == true, "\(problem)")
            let state = try await client.send(.get, "/api/v1/map/versions?state=maybe", token: api.admin).expectProblem(.badRequest)
            #expect((state["detail"] as? String)?.contains("body") == false, "\(state)")
        }
    }
}

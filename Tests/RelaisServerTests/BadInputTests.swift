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
        var description: String { "\(method) \(path)" }
    }

    static let operations = [
        Operation(method: .post, path: "/api/v1/tickets", required: "family", stringField: "title"),
        Operation(method: .patch, path: "/api/v1/tickets/INC-1", required: nil, stringField: "title"),
        Operation(method: .post, path: "/api/v1/tickets/INC-1/transitions", required: "to", stringField: "to"),
        Operation(method: .post, path: "/api/v1/tickets/INC-1/comments", required: "body", stringField: "body"),
        Operation(method: .post, path: "/api/v1/accounts", required: "name", stringField: "name"),
        Operation(method: .post, path: "/api/v1/contacts", required: "name", stringField: "email"),
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
            let present = operation.required.flatMap { $0 == operation.stringField ? nil : #""\#($0)": "x", "# } ?? ""
            try await client.send(operation.method, operation.path, token: api.admin, body: #"{\#(present)"\#(operation.stringField)": 42}"#)
                .expectProblem(.unprocessableContent, field: operation.stringField)
            if let required = operation.required {
                try await client.send(operation.method, operation.path, token: api.admin, body: #"{"unrelated": "x"}"#)
                    .expectProblem(.unprocessableContent, field: required)
            }
            try await client.send(operation.method, operation.path, token: api.admin, body: "title=x", contentType: "application/x-www-form-urlencoded")
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
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RelaisMining
import RelaisProcess
import RelaisServer
import RelaisTestSupport
import Testing

/// Mining another tool's export sent in the request body.
@Suite struct ProcessUploadAPITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RelaisMiningTests/Fixtures")

    func post(_ client: some TestClientProtocol, _ query: String, token: String, body: [UInt8], type: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/process/mining\(query)", method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: type], body: ByteBuffer(bytes: body))
    }

    @Test(arguments: Engine.available)
    func minesCSVXESAndGzipBodies(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let csv = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("claims.csv")))
            let fromCSV = try await post(
                client, "?case=case&activity=activity&timestamp=time&resource=resource&group=team", token: api.agent, body: csv, type: "text/csv")
            #expect(fromCSV.status == .ok, "\(fromCSV.text)")
            #expect((fromCSV.json["counts"] as? [String: Any])?["cases"] as? Int == 3)
            let gzip = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("claims.xes.gz")))
            let fromGzip = try await post(client, "?coverage=50", token: api.agent, body: gzip, type: "application/gzip")
            #expect(fromGzip.status == .ok, "\(fromGzip.text)")
            #expect((fromGzip.json["counts"] as? [String: Any])?["cases"] as? Int == 2)
            let xes = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("claims.xes")))
            let fromXES = try await post(client, "?where=channel=mail%20%26%20phone", token: api.agent, body: xes, type: "application/xml")
            #expect((fromXES.json["variants"] as? [[String: Any]])?.first?["example_case"] as? String == "c1", "\(fromXES.text)")
        }
    }

    @Test(arguments: Engine.available)
    func refusesBadLogsWithProblems(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let doctype = Array("<?xml version=\"1.0\"?>\n<!DOCTYPE log [<!ENTITY e \"x\">]>\n<log/>".utf8)
            let refused = try await post(client, "", token: api.agent, body: doctype, type: "application/xml")
            let problem = refused.expectProblem(.unprocessableContent)
            #expect((problem["detail"] as? String)?.contains("DOCTYPE is refused") == true)
            try await post(client, "?case=nope", token: api.agent, body: Array("a,b,c\n".utf8), type: "text/csv").expectProblem(.unprocessableContent)
            try await post(client, "", token: api.agent, body: Array("plain".utf8), type: "application/gzip").expectProblem(
                .unprocessableContent, field: "body")
            try await post(client, "?where=nothing", token: api.agent, body: Array("a,b,c\n".utf8), type: "text/csv").expectProblem(
                .unprocessableContent, field: "where")
            try await post(client, "", token: api.requester, body: Array("a,b,c\n".utf8), type: "text/csv").expectProblem(.forbidden)
            try await post(client, "", token: api.agent, body: [0x1F, 0x8B, 0x00, 0x01], type: "application/gzip").expectProblem(
                .unprocessableContent)
        }
    }
}

extension ProcessUploadAPITests {
    /// A small gzip body cannot inflate without end.
    @Test func aGzipLogInflatesOnlyUpToItsCap() throws {
        let gzip = MemoryBytes(Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("claims.xes.gz"))))
        var inflated = 0
        try GzipBytes(gzip, name: "claims.xes.gz").read { inflated += $0.count }
        #expect(inflated > 1_000)
        #expect(throws: EventLogError.tooLarge(what: "claims.xes.gz once inflated", limit: 1_000)) {
            try GzipBytes(gzip, name: "claims.xes.gz", maxInflated: 1_000).read { _ in }
        }
    }
}

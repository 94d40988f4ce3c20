import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RelaisCore
import RelaisServer
import RelaisStore
import RelaisTestSupport
import Testing

/// Two organisations on one database: what one holds (a token, a channel token, a web session)
/// is nothing to the server of the other.
@Suite struct CrossOrganisationTests {
    /// The case that was reported: a token of Beta made on the shared database read and proposed
    /// versions of Acme's map.
    @Test(arguments: Engine.available)
    func anotherOrganisationsTokenCannotReadOrChangeTheMap(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let versions = try await api.services.versions.list(organizationID: api.services.organization.id, state: nil, limit: 50, before: nil)
            try await client.send(.get, "/api/v1/map/versions", token: api.outsider).expectProblem(.unauthorized)
            try await client.send(
                .post, "/api/v1/map/versions", token: api.outsider,
                body: try MapVersionAPITests.json(try ExampleMap.text(), message: "from Beta")
            ).expectProblem(.unauthorized)
            let after = try await api.services.versions.list(organizationID: api.services.organization.id, state: nil, limit: 50, before: nil)
            #expect(after.map(\.number) == versions.map(\.number))
            // The same token's own organisation still knows it: it is refused here, not revoked.
            #expect(try await api.services.directory.principal(forToken: api.outsider, organizationID: api.outsiderOrganization) != nil)
            #expect(try await api.services.directory.principal(forToken: api.outsider, organizationID: api.services.organization.id) == nil)
        }
    }

    /// Every page and form of the web routes table, with the session cookie of a user of another
    /// organisation, answers exactly what it answers to a visitor with no session.
    @Test(arguments: Engine.available)
    func anotherOrganisationsSessionIsNoSession(engine: Engine) async throws {
        try await WebHarness.with(engine) { harness, client in
            let directory = harness.services.directory
            let beta = try await directory.ensureOrganization(slug: "beta", name: "Beta")
            let stranger = try await directory.addUser(organizationID: beta.id, name: "ada", email: nil, role: .admin)
            let session = try await WebSessions(database: harness.services.database).start(for: stranger, at: harness.clock.now)
            let key = try await WebBrowser.signedIn("sam", on: client).create([("family", "service_request"), ("subject", "Seen by nobody else")])
            #expect(!WebRoutes.paths.isEmpty)
            for route in WebRoutes.paths {
                let path = route.path.replacingOccurrences(of: ":key", with: key).replacingOccurrences(of: ":id", with: harness.accountID.text)
                    .replacingOccurrences(of: ":name", with: "relais.css")
                let method = HTTPRequest.Method(route.method)!
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                let body = method == .post ? ByteBuffer(string: "_csrf=\(session.csrfToken)&body=x&subject=x&family=service_request") : nil
                let anonymous = try await client.execute(uri: path, method: method, headers: headers, body: body)
                headers[.cookie] = "relais_session=\(session.cookie)"
                let foreign = try await client.execute(uri: path, method: method, headers: headers, body: body)
                let context = "\(route.method) \(path): \(foreign.status.code) \(String(buffer: foreign.body).prefix(200))"
                #expect(foreign.status == anonymous.status, "\(context)")
                #expect(foreign.headers[.location] == anonymous.headers[.location], "\(context)")
                #expect(!String(buffer: foreign.body).contains("Seen by nobody else"), "\(context)")
            }
        }
    }
}

/// A map naming a tracker or a CRM on this machine or a private network is refused by a server
/// that does not allow private egress, placed at the line naming it.
@Suite struct MapEgressTests {
    @Test(arguments: [
        ("https://api.github.com", "http://127.0.0.1:9", "trackers.product.url"),
        ("https://api.github.com", "http://169.254.169.254", "trackers.product.url"),
    ])
    func aMapNamingAPrivateTargetIsRefused(from: String, to: String, path: String) async throws {
        try await APIHarness.with(.sqlite) { api, client in
            let text = try ExampleMap.text().replacingOccurrences(of: from, with: to)
            let refused = try await client.send(
                .post, "/api/v1/map/versions", token: api.admin, body: try MapVersionAPITests.json(text, message: "local tracker"))
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.text.contains(path) && refused.text.contains("private network"), "\(refused.text)")
            let line = text.components(separatedBy: "\n").firstIndex { $0.contains(to) }.map { $0 + 1 }
            #expect(line.map { refused.text.contains("\"line\":\($0)") } == true, "\(refused.text)")
        }
    }
}

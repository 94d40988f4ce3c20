import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RelaisCore
import RelaisIntegrations
import RelaisServer
import RelaisStore
import RelaisTestSupport
import Testing

/// A running Relais over a fresh database, with tokens for each role and a second organisation.
struct APIHarness {
    let services: RelaisServices
    let admin: String
    let agent: String
    let requester: String
    /// An administrator of another organisation on the same database.
    let outsider: String
    let outsiderOrganization: UUID
    let accountID: String

    /// The environment the demo map's trackers read their webhook secrets from.
    /// Webhook settings with a secret key, as an operator sets it.
    static var webhooks: WebhookDispatcher.Settings {
        var settings = WebhookDispatcher.Settings()
        settings.secrets = try? SecretBox(encoded: SecretBox.generateEncoded())
        return settings
    }

    static let environment = [
        "RELAIS_METRICS_TOKEN": "metrics-scraper-token", "RELAIS_GITHUB_HOOK_SECRET": "gh-hook-secret", "RELAIS_JIRA_HOOK_SECRET": "jira-hook-secret",
    ]

    /// Builds the app over a fresh database of `engine` and runs `body` against it in process.
    static func with(_ engine: Engine, _ body: @escaping @Sendable (APIHarness, any TestClientProtocol) async throws -> Void) async throws {
        let (url, drop) = try await TestDatabase.make(engine)
        let services = try await RelaisServices.start(
            RelaisConfiguration(
                databaseURL: url, map: try ExampleMap.load(), mapText: try ExampleMap.text(), mapFile: ExampleMap.path, logLevel: .critical,
                webhooks: Self.webhooks, environment: Self.environment))
        do {
            let directory = services.directory
            let org = services.organization.id
            func token(_ name: String, _ role: Role, email: String? = nil, in organization: UUID = org) async throws -> String {
                try await directory.createToken(for: directory.addUser(organizationID: organization, name: name, email: email, role: role))
            }
            let other = try await directory.ensureOrganization(slug: "globex", name: "Globex")
            let account = Account(id: UUID(), name: "Helix Pharma", tier: "strategic", createdAt: Date())
            try await services.crm.repository.insert(account, organizationID: org)
            // The requester is a customer: a contact of the account, by their address.
            try await services.crm.repository.insert(
                Contact(id: UUID(), accountID: account.id, name: "Rita", email: "rita@helix.example", createdAt: Date()),
                organizationID: org)
            let harness = APIHarness(
                services: services, admin: try await token("ada", .admin), agent: try await token("sam", .agent),
                requester: try await token("rita", .requester, email: "rita@helix.example"), outsider: try await token("otto", .admin, in: other.id),
                outsiderOrganization: other.id,
                accountID: account.id.text)
            let app = try buildApplication(services)
            try await app.test(.router) { client in try await body(harness, client) }
            await services.shutdown()
            await drop()
        } catch {
            await services.shutdown()
            await drop()
            throw error
        }
    }

    /// The JSON body of a typical incident for the demo account.
    func incident(title: String = "Mail is down", severity: String = "minor", extra: String = "") -> String {
        #"{"family":"incident","title":"\#(title)","severity":"\#(severity)","impact":"medium","urgency":"medium","links":[{"kind":"account","id":"\#(accountID)"}]\#(extra)}"#
    }
}

extension TestClientProtocol {
    /// Sends a request with a bearer token and, for a body, a JSON content type unless told otherwise.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil,
        contentType: String = "application/json", headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = contentType }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body re-serialised with sorted keys, to compare two answers whatever their key order.
    var canonicalJSON: String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        else { return text }
        return String(decoding: data, as: UTF8.self)
    }

    /// The body as a JSON object; records an issue when it is not one.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// Checks that this is a problem+json answer with `status`, returning it.
    @discardableResult
    func expectProblem(_ status: HTTPResponse.Status, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
        #expect(self.status == status, "\(text)", sourceLocation: sourceLocation)
        #expect(headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        let problem = json
        #expect(problem["status"] as? Int == Int(status.code), sourceLocation: sourceLocation)
        #expect((problem["type"] as? String)?.hasPrefix("urn:relais:problem:") == true, sourceLocation: sourceLocation)
        #expect(!(problem["detail"] as? String ?? "").isEmpty, sourceLocation: sourceLocation)
        if let field { #expect(problem["field"] as? String == field, "\(text)", sourceLocation: sourceLocation) }
        return problem
    }
}

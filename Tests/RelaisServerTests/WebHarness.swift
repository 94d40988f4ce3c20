import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RelaisCore
import RelaisServer
import RelaisStore
import RelaisTestSupport
import Synchronization
import Testing

/// A running Relais for the web pages: a clock the test moves, two agents, a requester who is a
/// CRM contact of an account and one who is not, an administrator and an agent of a map role
/// without reports, each with a password.
struct WebHarness {
    let services: RelaisServices
    let clock: WebClock
    let accountID: UUID
    static let password = "correct horse battery"

    /// A user of the organisation, as the services take them.
    func user(_ name: String) async throws -> Principal {
        let found = try #require(try await services.directory.user(organizationID: services.organization.id, name: name))
        return try #require(found.resolved(in: services.configuration.map))
    }

    final class WebClock: Sendable {
        private let instant = Mutex(Date(timeIntervalSince1970: 1_795_000_000))
        var now: Date { instant.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { instant.withLock { $0 += seconds } }
    }

    /// `live`: over a real socket on loopback (the peer's address is known), not in process.
    static func with(
        _ engine: Engine, live: Bool = false, settings: (inout WebSettings) -> Void = { _ in },
        _ body: @escaping @Sendable (WebHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let (url, drop) = try await TestDatabase.make(engine)
        var configuration = RelaisConfiguration(
            databaseURL: url, map: try ExampleMap.load(), mapText: try ExampleMap.text(),
            mapFile: ExampleMap.path, logLevel: .critical)
        configuration.web.passwordCost = 4
        configuration.webhooks = APIHarness.webhooks
        configuration.web.loginAttempts = 3
        settings(&configuration.web)
        let clock = WebClock()
        let services = try await RelaisServices.start(configuration, now: { clock.now })
        do {
            let org = services.organization.id
            let account = Account(id: UUID(), name: "Helix Pharma", tier: "strategic", createdAt: clock.now)
            try await services.crm.repository.insert(account, organizationID: org)
            try await services.crm.repository.insert(
                Contact(id: UUID(), accountID: account.id, name: "Rita", email: "rita@helix.example", createdAt: clock.now),
                organizationID: org)
            let passwords = Passwords(cost: 4)
            let sessions = WebSessions(database: services.database)
            for (name, role, email) in [
                ("sam", "agent", nil), ("kim", "agent", nil), ("rita", "requester", "rita@helix.example"), ("rob", "requester", nil),
                ("ada", "admin", nil), ("ivy", "it-agent", nil),
            ] {
                let user = try await services.directory.addUser(organizationID: org, name: name, email: email, roleName: role)
                try await sessions.setPassword(hash: try await passwords.hash(password), of: user, at: clock.now)
            }
            let harness = WebHarness(services: services, clock: clock, accountID: account.id)
            let app = try buildApplication(services)
            try await app.test(live ? .live : .router) { client in try await body(harness, client) }
            await services.shutdown()
            await drop()
        } catch {
            await services.shutdown()
            await drop()
            throw error
        }
    }
}

/// A browser of the tests: keeps cookies, reads the form token of the last page, posts forms.
final class WebBrowser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var lastPage = ""
    var language: String?
    /// Sent as X-Forwarded-For, as a load balancer in front would.
    var forwardedFor: String?

    init(_ client: any TestClientProtocol) { self.client = client }

    /// A browser already signed in as `login`.
    static func signedIn(_ login: String, on client: any TestClientProtocol) async throws -> WebBrowser {
        let browser = WebBrowser(client)
        try await browser.signIn(login)
        return browser
    }

    @discardableResult
    func get(_ uri: String) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: headers(), body: nil)
        keep(response)
        lastPage = response.text
        return response
    }

    /// Posts `fields`, adding the form token of the last page read unless `token` says otherwise.
    @discardableResult
    func post(_ uri: String, _ fields: [(String, String)], token: String? = nil) async throws -> TestResponse {
        var fields = fields
        if let token = token ?? formToken { fields.append(("_csrf", token)) }
        var headers = headers()
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        keep(response)
        return response
    }

    /// Signs in as `login`, returning the answer to the sign-in post.
    @discardableResult
    func signIn(_ login: String, password: String = WebHarness.password) async throws -> TestResponse {
        try await get("/login")
        return try await post("/login", [("login_token", value(of: "login_token") ?? ""), ("login", login), ("password", password)], token: "")
    }

    /// Opens a ticket through the creation form of `area` (`app` or `portal`), its key returned.
    func create(in area: String = "app", _ fields: [(String, String)]) async throws -> String {
        try await get("/\(area)/new")
        return try WebPageTests.key(from: try await post("/\(area)/tickets", fields))
    }

    var formToken: String? { value(of: "_csrf") }

    /// The value of the first hidden field `name` of the last page.
    func value(of name: String) -> String? {
        guard let range = lastPage.range(of: #"name="\#(name)" value=""#) else { return nil }
        let rest = lastPage[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    func headers() -> HTTPFields {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        if let language { headers[.acceptLanguage] = language }
        if let forwardedFor { headers[HTTPField.Name("X-Forwarded-For")!] = forwardedFor }
        return headers
    }

    func keep(_ response: TestResponse) {
        for field in response.headers[values: .setCookie] {
            let pair = field.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2 else { continue }
            if field.contains("Max-Age=0") || pair[1].isEmpty { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

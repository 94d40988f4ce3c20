import AsyncHTTPClient
import Foundation
import RelaisCore
import RelaisIntegrations
import RelaisTestSupport
import Testing

/// The one way out refuses what is not on the public internet, names included, and calls the
/// address it checked.
@Suite struct EgressClientTests {
    /// Runs `body` with the clients, shutting them down however it ends (a client dropped
    /// without `shutdown` stops the whole test process in debug builds).
    static func with(_ clients: [EgressClient], _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            for client in clients { await client.shutdown() }
            throw error
        }
        for client in clients { await client.shutdown() }
    }

    @Test func aLiteralLoopbackTargetIsRefusedAndNeverCalled() async throws {
        let stub = try await APIStub.start { _, _ in .init(status: .ok, body: Array("{}".utf8)) }
        let client = EgressClient(.init(timeout: 30))
        // Allowed by the operator, the same call goes through.
        let allowed = EgressClient(.init(timeout: 30, allowPrivate: true))
        try await Self.with([client, allowed]) {
            await #expect(throws: EgressRefused.self) { _ = try await client.execute(HTTPClientRequest(url: stub.url + "/x"), timeout: .seconds(30)) }
            #expect(await client.problem(url: stub.url + "/x")?.contains("private network") == true)
            #expect(stub.requests.isEmpty)
            let response = try await allowed.execute(HTTPClientRequest(url: stub.url + "/x"), timeout: .seconds(30))
            #expect(response.status == .ok)
            #expect(stub.requests.count == 1)
        }
        await stub.stop()
    }

    @Test func aNameThatResolvesToLoopbackIsRefusedAtConfigurationAndAtSending() async throws {
        let stub = try await APIStub.start { _, _ in .init(status: .ok, body: Array("{}".utf8)) }
        let port = try #require(URLComponents(string: stub.url)?.port)
        let resolved = ResolverLog()
        let client = EgressClient(.init(timeout: 5)) { name in
            resolved.add(name)
            return name == "mixed.example" ? [[93, 184, 216, 34], [10, 0, 0, 7]] : [[127, 0, 0, 1]]
        }
        try await Self.with([client]) {
            let problem = await client.problem(url: "http://rebind.example:\(port)/hook")
            #expect(problem?.contains("resolves to this machine or a private network") == true, "\(problem ?? "")")
            do {
                _ = try await client.execute(HTTPClientRequest(url: "http://rebind.example:\(port)/hook"), timeout: .seconds(5))
                Issue.record("a name resolving to 127.0.0.1 was called")
            } catch let refused as EgressRefused {
                #expect(refused.reason.contains("resolves to this machine"))
            }
            // One private address among public ones is enough to refuse.
            await #expect(throws: EgressRefused.self) {
                _ = try await client.execute(HTTPClientRequest(url: "https://mixed.example/"), timeout: .seconds(5))
            }
            #expect(stub.requests.isEmpty)
            #expect(resolved.names.contains("rebind.example"))
        }
        await stub.stop()
    }

    @Test func theConnectionGoesToTheAddressThatWasChecked() async throws {
        // A name whose resolver answers a public address (TEST-NET is private, so the first
        // answer is a public documentation-free address no test host listens on): the call must
        // try that very address, not ask the system resolver again, which knows no such name.
        let client = EgressClient(.init(timeout: 2)) { _ in [[198, 41, 0, 4]] }
        try await Self.with([client]) {
            do {
                _ = try await client.execute(HTTPClientRequest(url: "http://checked-only.invalid:9/"), timeout: .seconds(2))
            } catch let refused as EgressRefused {
                Issue.record("refused: \(refused)")
            } catch {
                // Connecting to 198.41.0.4:9 times out or is refused; a second resolution of the
                // name would have failed with a DNS error instead.
                #expect(!"\(error)".lowercased().contains("dns") && !"\(error)".contains("nodename"), "\(error)")
            }
        }
    }
}

final class ResolverLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ name: String) {
        lock.lock()
        list.append(name)
        lock.unlock()
    }
    var names: [String] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}

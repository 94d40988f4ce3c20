import Foundation
import RelaisTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Kills `relais serve` with SIGKILL in the middle of a stream of creations and checks, after a
/// restart, that every creation it acknowledged with 201 is there.
@Suite(.serialized) struct CrashRecoveryTests {
    @Test(arguments: Engine.available)
    func acknowledgedCreationsSurviveAKill(engine: Engine) async throws {
        let relais = try RelaisProcess.executable()
        let (url, drop) = try await TestDatabase.make(engine)
        defer { Task { await drop() } }
        try RelaisProcess.run(relais, ["user", "add", "crash", "--role", "agent", "--map", ExampleMap.path, "--database", url])
        let token = try RelaisProcess.run(relais, ["token", "create", "--user", "crash", "--database", url])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("rls_"))

        let port = Int.random(in: 20_000..<60_000)
        let server = try await RelaisProcess.serve(relais, port: port, database: url)
        let client = APIClient(port: port, token: token)
        let acknowledged = Acknowledged()
        let writers = (0..<4).map { writer in
            Task {
                // A request that fails (a timeout on a loaded machine, or the server gone) is not
                // acknowledged; a writer stops after twenty failures in a row.
                var failures = 0
                for index in 0..<10_000 where failures < 20 {
                    guard let key = await client.createTicket(title: "Crash \(writer)-\(index)") else {
                        failures += 1
                        continue
                    }
                    failures = 0
                    await acknowledged.add(key, title: "Crash \(writer)-\(index)")
                }
            }
        }
        // Kill while the writers are busy, once a good number of creations went through (or after
        // two minutes, which fails the test below rather than hanging it).
        let deadline = ContinuousClock.now + .seconds(120)
        while await acknowledged.count < 150, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        for writer in writers { await writer.value }
        #expect(server.terminationReason == .uncaughtSignal)

        let restarted = try await RelaisProcess.serve(relais, port: port, database: url)
        defer {
            restarted.terminate()
            restarted.waitUntilExit()
        }
        let expected = await acknowledged.titles
        #expect(expected.count >= 150)
        var missing: [String] = []
        for (key, title) in expected where await client.ticketTitle(key) != title { missing.append(key) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(10))")
    }
}

actor Acknowledged {
    private(set) var titles: [String: String] = [:]
    var count: Int { titles.count }
    func add(_ key: String, title: String) { titles[key] = title }
}

/// A minimal client of a `relais serve` started by a test.
struct APIClient: Sendable {
    let port: Int
    let token: String

    func request(_ path: String, method: String = "GET", body: String? = nil) -> URLRequest {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        request.timeoutInterval = 5
        return request
    }

    /// The key of the created ticket when the server answered 201, nil on any failure.
    func createTicket(title: String) async -> String? {
        let body = #"{"family":"service_request","title":"\#(title)","channel":"api"}"#
        guard let (data, response) = try? await URLSession.shared.data(for: request("/api/v1/tickets", method: "POST", body: body)),
            (response as? HTTPURLResponse)?.statusCode == 201,
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return json["key"] as? String
    }

    func ticketTitle(_ key: String) async -> String? {
        guard let (data, response) = try? await URLSession.shared.data(for: request("/api/v1/tickets/\(key)")),
            (response as? HTTPURLResponse)?.statusCode == 200,
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return json["title"] as? String
    }
}

enum RelaisProcess {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The `relais` executable built beside the test bundle.
    static func executable() throws -> URL {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [folder, folder.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("relais")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw Failure(description: "the relais executable is not built next to the tests in \(folder.path); run `swift build` first")
    }

    @discardableResult
    static func run(_ executable: URL, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problems = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "relais \(arguments.joined(separator: " ")) failed: \(String(decoding: problems, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Starts `relais serve` and waits until `/healthz` answers.
    static func serve(_ executable: URL, port: Int, database: String) async throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--port", String(port), "--database", database, "--map", ExampleMap.path, "--log-level", "error"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return process
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw Failure(description: "relais serve did not become ready on port \(port)")
    }
}

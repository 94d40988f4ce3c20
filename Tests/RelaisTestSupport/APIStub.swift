import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A local server standing in for another tool's API (a developers' tracker, a ticketing tool): it records every request (method,
/// path as sent, headers, body) and answers what the test says, by default the tracker's
/// documented success with a fixture body.
public final class APIStub: Sendable {
    public struct Received: Sendable {
        public var method: String
        /// The path and query as sent.
        public var path: String
        /// By lowercased name.
        public var headers: [String: String]
        public var body: [UInt8]
    }

    public struct Answer: Sendable {
        public var status: HTTPResponse.Status
        public var headers: HTTPFields
        public var body: [UInt8]

        public init(status: HTTPResponse.Status, headers: HTTPFields = [:], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    public typealias Behaviour = @Sendable (_ index: Int, _ request: Received) -> Answer

    let received = Mutex<[Received]>([])
    let behaviour: Mutex<Behaviour>
    let task = Mutex<Task<Void, any Error>?>(nil)
    public let port: Int

    private init(port: Int, behaviour: @escaping Behaviour) {
        self.port = port
        self.behaviour = Mutex(behaviour)
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    public static func start(_ behaviour: @escaping Behaviour) async throws -> APIStub {
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let box = Mutex<APIStub?>(nil)
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let body = try await request.body.collect(upTo: 4 << 20)
            guard let stub = box.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let received = Received(method: request.method.rawValue, path: request.uri.description, headers: headers, body: Array(buffer: body))
            let index = stub.received.withLock { list in
                list.append(received)
                return list.count - 1
            }
            let answer = stub.behaviour.withLock { $0 }(index, received)
            var fields = answer.headers
            if !answer.body.isEmpty, fields[.contentType] == nil { fields[.contentType] = "application/json" }
            return Response(status: answer.status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        router.post("**", use: handler)
        router.get("**", use: handler)
        router.patch("**", use: handler)
        router.put("**", use: handler)
        router.delete("**", use: handler)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "tracker-stub", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await app.run() }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw CancellationError() }
        let stub = APIStub(port: port, behaviour: behaviour)
        box.withLock { $0 = stub }
        stub.task.withLock { $0 = task }
        return stub
    }

    public func answer(_ behaviour: @escaping Behaviour) { self.behaviour.withLock { $0 = behaviour } }

    public var requests: [Received] { received.withLock { $0 } }

    public func stop() async {
        let task = task.withLock { $0 }
        task?.cancel()
        _ = try? await task?.value
    }

    /// A fixture of `Tests/Fixtures/trackers`.
    public static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/trackers/\(name)")
        return Array(try Data(contentsOf: url))
    }
}

/// Runs `body` on `resource`, then `close`s it, whether `body` succeeded or threw.
public func using<Resource, T>(_ resource: Resource, close: (Resource) async -> Void, _ body: (Resource) async throws -> T) async throws -> T {
    do {
        let result = try await body(resource)
        await close(resource)
        return result
    } catch {
        await close(resource)
        throw error
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A local HTTP endpoint that records every webhook it is sent and answers what the test says.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var id: String
        var timestamp: Int
        var signature: String
        var contentType: String
        var body: [UInt8]
    }

    /// The answer to a request, given the number of requests received before it (from 0).
    typealias Behaviour = @Sendable (_ index: Int, _ id: String) -> (status: HTTPResponse.Status, headers: HTTPFields)

    let received = Mutex<[Received]>([])
    let behaviour = Mutex<Behaviour>({ _, _ in (.noContent, [:]) })
    let task = Mutex<Task<Void, any Error>?>(nil)
    let port: Int

    private init(port: Int) { self.port = port }

    var url: String { "http://127.0.0.1:\(port)/hooks" }

    /// Starts a receiver on a free loopback port.
    static func start() async throws -> WebhookReceiver {
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let box = Mutex<WebhookReceiver?>(nil)
        let router = Router()
        router.post("/hooks") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let id = request.headers[HTTPField.Name("webhook-id")!] ?? ""
            guard let receiver = box.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            let index = receiver.received.withLock { list in
                list.append(
                    Received(
                        id: id, timestamp: Int(request.headers[HTTPField.Name("webhook-timestamp")!] ?? "") ?? 0,
                        signature: request.headers[HTTPField.Name("webhook-signature")!] ?? "",
                        contentType: request.headers[.contentType] ?? "", body: Array(buffer: body)))
                return list.count - 1
            }
            let (status, headers) = receiver.behaviour.withLock { $0 }(index, id)
            return Response(status: status, headers: headers)
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "receiver", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await app.run() }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw CancellationError() }
        let receiver = WebhookReceiver(port: port)
        box.withLock { $0 = receiver }
        receiver.task.withLock { $0 = task }
        return receiver
    }

    func answer(_ behaviour: @escaping Behaviour) { self.behaviour.withLock { $0 = behaviour } }

    var requests: [Received] { received.withLock { $0 } }

    func stop() async {
        let task = task.withLock { $0 }
        task?.cancel()
        _ = try? await task?.value
    }
}

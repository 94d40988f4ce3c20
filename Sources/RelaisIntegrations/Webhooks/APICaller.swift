import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RelaisCore
import Synchronization

/// Why a sync with another tool stopped before it was done.
public struct SyncStopped: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
    public init(reason: String) { self.reason = reason }
}

/// Calls another tool's API the way a polite client does: at most `burst` requests in any
/// `window` (the tool's rate limit, kept on this side), and a request that meets 5xx, 429 or a
/// transport error made again after a growing pause, or the `Retry-After` the tool gave, up to
/// `tries` times. A 4xx is the tool's refusal: no second try.
final class APICaller: Sendable {
    struct Limits: Sendable {
        var tries = 6
        var firstPause: TimeInterval = 1
        var longestPause: TimeInterval = 300
        var timeout: TimeInterval = 60
        /// Requests allowed in any `window` seconds; nil: no limit kept here.
        var burst: Int?
        var window: TimeInterval = 10
        /// Whether the tool may be on loopback or a private network (`EgressClient`).
        var allowPrivate = false
    }

    let name: String
    let client: EgressClient
    let limits: Limits
    let sleep: @Sendable (TimeInterval) async throws -> Void
    let now: @Sendable () -> Date
    /// Instants of the last `burst` requests, oldest first.
    let sent = Mutex<[Date]>([])
    let retried = Mutex(0)

    init(
        name: String, limits: Limits, decompress: Bool = true, sleep: @escaping @Sendable (TimeInterval) async throws -> Void,
        now: @escaping @Sendable () -> Date
    ) {
        self.name = name
        self.limits = limits
        self.sleep = sleep
        self.now = now
        client = EgressClient(.init(timeout: limits.timeout, decompress: decompress, allowPrivate: limits.allowPrivate))
    }

    func shutdown() async { await client.shutdown() }

    /// Tries made again since the caller was made.
    var retries: Int { retried.withLock { $0 } }

    /// The answer's status and body, once one is a 2xx.
    func send(_ request: OutboundRequest) async throws -> (status: Int, body: Data) {
        var pause = limits.firstPause
        for attempt in 1...max(1, limits.tries) {
            try await waitForRoom()
            var http = HTTPClientRequest(url: request.url)
            http.method = HTTPMethod(rawValue: request.method)
            for (field, value) in request.headers.sorted(by: { $0.key < $1.key }) { http.headers.add(name: field, value: value) }
            if let body = request.body { http.body = .bytes(ByteBuffer(bytes: body)) }
            var failure: String, wait: TimeInterval?
            do {
                let response = try await client.execute(http, timeout: .milliseconds(Int64(limits.timeout * 1000)))
                let body = try await response.body.collect(upTo: 64 << 20)
                let status = Int(response.status.code)
                if (200..<300).contains(status) { return (status, Data(buffer: body)) }
                let message = OutboundHTTP.message(Array(buffer: body)).map { ": \($0)" } ?? ""
                guard status == 429 || status >= 500 else {
                    throw SyncStopped(reason: "\(name) answered HTTP \(status)\(message) to \(request.method) \(request.url)")
                }
                failure = "HTTP \(status)\(message)"
                wait = response.headers.first(name: "Retry-After").flatMap { RetryAfter.seconds($0, now: now()) }
                // HubSpot's 429 names a ten-second policy and often no Retry-After: wait the window out.
                if status == 429, wait == nil, limits.burst != nil { wait = limits.window }
            } catch let stopped as SyncStopped {
                throw stopped
            } catch let refused as EgressRefused {
                throw SyncStopped(reason: "\(name): \(refused)")
            } catch {
                failure = WebhookDispatcher.describe(error)
            }
            guard attempt < limits.tries else {
                throw SyncStopped(
                    reason:
                        "\(name) failed \(limits.tries) time\(limits.tries == 1 ? "" : "s") (last: \(failure)); the next sync resumes after the last page imported"
                )
            }
            retried.withLock { $0 += 1 }
            try await sleep(min(wait ?? pause, RetrySchedule.longestRetryAfter))
            pause = min(pause * 2, limits.longestPause)
        }
        throw SyncStopped(reason: "no try made")
    }

    /// Waits until one more request stays within the burst limit, and counts it.
    func waitForRoom() async throws {
        guard let burst = limits.burst, burst > 0 else { return }
        let instant = now()
        let delay: TimeInterval = sent.withLock { list in
            list.removeAll { instant.timeIntervalSince($0) >= limits.window }
            guard list.count >= burst, let oldest = list.first else { return 0 }
            return limits.window - instant.timeIntervalSince(oldest)
        }
        if delay > 0 { try await sleep(delay) }
        let at = now()
        sent.withLock { list in
            list.removeAll { at.timeIntervalSince($0) >= limits.window }
            list.append(at)
        }
    }
}

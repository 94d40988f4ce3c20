import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import RelaisCore
import RelaisStore

#if canImport(Glibc)
import Glibc
#endif

/// Sends the outbox to webhook endpoints: turns new events into deliveries, takes a batch of due
/// deliveries under a lease, posts each signed body, records every answer. At least once: a
/// delivery is done only when a 2xx was recorded, so a process that dies mid-batch leaves its
/// deliveries to be taken again when the lease ends, with the same `webhook-id`.
public final class WebhookDispatcher: Sendable {
    public struct Settings: Sendable {
        /// Deliveries taken per round.
        public var batchSize = 500
        /// Outbox events turned into deliveries per round.
        public var fanOutSize = 2_000
        /// How long a taken batch is this process's; longer than `timeout`, so a slow endpoint is
        /// not sent the same event twice at once.
        public var lease: TimeInterval = 60
        /// Longest wait for an endpoint's answer.
        public var timeout: TimeInterval = 15
        /// Pause between rounds when there is nothing to do.
        public var idlePause: TimeInterval = 0.25
        public var schedule = RetrySchedule.standard
        /// Whether endpoints whose names resolve to this machine or a private network are called.
        public var allowPrivateTargets = false
        /// Opens the endpoints' signing secrets (`RELAIS_SECRET_KEY`); without it they cannot be
        /// stored, and sealed ones cannot sign.
        public var secrets: SecretBox?
        /// Open connections per endpoint host.
        public var connectionsPerHost = 32
        /// Rounds run at once by `run`: while one lane waits for answers, another takes and
        /// records its batch (leases keep their batches apart).
        public var lanes = 2

        public init() {}

        /// The lease a batch is taken for: `lease`, or longer when a batch sent to one slow host
        /// (its connections each waiting out the timeout in turn) could outlast it, so no other
        /// process takes a delivery that is still being sent.
        public var effectiveLease: TimeInterval {
            let turns = (batchSize + max(1, connectionsPerHost) - 1) / max(1, connectionsPerHost)
            return max(lease, timeout * Double(turns) + 5)
        }
    }

    public let repository: WebhookRepository
    public let settings: Settings
    /// Names this process in the leases it takes.
    public let owner: String
    let client: EgressClient
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double

    public init(
        database: RelaisDatabase, settings: Settings = Settings(), owner: String = "relais-\(UUID().text)",
        now: @escaping @Sendable () -> Date = Date.init,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.repository = WebhookRepository(database: database, secrets: settings.secrets)
        self.settings = settings
        self.owner = owner
        self.now = now
        self.random = random
        self.client = EgressClient(
            .init(
                timeout: settings.timeout, connectionsPerHost: settings.connectionsPerHost,
                allowPrivate: settings.allowPrivateTargets))
    }

    /// Closes the HTTP connections; call once, when the dispatcher is no longer used.
    public func shutdown() async {
        await client.shutdown()
    }

    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var eventsHandedOver = 0
        public var sent = 0
        public var delivered = 0
    }

    /// One round: hand new outbox events to deliveries, then send one batch of due deliveries.
    public func runOnce() async throws -> Round {
        var round = Round()
        round.eventsHandedOver = try await repository.fanOut(limit: settings.fanOutSize, at: now())
        let start = now()
        let batch = try await repository.claim(
            owner: owner, limit: settings.batchSize, at: start,
            leaseUntil: start.addingTimeInterval(settings.effectiveLease))
        guard !batch.isEmpty else { return round }
        let reports = await send(batch)
        try await repository.record(reports, owner: owner, schedule: settings.schedule, random: random, at: now())
        round.sent = reports.count
        round.delivered = reports.count { $0.outcome == .delivered }
        return round
    }

    /// Rounds until the task is cancelled, in `settings.lanes` lanes, each pausing when there is
    /// nothing to send.
    public func run(logger: Logger) async {
        logger.info("webhooks: dispatching as \(owner)")
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, settings.lanes) { group.addTask { await self.lane(logger: logger) } }
        }
    }

    func lane(logger: Logger) async {
        while !Task.isCancelled {
            do {
                let round = try await runOnce()
                if round.eventsHandedOver == 0 && round.sent == 0 {
                    try await Task.sleep(for: .milliseconds(Int(settings.idlePause * 1000)))
                } else if round.sent > round.delivered {
                    logger.debug("webhooks: \(round.sent - round.delivered) of \(round.sent) deliveries failed and wait for their next try")
                }
            } catch is CancellationError {
                break
            } catch {
                logger.warning("webhooks: \(error)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Sends a batch at once; each delivery gets its answer or its error.
    func send(_ batch: [ClaimedDelivery]) async -> [DeliveryReport] {
        await withTaskGroup(of: DeliveryReport.self) { group in
            for delivery in batch {
                group.addTask { await self.post(delivery) }
            }
            var reports: [DeliveryReport] = []
            reports.reserveCapacity(batch.count)
            for await report in group { reports.append(report) }
            return reports
        }
    }

    func post(_ delivery: ClaimedDelivery) async -> DeliveryReport {
        let started = now()
        func report(status: Int?, retryAfter: String? = nil, error: String?) -> DeliveryReport {
            let finished = now()
            return DeliveryReport(
                delivery: delivery, attemptedAt: started, durationMilliseconds: max(0, Int(finished.timeIntervalSince(started) * 1000)),
                statusCode: status, error: error,
                outcome: DeliveryOutcome.classify(status: status, retryAfter: retryAfter, error: error, now: finished))
        }
        guard !delivery.secrets.isEmpty else {
            return report(
                status: nil,
                error: "the endpoint's signing secret cannot be read: \(SecretBox.variable) is not set or is not the key it was sealed with")
        }
        let body = Array(delivery.payload.utf8)
        let timestamp = Int(started.timeIntervalSince1970)
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/cloudevents+json; charset=utf-8")
        request.headers.add(name: "User-Agent", value: "Relais-Webhooks/1")
        request.headers.add(name: "webhook-id", value: delivery.eventID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(
            name: "webhook-signature",
            value: WebhookSigner.signature(id: delivery.eventID, timestamp: timestamp, body: body, secrets: delivery.secrets))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(settings.timeout * 1000)))
            // Read the answer's body so that the connection can carry the next delivery.
            var read = 0
            for try await part in response.body {
                read += part.readableBytes
                if read > 1 << 20 { break }
            }
            return report(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"), error: nil)
        } catch {
            return report(status: nil, error: Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout: "no answer within the timeout"
        case let error as HTTPClientError where error == .connectTimeout: "could not connect within the timeout"
        case let error as HTTPClientError: "HTTP client: \(error)"
        case let error as EgressRefused: error.reason
        default: "\(error)"
        }
    }
}

import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RelaisCore
import RelaisStore

/// Asks developers' trackers what pending escalations need: opens their issues (or reads the
/// issue a ticket was linked to) and records the answer. Work is leased, so several processes
/// share it; a tracker that fails or is rate-limited is asked again on `RetrySchedule`, waiting
/// at least what its `Retry-After` said; one that refuses (a 4xx) fails the escalation with the
/// tracker's reason, which the tickets record.
public final class TrackerDispatcher: Sendable {
    public struct Settings: Sendable {
        public var batchSize = 20
        public var lease: TimeInterval = 120
        public var timeout: TimeInterval = 20
        public var idlePause: TimeInterval = 1
        public var schedule = RetrySchedule.standard
        /// Where people read a ticket, for the link back in issues (`/api/v1/tickets/KEY` under it).
        public var publicURL: String?
        /// Whether trackers may be on loopback or a private network (`EgressClient`).
        public var allowPrivateEgress = false
        public init() {}
    }

    public let escalations: Escalations
    public let settings: Settings
    public let owner: String
    let map: @Sendable () -> ProcessMap
    let environment: [String: String]
    let client: EgressClient
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double

    /// `map` gives the running map (its trackers) at each round; `environment` holds the
    /// variables the trackers' credentials are read from.
    public init(
        escalations: Escalations, map: @escaping @Sendable () -> ProcessMap, environment: [String: String] = ProcessInfo.processInfo.environment,
        settings: Settings = Settings(), owner: String = "relais-\(UUID().text)",
        now: @escaping @Sendable () -> Date = Date.init, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.escalations = escalations
        self.map = map
        self.environment = environment
        self.settings = settings
        self.owner = owner
        self.now = now
        self.random = random
        client = EgressClient(.init(timeout: settings.timeout, allowPrivate: settings.allowPrivateEgress))
    }

    public func shutdown() async { await client.shutdown() }

    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var taken = 0
        public var opened = 0
        public var retried = 0
        public var failed = 0

        public init(taken: Int = 0, opened: Int = 0, retried: Int = 0, failed: Int = 0) {
            self.taken = taken
            self.opened = opened
            self.retried = retried
            self.failed = failed
        }
    }

    /// Takes the due pending escalations and asks their trackers once each.
    public func runOnce() async throws -> Round {
        let start = now()
        let batch = try await escalations.claim(
            owner: owner, limit: settings.batchSize, at: start,
            leaseUntil: start.addingTimeInterval(max(settings.lease, settings.timeout * 2 + 5)))
        var round = Round(taken: batch.count)
        let map = map()
        for work in batch {
            guard let tracker = map.trackers[work.escalation.tracker] else {
                try await escalations.failed(
                    work, reason: "the map no longer declares tracker \(work.escalation.tracker)", retryAt: nil,
                    tracker: work.escalation.tracker, owner: owner, at: now())
                round.failed += 1
                continue
            }
            switch await ask(tracker, for: work) {
            case let .success(issue):
                if try await escalations.opened(work, issue: issue, tracker: tracker, owner: owner, at: now()) { round.opened += 1 }
            case let .failure(failure):
                let attempt = work.escalation.attempts + 1
                let retryAt =
                    failure.retry
                    ? settings.schedule.nextAttempt(after: attempt, at: now(), random: random(), retryAfter: failure.retryAfter) : nil
                try await escalations.failed(work, reason: failure.reason, retryAt: retryAt, tracker: tracker.name, owner: owner, at: now())
                if retryAt == nil { round.failed += 1 } else { round.retried += 1 }
            }
        }
        return round
    }

    /// Rounds until the task is cancelled.
    public func run(logger: Logger) async {
        while !Task.isCancelled {
            do {
                let round = try await runOnce()
                if round.taken == 0 { try await Task.sleep(for: .milliseconds(Int(settings.idlePause * 1000))) }
                if round.failed > 0 { logger.warning("trackers: \(round.failed) escalation(s) failed for good") }
            } catch is CancellationError {
                break
            } catch {
                logger.warning("trackers: \(error)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// The request the escalation needs, sent, and its answer read.
    func ask(_ tracker: DeveloperTracker, for work: EscalationWork) async -> Result<IssueUpdate, TrackerAPI.TrackerFailure> {
        let credentials: TrackerAPI.Credentials
        switch TrackerAPI.Credentials.of(tracker, in: environment) {
        case let .success(found): credentials = found
        case let .failure(failure): return .failure(failure)
        }
        let request: OutboundRequest
        switch work.escalation.action {
        case .create:
            guard let ticket = work.tickets.first else { return .failure(.init(reason: "the escalation has no ticket", retry: false)) }
            let link = settings.publicURL.map { "\($0.hasSuffix("/") ? String($0.dropLast()) : $0)/api/v1/tickets/\(ticket.key)" }
            let issue = DeveloperIssue.compose(
                ticket: ticket, others: Array(work.tickets.dropFirst()), steps: work.escalation.steps,
                accounts: work.accounts, link: link, labels: tracker.labels)
            request = TrackerAPI.create(issue, in: tracker, credentials: credentials)
        case .read:
            guard let id = work.escalation.issueID else { return .failure(.init(reason: "no issue to read", retry: false)) }
            request = TrackerAPI.read(issue: id, in: tracker, credentials: credentials)
        }
        var http = HTTPClientRequest(url: request.url)
        http.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { http.headers.add(name: name, value: value) }
        if let body = request.body { http.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(http, timeout: .milliseconds(Int64(settings.timeout * 1000)))
            let body = try await response.body.collect(upTo: 4 << 20)
            let answer = TrackerAPI.answer(
                status: Int(response.status.code), body: Array(buffer: body),
                retryAfter: response.headers.first(name: "Retry-After"), tracker: tracker, now: now())
            if case let .failure(failure) = answer, work.escalation.action == .read, response.status == .notFound {
                return .failure(.init(reason: "\(tracker.name) has no issue \(work.escalation.issueID ?? ""): \(failure.reason)", retry: false))
            }
            return answer
        } catch let refused as EgressRefused {
            return .failure(.init(reason: "\(refused)", retry: false))
        } catch {
            return .failure(.init(reason: WebhookDispatcher.describe(error), retry: true))
        }
    }
}

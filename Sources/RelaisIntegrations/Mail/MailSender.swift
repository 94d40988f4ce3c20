import Foundation
import Logging
import RelaisCore
import RelaisStore

/// Sends requesters' notices: queues what new events call for, then hands due messages to the
/// relay and records each try. Several processes may run one: the outbox is read by one at a time
/// and a message is claimed by one until its lease ends.
public struct MailSender: Sendable {
    public let notifier: MailNotifier
    public let client: SMTPClient
    /// Seconds to wait when there was nothing to do.
    public var idlePause: TimeInterval = 0.5

    public init(notifier: MailNotifier, client: SMTPClient) {
        self.notifier = notifier
        self.client = client
    }

    public struct Round: Sendable, Equatable {
        public var read = 0
        public var queued = 0
        public var sent = 0
        public var failed = 0
    }

    /// Queues the notices of new events, then sends what is due, a few messages at a time.
    public func runOnce() async throws -> Round {
        let pass = try await notifier.queue()
        var round = Round(read: pass.read, queued: pass.queued)
        let claimed = try await notifier.claim()
        let results = await withTaskGroup(of: (MailNotifier.Claimed, MailNotifier.Attempt).self) { group in
            for message in claimed {
                group.addTask { (message, await client.send(from: message.from, to: message.recipients, message: message.raw)) }
            }
            var results: [(MailNotifier.Claimed, MailNotifier.Attempt)] = []
            for await result in group { results.append(result) }
            return results
        }
        for (message, attempt) in results {
            try await notifier.record(message, attempt)
            if attempt == .sent { round.sent += 1 } else { round.failed += 1 }
        }
        return round
    }

    public func run(logger: Logger) async {
        logger.info("mail: notices go through \(client.host):\(client.port)")
        while !Task.isCancelled {
            do {
                let round = try await runOnce()
                if round.failed > 0 { logger.warning("mail: \(round.failed) notices were not taken by the relay and wait for their next try") }
                if round.read == 0 && round.sent == 0 && round.failed == 0 {
                    try await Task.sleep(for: .milliseconds(Int(idlePause * 1000)))
                }
            } catch is CancellationError {
                break
            } catch {
                logger.warning("mail: \(error)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}

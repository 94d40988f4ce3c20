import Foundation

/// When a failed webhook delivery is tried again: a fixed ladder of delays, each moved by up to
/// ±`jitter` of itself so that endpoints that failed together do not all come back at once.
public struct RetrySchedule: Sendable, Equatable {
    /// The delay before the second try, the third, and so on.
    public var delays: [TimeInterval]
    /// Fraction of each delay by which it may move, either way.
    public var jitter: Double

    public init(delays: [TimeInterval], jitter: Double = 0.2) {
        self.delays = delays
        self.jitter = jitter
    }

    /// Twelve tries over about three days (70.7 hours of delays before jitter): quick retries for
    /// a blip, then hourly and daily ones for an endpoint that is down for a weekend.
    public static let standard = RetrySchedule(delays: [5, 30, 120, 600, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400, 86_400])

    /// Tries in all, the first included.
    public var attempts: Int { delays.count + 1 }

    /// Longest wait a `Retry-After` answer can impose on one try.
    public static let longestRetryAfter: TimeInterval = 86_400

    /// When to try again after try number `attempt` (from 1) failed, or nil when it was the last.
    /// `random` is a number in `0..<1` that places the jitter; a `Retry-After` the endpoint gave
    /// replaces the ladder's delay for this try, up to a day.
    public func nextAttempt(after attempt: Int, at now: Date, random: Double, retryAfter: TimeInterval? = nil) -> Date? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        if let retryAfter { return now.addingTimeInterval(min(max(retryAfter, 0), Self.longestRetryAfter)) }
        let delay = delays[attempt - 1]
        return now.addingTimeInterval(delay * (1 + jitter * (2 * min(max(random, 0), 1) - 1)))
    }
}

/// What one answer of an endpoint means for its delivery.
public enum DeliveryOutcome: Sendable, Equatable {
    /// A 2xx: done.
    case delivered
    /// Anything else but 410: try again later; `retryAfter` when a 429 or 503 said how long to wait.
    case failed(reason: String, retryAfter: TimeInterval?)
    /// 410 Gone: the endpoint asks not to be called again.
    case gone

    /// Classifies an HTTP answer (`status`, and its `Retry-After` header) or a transport error.
    public static func classify(status: Int?, retryAfter: String? = nil, error: String? = nil, now: Date) -> DeliveryOutcome {
        guard let status else { return .failed(reason: error ?? "no answer", retryAfter: nil) }
        switch status {
        case 200..<300: return .delivered
        case 410: return .gone
        case 429, 503:
            return .failed(reason: "HTTP \(status)", retryAfter: retryAfter.flatMap { RetryAfter.seconds($0, now: now) })
        default: return .failed(reason: "HTTP \(status)", retryAfter: nil)
        }
    }
}

/// Reads a `Retry-After` header (RFC 9110 §10.2.3): a number of seconds or an HTTP date.
public enum RetryAfter {
    /// Seconds to wait from `now`, or nil when the header is neither form.
    public static func seconds(_ header: String, now: Date) -> TimeInterval? {
        let text = header.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text) { return seconds >= 0 ? TimeInterval(seconds) : nil }
        return InternetDate.parse(text).map { max(0, $0.timeIntervalSince(now)) }
    }
}

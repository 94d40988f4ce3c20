import Foundation

/// An SLA policy: the calendar it counts on, the statuses that pause it, a target per priority
/// and metric, and what to do when the ticket or the policy changes and when a target is near or missed.
public struct SLAPolicy: Sendable, Equatable, Codable {
    public enum Metric: String, Sendable, Equatable, Codable, CaseIterable, CodingKeyRepresentable {
        /// From opening to the first public reply of an agent.
        case firstResponse = "first_response"
        /// From the oldest requester message left unanswered to the next public agent reply.
        case nextResponse = "next_response"
        /// Between two public agent updates while the ticket is open.
        case periodicUpdate = "periodic_update"
        /// From opening to the solved status.
        case resolution
    }

    /// When the priority changes: keep counting from the original start against the new target,
    /// or start the running clocks again from the change.
    public enum PriorityChange: String, Sendable, Equatable, Codable, CaseIterable {
        case retarget, restart
    }

    /// When a solved ticket is reopened: the resolution clock resumes where it stopped (time spent
    /// solved does not count), or starts again from the reopening.
    public enum Reopen: String, Sendable, Equatable, Codable, CaseIterable {
        case resume, restart
    }

    /// When the map changes this policy: open tickets take the new targets (counted from their
    /// original start), or keep the targets they had until they are solved.
    public enum PolicyChange: String, Sendable, Equatable, Codable, CaseIterable {
        case retarget, keep
    }

    /// What happens when a target is near (warning) or missed (breach).
    public struct Escalation: Sendable, Equatable, Codable {
        /// Hand the ticket to the team its team escalates to (L1 to L2 to L3).
        public var escalate: Bool
        /// Priority steps to raise the ticket by.
        public var raisePriority: Int
        /// Who hears of it: `team`, `assignee`, `requester`, `account_owner`.
        public var notify: [String]
        public init(escalate: Bool = false, raisePriority: Int = 0, notify: [String] = []) {
            self.escalate = escalate
            self.raisePriority = raisePriority
            self.notify = notify
        }
        public static let recipients = ["team", "assignee", "requester", "account_owner"]
        public var isEmpty: Bool { !escalate && raisePriority == 0 && notify.isEmpty }
    }

    public var code: String
    public var calendar: String
    public var pauseIn: [String]
    /// priority -> metric -> business seconds.
    public var targets: [String: [Metric: Int]]
    /// Percentage of a target at which a warning is raised.
    public var warnAt: Int
    public var onPriorityChange: PriorityChange
    public var onReopen: Reopen
    public var onPolicyChange: PolicyChange
    public var onWarning: Escalation
    public var onBreach: Escalation

    public init(
        code: String, calendar: String, pauseIn: [String] = [], targets: [String: [Metric: Int]] = [:],
        warnAt: Int = 80, onPriorityChange: PriorityChange = .retarget, onReopen: Reopen = .resume,
        onPolicyChange: PolicyChange = .retarget, onWarning: Escalation = .init(), onBreach: Escalation = .init()
    ) {
        self.code = code
        self.calendar = calendar
        self.pauseIn = pauseIn
        self.targets = targets
        self.warnAt = warnAt
        self.onPriorityChange = onPriorityChange
        self.onReopen = onReopen
        self.onPolicyChange = onPolicyChange
        self.onWarning = onWarning
        self.onBreach = onBreach
    }

    /// What to do when a warning or a breach is recorded.
    public func escalation(for kind: SLAFiring.Kind) -> Escalation { kind == .warning ? onWarning : onBreach }

    /// Business seconds allowed for `metric` at `priority`, when the policy sets a target.
    public func target(_ metric: Metric, priority: String?) -> Int? {
        priority.flatMap { targets[$0]?[metric] }
    }
}

/// Durations written in the map: `15m`, `4h`, `2d`, `1w`, or combined as `1h30m`.
/// Days and weeks are business days and weeks: 8 hours and 5 days unless a calendar says otherwise.
public enum BusinessDuration {
    /// Seconds in `text`, or nil when it is not a duration.
    public static func seconds(in text: String, day: Int = 8 * 3600, week: Int = 5 * 8 * 3600) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": day, "w": week]
        var total = 0, digits = "", sawUnit = false
        for character in text.trimmingCharacters(in: .whitespaces) {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if let unit = units[character], let value = Int(digits), value <= 1_000_000 {
                total += value * unit
                digits = ""
                sawUnit = true
            } else {
                return nil
            }
        }
        return digits.isEmpty && sawUnit && total > 0 ? total : nil
    }
}

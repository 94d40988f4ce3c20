import Foundation

/// An SLA policy: the calendar it counts on, the statuses that pause it and a target per priority.
public struct SLAPolicy: Sendable, Equatable {
    public enum Metric: String, Sendable, Equatable, CaseIterable {
        case firstResponse = "first_response"
        case nextResponse = "next_response"
        case periodicUpdate = "periodic_update"
        case resolution
    }

    public var code: String
    public var calendar: String
    public var pauseIn: [String]
    /// priority -> metric -> business seconds.
    public var targets: [String: [Metric: Int]]

    public init(code: String, calendar: String, pauseIn: [String] = [], targets: [String: [Metric: Int]] = [:]) {
        self.code = code
        self.calendar = calendar
        self.pauseIn = pauseIn
        self.targets = targets
    }
}

/// Durations written in the map: `15m`, `4h`, `2d`, `1w`, or combined as `1h30m`.
/// A day of business time is 8 hours and a week 5 days, whatever the calendar.
public enum BusinessDuration {
    public static let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 8 * 3600, "w": 5 * 8 * 3600]

    /// Seconds in `text`, or nil when it is not a duration.
    public static func seconds(in text: String) -> Int? {
        var total = 0, digits = "", sawUnit = false
        for character in text.trimmingCharacters(in: .whitespaces) {
            if character.isNumber {
                digits.append(character)
            } else if let unit = units[character], let value = Int(digits) {
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

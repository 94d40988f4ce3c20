import Foundation

/// The durations seen on one edge, variant or set of cases, summarised without keeping them all.
///
/// The first `exactLimit` durations are kept, so small and medium logs get exact medians and
/// 90th percentiles (interpolated between neighbours, as NumPy does). Past that, durations go
/// into logarithmic buckets 2% wide: memory stays a few kilobytes whatever the log's size, and a
/// quantile is off by at most 1% of its value. Count, mean, minimum and maximum stay exact.
struct DurationSample: Sendable {
    static let exactLimit = 8192
    private static let gamma = 1.02
    private static let logGamma = log(gamma)

    private(set) var count = 0
    private(set) var total: Double = 0
    private(set) var minimum = Int64.max
    private(set) var maximum = Int64.min
    private var exact: [Int64] = []
    private var zeros = 0
    private var buckets: [Int: Int] = [:]

    mutating func add(_ micros: Int64) {
        count += 1
        total += Double(micros)
        minimum = min(minimum, micros)
        maximum = max(maximum, micros)
        if buckets.isEmpty && zeros == 0 && exact.count < Self.exactLimit {
            exact.append(micros)
            return
        }
        if !exact.isEmpty {
            let kept = exact
            exact = []
            for value in kept { bucket(value) }
        }
        bucket(micros)
    }

    private mutating func bucket(_ micros: Int64) {
        if micros <= 0 { zeros += 1 } else { buckets[Int((log(Double(micros)) / Self.logGamma).rounded(.up)), default: 0] += 1 }
    }

    /// The `fraction` quantile in microseconds (0.5 for the median).
    func quantile(_ fraction: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = fraction * Double(count - 1)
        if !exact.isEmpty {
            let sorted = exact.sorted()
            let lower = Int(rank.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
            let weight = rank - Double(lower)
            return Double(sorted[lower]) * (1 - weight) + Double(sorted[upper]) * weight
        }
        let target = Int(rank.rounded())
        if target < zeros { return 0 }
        var seen = zeros
        for index in buckets.keys.sorted() {
            seen += buckets[index]!
            if target < seen {
                // The middle of the bucket (γ^(i-1), γ^i], within 1% of any value in it.
                return 2 * pow(Self.gamma, Double(index)) / (Self.gamma + 1)
            }
        }
        return Double(maximum)
    }

    var summary: DurationSummary {
        DurationSummary(
            count: count,
            meanSeconds: count == 0 ? 0 : total / Double(count) / 1e6,
            medianSeconds: quantile(0.5) / 1e6,
            p90Seconds: quantile(0.9) / 1e6,
            minSeconds: count == 0 ? 0 : Double(minimum) / 1e6,
            maxSeconds: count == 0 ? 0 : Double(maximum) / 1e6,
            totalSeconds: total / 1e6)
    }
}

/// Durations in seconds, as reports give them.
public struct DurationSummary: Sendable, Codable, Equatable {
    enum CodingKeys: String, CodingKey {
        case count
        case meanSeconds = "mean_seconds"
        case medianSeconds = "median_seconds"
        case p90Seconds = "p90_seconds"
        case minSeconds = "min_seconds"
        case maxSeconds = "max_seconds"
        case totalSeconds = "total_seconds"
    }

    public var count: Int
    public var meanSeconds: Double
    public var medianSeconds: Double
    public var p90Seconds: Double
    public var minSeconds: Double
    public var maxSeconds: Double
    public var totalSeconds: Double
}

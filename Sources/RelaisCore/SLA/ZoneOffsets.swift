import Foundation

/// A time zone's UTC offsets over a span of years, read once from the system's time zone data,
/// so that turning a local wall time into an instant is a lookup rather than a library call.
struct ZoneOffsets: Sendable {
    /// Instants (seconds since 1970) from which `offsets[i]` applies; `starts[0]` is the span's start.
    let starts: [Int64]
    let offsets: [Int64]

    init?(identifier: String, from first: Int64, to last: Int64) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        var starts = [first], offsets = [Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(first))))]
        var cursor = Date(timeIntervalSince1970: Double(first))
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < Double(last) {
            let offset = Int64(zone.secondsFromGMT(for: next))
            if offset != offsets.last {
                starts.append(Int64(next.timeIntervalSince1970.rounded()))
                offsets.append(offset)
            }
            cursor = next
        }
        self.starts = starts
        self.offsets = offsets
    }

    /// Index of the offset in force at `instant`.
    func segment(at instant: Int64) -> Int {
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= instant { low = middle } else { high = middle - 1 }
        }
        return low
    }

    func offset(at instant: Int64) -> Int64 { offsets[segment(at: instant)] }

    /// The instant at which local clocks read `local` (seconds since 1970 on the wall).
    /// A wall time that occurs twice (clocks set back) gives the first; one that never occurs
    /// (clocks set forward) gives the instant it would be with the offset before the jump, which
    /// the wall then reads as that much later (02:30 becomes 03:30).
    func instant(atLocal local: Int64) -> Int64 {
        let window: Int64 = 18 * 3600
        let first = segment(at: local - window)
        var index = first
        while index < starts.count, index == first || starts[index] <= local + window {
            let candidate = local - offsets[index]
            let ends = index + 1 < starts.count ? starts[index + 1] : Int64.max
            if candidate >= starts[index] || index == 0, candidate < ends { return candidate }
            index += 1
        }
        // In a gap: the last segment whose offset places the wall time past its own end.
        index = first + 1
        while index < starts.count {
            if local - offsets[index - 1] >= starts[index], local - offsets[index] < starts[index] {
                return local - offsets[index - 1]
            }
            index += 1
        }
        return local - offsets[first]
    }
}

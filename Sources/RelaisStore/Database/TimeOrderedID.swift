import Foundation
import Synchronization

extension UUID {
    /// A version 7 UUID: 48 bits of Unix milliseconds, then random bits. Ids made later sort
    /// after ids made earlier, so primary-key inserts append to the end of their B-tree instead of
    /// splitting pages all over it. Within one millisecond of this process, the 12 bits after the
    /// version count up (RFC 9562, method 3), so ids made one after the other sort in that order
    /// too (what the audit log's "oldest first" relies on).
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let sequence = TimeOrderedSequence.shared.next(millis: millis)
        return timeOrdered(millis: sequence.millis, counter: sequence.counter, using: &generator)
    }

    static func timeOrdered(at date: Date, using random: inout some RandomNumberGenerator) -> UUID {
        timeOrdered(millis: UInt64(max(0, date.timeIntervalSince1970 * 1000)), counter: nil, using: &random)
    }

    static func timeOrdered(millis: UInt64, counter: UInt16?, using random: inout some RandomNumberGenerator) -> UUID {
        // Two draws of 64 bits (one system call each with the system generator), not sixteen of 8.
        let high = random.next(), low = random.next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * index))
            bytes[8 + index] = UInt8(truncatingIfNeeded: low >> (8 * index))
        }
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
        if let counter {
            bytes[6] = UInt8(truncatingIfNeeded: counter >> 8)
            bytes[7] = UInt8(truncatingIfNeeded: counter)
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}

/// The latest millisecond asked for, the millisecond ids are being issued in (ahead of it once a
/// millisecond's 4,096 counts are used up), and the last count. A millisecond's counter starts at
/// a random value below 2,048, so that processes do not all start at zero. An id for an instant
/// more than a second before the latest one asked for (history written after the fact) keeps its
/// instant and a counter of its own (counting up while the same millisecond is asked for again);
/// one less behind is issued in the stream, after the ids already made (a thread that read the
/// clock just before another's).
final class TimeOrderedSequence: Sendable {
    /// The process's sequence, which `UUID.timeOrdered(at:)` draws from.
    static let shared = TimeOrderedSequence()

    private let state = Mutex<(requested: UInt64, issued: UInt64, counter: UInt16)>((0, 0, 0))
    /// The last id issued for an instant far behind: ids asked for that same millisecond again
    /// (entries of one request, when other work of the process runs on a clock far ahead) still
    /// count up.
    private let behind = Mutex<(millis: UInt64, counter: UInt16)>((0, 0))
    /// How far behind the latest millisecond asked for an instant may be and still count as now.
    static let lag: UInt64 = 1_000

    func next(millis: UInt64) -> (millis: UInt64, counter: UInt16) {
        state.withLock { state in
            // A clock read a moment before another thread's (up to `lag`) still gets the next
            // id of the stream: ids made now stay in the order they were made.
            if millis + Self.lag < state.requested {
                return behind.withLock { last in
                    if last.millis == millis, last.counter < 4_095 {
                        last.counter += 1
                    } else {
                        last = (millis, UInt16.random(in: 0..<2_048))
                    }
                    return last
                }
            }
            if millis > state.requested {
                state.requested = millis
                if millis > state.issued {
                    state.issued = millis
                    state.counter = UInt16.random(in: 0..<2_048)
                    return (state.issued, state.counter)
                }
            }
            if state.counter < 4_095 {
                state.counter += 1
            } else {
                state.issued += 1
                state.counter = 0
            }
            return (state.issued, state.counter)
        }
    }
}

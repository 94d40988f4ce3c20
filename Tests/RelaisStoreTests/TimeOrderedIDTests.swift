import Foundation
import Testing

@testable import RelaisStore

@Suite struct TimeOrderedIDTests {
    @Test func laterIDsSortAfterEarlierOnesAsText() {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let ids = (0..<200).map { UUID.timeOrdered(at: start.addingTimeInterval(Double($0) * 0.002)).text }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
    }

    @Test func theyAreVersion7RFC9562UUIDs() {
        let text = UUID.timeOrdered().uuidString
        let characters = Array(text)
        #expect(characters[14] == "7")
        #expect("89AB".contains(characters[19]))
    }

    /// Ids made one after the other in the same millisecond sort in the order they were made,
    /// past the 4,096 a millisecond's counter holds; an earlier instant keeps its own.
    @Test func idsOfOneMillisecondSortInTheOrderTheyWereMade() {
        let sequence = TimeOrderedSequence()
        var random = SystemRandomNumberGenerator()
        let millis: UInt64 = 1_790_000_000_000
        let ids = (0..<5_000).map { _ in
            let next = sequence.next(millis: millis)
            return UUID.timeOrdered(millis: next.millis, counter: next.counter, using: &random).text
        }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        #expect(sequence.next(millis: millis - 60_000).millis == millis - 60_000)
        // A clock read a few milliseconds behind another thread's still sorts after what was made.
        let late = sequence.next(millis: millis - 3)
        let lateID = UUID.timeOrdered(millis: late.millis, counter: late.counter, using: &random).text
        #expect(lateID > ids.last!)
    }

    /// Entries of one request made now sort in their order even when other work of the process
    /// asked for an instant far ahead (a test on a clock set in another year, history replayed).
    @Test func idsOfAMillisecondFarBehindStillSortInTheOrderTheyWereMade() {
        let sequence = TimeOrderedSequence()
        var random = SystemRandomNumberGenerator()
        let now: UInt64 = 1_790_000_000_000
        _ = sequence.next(millis: now + 86_400_000)
        for _ in 0..<200 {
            let ids = (0..<3).map { _ in
                let next = sequence.next(millis: now)
                return UUID.timeOrdered(millis: next.millis, counter: next.counter, using: &random).text
            }
            #expect(ids == ids.sorted() && Set(ids).count == 3)
            _ = sequence.next(millis: now - 1)
        }
    }
}

import Foundation
import RelaisStore
import Testing

@Suite struct TimeOrderedIDTests {
    @Test func laterIDsSortAfterEarlierOnesAsText() {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let ids = (0..<200).map { UUID.timeOrdered(at: start.addingTimeInterval(Double($0) * 0.002)).uuidString.lowercased() }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
    }

    @Test func theyAreVersion7RFC9562UUIDs() {
        let text = UUID.timeOrdered().uuidString
        let characters = Array(text)
        #expect(characters[14] == "7")
        #expect("89AB".contains(characters[19]))
    }
}

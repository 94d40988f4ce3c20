import Testing

@testable import RelaisMining

@Suite struct DurationSampleTests {
    @Test func interpolatesQuantilesLikeNumPy() {
        var sample = DurationSample()
        for value in [10, 40, 20, 30] as [Int64] { sample.add(value) }
        #expect(sample.quantile(0.5) == 25)  // numpy.median([10, 20, 30, 40])
        #expect(abs(sample.quantile(0.9) - 37) < 1e-9)  // numpy.percentile(…, 90)
        #expect(sample.summary.meanSeconds == 25e-6)
        #expect(sample.summary.minSeconds == 10e-6 && sample.summary.maxSeconds == 40e-6)
    }

    @Test func staysWithinOnePercentPastTheExactLimit() {
        var sample = DurationSample()
        let values = (1...(DurationSample.exactLimit * 3)).map { Int64($0) * 1_000_003 % 9_999_991 + 1 }
        for value in values { sample.add(value) }
        let sorted = values.sorted()
        let median = Double(sorted[(sorted.count - 1) / 2]), p90 = Double(sorted[Int(0.9 * Double(sorted.count - 1))])
        #expect(abs(sample.quantile(0.5) - median) / median < 0.011)
        #expect(abs(sample.quantile(0.9) - p90) / p90 < 0.011)
        #expect(sample.count == values.count)
        #expect(sample.summary.maxSeconds == Double(sorted.last!) / 1e6)
    }

    @Test func countsZeroDurations() {
        var sample = DurationSample()
        for _ in 0..<(DurationSample.exactLimit + 10) { sample.add(0) }
        sample.add(5_000_000)
        #expect(sample.quantile(0.5) == 0)
        #expect(sample.quantile(1) > 4_900_000)
    }
}

import RelaisCore
import Testing

@Suite struct BusinessDurationTests {
    @Test(arguments: [("15m", 900), ("4h", 14_400), ("1d", 28_800), ("1h30m", 5_400), ("1w", 144_000), (" 2h ", 7_200)])
    func readsDurations(text: String, seconds: Int) {
        #expect(BusinessDuration.seconds(in: text) == seconds)
    }

    @Test(arguments: ["", "15", "h", "4x", "-1h", "0m", "1.5h"])
    func refusesWhatIsNotADuration(text: String) {
        #expect(BusinessDuration.seconds(in: text) == nil)
    }
}

import Testing

@testable import RelaisMining

@Suite struct TimestampParserTests {
    let iso = TimestampParser()

    @Test func readsTheISO8601FormsLogsWrite() {
        let utc: Int64 = 1_293_715_920_000_000  // 2010-12-30T13:32:00Z
        #expect(iso.parse("2010-12-30T14:32:00.000+01:00") == utc)
        #expect(iso.parse("2010-12-30T13:32:00Z") == utc)
        #expect(iso.parse("2010-12-30 13:32:00") == utc)
        #expect(iso.parse("2010-12-30T15:32:00+0200") == utc)
        #expect(iso.parse("2010-12-30T08:32:00-05") == utc)
        #expect(iso.parse("2010-12-30T13:32") == utc)
        #expect(iso.parse("2011-10-11 13:45:40.276000+02:00") == 1_318_333_540_276_000)
        #expect(iso.parse("2011-10-11T11:45:40.1234567Z") == 1_318_333_540_123_456)
        #expect(iso.parse("1970-01-01") == 0)
        #expect(iso.parse("1969-12-31T23:59:59Z") == -1_000_000)
    }

    @Test(arguments: [
        "", "2010-13-01", "2010-02-30", "2011-02-29T00:00Z", "2010-12-30T25:00", "2010-12-30T13:32:00+2",
        "30/12/2010", "2010-12-30T13:32:00Zjunk", "2010-12-30T13:32:00.",
    ])
    func refusesWhatIsNotATime(_ text: String) {
        #expect(iso.parse(text) == nil)
    }

    @Test func readsLeapDays() {
        #expect(iso.parse("2024-02-29T00:00:00Z") == 1_709_164_800_000_000)
        #expect(iso.parse("2000-02-29") != nil)
        #expect(iso.parse("1900-02-29") == nil)
    }

    @Test func readsNumericPatternsDirectly() throws {
        let european = try TimestampParser(pattern: "dd/MM/yyyy HH:mm")
        #expect(european.parse("30/12/2010 13:32") == 1_293_715_920_000_000)
        #expect(european.parse("2010-12-30 13:32") == nil)
        let loose = try TimestampParser(pattern: "d.M.yyyy H:mm:ss.SSS XXX")
        #expect(loose.parse("5.1.2011 9:05:07.250 +01:00") == micros("2011-01-05T08:05:07.250Z"))
        let quoted = try TimestampParser(pattern: "yyyyMMdd'T'HHmmss")
        #expect(quoted.parse("20101230T133200") == 1_293_715_920_000_000)
    }

    @Test func readsNamedMonthsThroughAFormatter() throws {
        let named = try TimestampParser(pattern: "dd MMM yyyy HH:mm")
        #expect(named.parse("30 Dec 2010 13:32") == 1_293_715_920_000_000)
        #expect(named.parse("30 Foo 2010 13:32") == nil)
    }
}

import Testing

@testable import RelaisMining

@Suite struct RenderAndExportTests {
    let events = [
        EventList.Event(
            caseID: "INC-1", activity: "new", time: 1_700_000_000_123_000, resource: "ann", group: "l1", attributes: ["family": "incident"]),
        EventList.Event(
            caseID: "INC-1", activity: "say \"<hi>\" & go", time: 1_700_000_060_000_000, resource: "bob", attributes: ["family": "incident"]),
        EventList.Event(caseID: "SR-2", activity: "new", time: 1_700_000_100_000_000, attributes: ["family": "request, other"]),
    ]

    @Test func exportsXESThatReadsBackToTheSameLog() throws {
        let xes = EventLogWriter.xes(events, logName: "Relais")
        #expect(xes.contains("value=\"say &quot;&lt;hi&gt;&quot; &amp; go\""))
        #expect(xes.contains("<date key=\"time:timestamp\" value=\"2023-11-14T22:13:20.123+00:00\"/>"))
        let fromXES = try ProcessMiner.mine(.xes(XESEventLog(source: MemoryBytes(xes))))
        let direct = try ProcessMiner.mine(.events(EventList(events)))
        #expect(fromXES.edges == direct.edges && fromXES.variants == direct.variants)
    }

    @Test func exportsCSVThatReadsBackToTheSameLog() throws {
        let csv = EventLogWriter.csv(events)
        #expect(csv.hasPrefix("case:concept:name,concept:name,time:timestamp,org:resource,org:group,family\n"))
        #expect(csv.contains("\"request, other\""))
        var options = ProcessMiner.Options()
        options.attributes = [AttributeFilter(key: "family", values: ["incident"])]
        let fromCSV = try ProcessMiner.mine(.csv(CSVEventLog(source: MemoryBytes(csv))), options: options)
        #expect(fromCSV.variants.map(\.activities) == [["new", "say \"<hi>\" & go"]])
    }

    @Test func writesTimesBeforeAndAfter1970() {
        #expect(TimestampText.iso8601(0) == "1970-01-01T00:00:00.000+00:00")
        #expect(TimestampText.iso8601(-1_000) == "1969-12-31T23:59:59.999+00:00")
        #expect(TimestampText.iso8601(951_782_400_000_000) == "2000-02-29T00:00:00.000+00:00")
        for sample in [Int64(-86_400_123_456), 0, 1_709_164_800_000_000, 4_102_444_800_000_000] {
            let text = TimestampText.iso8601(sample)
            #expect(TimestampParser().parse(text) == sample / 1000 * 1000 - (sample % 1000 < 0 ? 1000 : 0), "\(text)")
        }
    }

    @Test func drawsTheGraphInDOTWithEscapedNames() throws {
        let report = try ProcessMiner.mine(.events(EventList(events)))
        let dot = ProcessGraphDOT.render(report, colouring: .waiting, title: "Claims")
        #expect(dot.hasPrefix("digraph process {"))
        #expect(dot.contains("label=\"say \\\"<hi>\\\" & go\\n1\""))
        #expect(dot.contains("start -> a") && dot.contains("-> end"))
        #expect(dot.contains("label=\"1\\n1m\""))
    }
}

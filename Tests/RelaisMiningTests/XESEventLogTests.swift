import Foundation
import Testing

@testable import RelaisMining

@Suite struct XESEventLogTests {
    @Test func readsTheSameCasesAsTheCSVOfTheLog() throws {
        let xes = try ProcessMiner.mine(.xes(XESEventLog(source: FileBytes(path: Fixture.url("claims.xes").path))))
        let csv = try ProcessMiner.mine(Fixture.claims(FileBytes(path: Fixture.url("claims.csv").path)))
        #expect(xes.edges == csv.edges)
        #expect(xes.variants == csv.variants)
        #expect(xes.startActivities == csv.startActivities && xes.endActivities == csv.endActivities)
        #expect(xes.diagnostics.skippedCount == 0)
    }

    @Test func readsTheSameLogWhereverChunksEnd() throws {
        let text = try Fixture.text("claims.xes")
        let whole = try ProcessMiner.mine(.xes(XESEventLog(source: MemoryBytes(text))))
        for size in [1, 3, 17, 256] {
            #expect(try ProcessMiner.mine(.xes(XESEventLog(source: ChunkedBytes(text, size: size)))) == whole, "chunks of \(size)")
        }
    }

    @Test func decodesEntitiesAndFiltersOnTraceAttributes() throws {
        var options = ProcessMiner.Options()
        options.attributes = [AttributeFilter(key: "channel", values: ["mail & phone"])]
        let report = try ProcessMiner.mine(.xes(XESEventLog(source: FileBytes(path: Fixture.url("claims.xes").path))), options: options)
        #expect(report.counts.cases == 1)
        #expect(report.variants.first?.exampleCase == "c1")
    }

    @Test(arguments: [
        "<?xml version=\"1.0\"?>\n<!DOCTYPE log [<!ENTITY boom \"boom\">]>\n<log><trace/></log>",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE log SYSTEM \"http://example.com/x.dtd\">\n<log/>",
    ])
    func refusesADoctype(_ text: String) {
        #expect(throws: EventLogError.doctypeRefused(line: 2)) {
            try ProcessMiner.mine(.xes(XESEventLog(source: ChunkedBytes(text, size: 4))))
        }
    }

    @Test func neverExpandsAnUndeclaredEntity() {
        let text = "<log><trace><string key=\"concept:name\" value=\"&xxe;\"/></trace></log>"
        #expect {
            try ProcessMiner.mine(.xes(XESEventLog(source: MemoryBytes(text))))
        } throws: { error in
            (error as? EventLogError)?.description.contains("'&xxe;' is not one of XML's five") == true
        }
    }

    @Test func saysWhatIsNotAnXESLog() {
        #expect(throws: EventLogError.self) { try ProcessMiner.mine(.xes(XESEventLog(source: MemoryBytes("<html></html>")))) }
        #expect(throws: EventLogError.self) { try ProcessMiner.mine(.xes(XESEventLog(source: MemoryBytes("<log><trace>")))) }
        #expect(throws: EventLogError.self) {
            try ProcessMiner.mine(.xes(XESEventLog(source: FileBytes(path: Fixture.url("claims.xes.gz").path))))
        }
    }

    @Test func reportsEventsItCannotPlace() throws {
        let text = """
            <log>
              <trace>
                <string key="concept:name" value="t1"/>
                <event><string key="concept:name" value="a"/><date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>
                <event><date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>
                <event><string key="concept:name" value="c"/><date key="time:timestamp" value="not a time"/></event>
              </trace>
              <trace>
                <event><string key="concept:name" value="d"/><date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>
              </trace>
            </log>
            """
        let report = try ProcessMiner.mine(.xes(XESEventLog(source: MemoryBytes(text))))
        #expect(report.counts.events == 1)
        #expect(report.diagnostics.skipped.map(\.field) == ["activity", "case"])
        #expect(report.diagnostics.skipped.map(\.lines) == [[5], [9]])
        #expect(report.diagnostics.unreadableTimestamps == [.init(line: 6, value: "not a time")])
    }
}

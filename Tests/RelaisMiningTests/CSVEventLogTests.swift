import Testing

@testable import RelaisMining

@Suite struct CSVEventLogTests {
    @Test func readsTheSameLogWhereverChunksEnd() throws {
        let text = try Fixture.text("claims.csv")
        let whole = try ProcessMiner.mine(Fixture.claims(MemoryBytes(text)))
        #expect(whole.counts.cases == 3 && whole.counts.events == 9)
        for size in [1, 2, 3, 7, 64] {
            #expect(try ProcessMiner.mine(Fixture.claims(ChunkedBytes(text, size: size))) == whole, "chunks of \(size)")
        }
    }

    @Test func readsQuotedFieldsCarriageReturnsAndSemicolons() throws {
        let text = "case;activity;time\r\n\"c;1\";\"say \"\"hi\"\"\";2024-01-01T09:00:00Z\r\n\"c;1\";\"two\nlines\";2024-01-01T10:00:00Z\r\n"
        for size in [1, 5, 1000] {
            let report = try ProcessMiner.mine(
                .csv(
                    CSVEventLog(
                        source: ChunkedBytes(text, size: size), columns: .init(caseID: "case", activity: "activity", timestamp: "time"))))
            #expect(report.variants.map(\.activities) == [["say \"hi\"", "two\nlines"]])
            #expect(report.variants.first?.exampleCase == "c;1")
        }
    }

    @Test func reportsIncompleteRowsWithTheirLines() throws {
        let text = """
            case,activity,time
            c1,a,2024-01-01T09:00:00Z
            ,b,2024-01-01T09:05:00Z
            c1,"multi
            line",2024-01-01T09:06:00Z
            c1,,2024-01-01T09:07:00Z
            c1,c,
            c1,d,yesterday
            c1,e,2024-01-01T09:10:00Z

            """
        let report = try ProcessMiner.mine(
            .csv(CSVEventLog(source: MemoryBytes(text), columns: .init(caseID: "case", activity: "activity", timestamp: "time"))))
        #expect(report.counts.events == 3)
        #expect(report.diagnostics.skipped.map(\.field) == ["case", "activity", "timestamp"])
        #expect(report.diagnostics.skipped.map(\.lines) == [[3], [6], [7]])
        #expect(report.diagnostics.unreadableTimestamps == [.init(line: 8, value: "yesterday")])
        #expect(report.variants.map(\.activities) == [["a", "multi\nline", "e"]])
    }

    @Test func namesAMissingColumnAndTheColumnsThereAre() {
        let log = CSVEventLog(source: MemoryBytes("id,name,at\n"), columns: .init(caseID: "case", activity: "name", timestamp: "at"))
        #expect(throws: EventLogError.missingColumn(role: "case", name: "case", available: ["id", "name", "at"])) {
            try ProcessMiner.mine(.csv(log))
        }
        #expect(throws: EventLogError.emptyFile) { try ProcessMiner.mine(.csv(CSVEventLog(source: MemoryBytes("")))) }
    }

    @Test func readsAGivenTimestampPattern() throws {
        let text = "case,activity,time\nc1,a,30/12/2010 13:32\nc1,b,31/12/2010 13:32\n"
        let report = try ProcessMiner.mine(
            .csv(
                CSVEventLog(
                    source: MemoryBytes(text), columns: .init(caseID: "case", activity: "activity", timestamp: "time"),
                    timestamps: TimestampParser(pattern: "dd/MM/yyyy HH:mm"))))
        #expect(report.edge("a", "b")?.medianSeconds == 86_400)
    }
}

/// What a reader holds in memory is bounded, whatever the file.
@Suite struct ReaderBoundsTests {
    @Test func aQuoteNeverClosedIsRefusedOnceItPassesTheLongestRow() throws {
        let text = "case:concept:name,concept:name,time:timestamp\nc1,\"" + String(repeating: "a", count: EventLogError.longestToken + 10)
        #expect(throws: EventLogError.tooLarge(what: "the row starting on line 2 (an unclosed quote?)", limit: EventLogError.longestToken)) {
            _ = try ProcessMiner.mine(.csv(CSVEventLog(source: ChunkedBytes(text, size: 6 << 20))))
        }
    }

    @Test func aCommentNeverClosedIsRefusedOnceItPassesTheLongestTag() throws {
        let text = "<?xml version=\"1.0\"?>\n<log><!--" + String(repeating: "a", count: EventLogError.longestToken + 10)
        #expect(throws: EventLogError.self) { _ = try ProcessMiner.mine(.xes(XESEventLog(source: ChunkedBytes(text, size: 6 << 20)))) }
        do {
            _ = try ProcessMiner.mine(.xes(XESEventLog(source: ChunkedBytes(text, size: 6 << 20))))
        } catch let error as EventLogError {
            #expect(error.description.contains("larger than 16 MiB"), "\(error)")
        }
    }

    @Test func aLogTakingTooLongIsLeft() throws {
        let text = try Fixture.text("claims.csv")
        #expect(throws: EventLogError.tookTooLong(seconds: 0)) {
            _ = try ProcessMiner.mine(Fixture.claims(DeadlineBytes(MemoryBytes(text), seconds: 0)))
        }
        #expect(try ProcessMiner.mine(Fixture.claims(DeadlineBytes(MemoryBytes(text), seconds: 60))).counts.events == 9)
    }
}

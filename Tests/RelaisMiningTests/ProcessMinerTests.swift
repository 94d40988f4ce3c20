import Foundation
import RelaisCore
import Testing

@testable import RelaisMining

@Suite struct ProcessMinerTests {
    func claims(_ options: ProcessMiner.Options = .init()) throws -> MiningReport {
        try ProcessMiner.mine(Fixture.claims(FileBytes(path: Fixture.url("claims.csv").path)), options: options)
    }

    @Test func drawsTheDirectlyFollowsGraphWithItsTimings() throws {
        let report = try claims()
        #expect(report.counts == .init(cases: 3, events: 9, activities: 3, variants: 3))
        #expect(report.edgeCounts == ["register>check": 2, "check>decide": 2, "check>check": 1, "register>decide": 1])
        let registerCheck = try #require(report.edge("register", "check"))
        #expect(registerCheck.meanSeconds == 2700 && registerCheck.medianSeconds == 2700)
        #expect(registerCheck.p90Seconds == 3420)  // 1800 + 0.9 × 1800
        #expect(registerCheck.totalSeconds == 5400)
        #expect(report.startActivities == [.init(activity: "register", cases: 3)])
        #expect(report.endActivities == [.init(activity: "decide", cases: 3)])
        #expect(report.activities.map(\.name) == ["check", "decide", "register"])
        #expect(report.activities.first?.events == 3 && report.activities.first?.cases == 2)
    }

    @Test func listsVariantsWithTheirShareAndMedianDuration() throws {
        let report = try claims()
        #expect(report.variantCounts == ["register,check,decide": 1, "register,check,check,decide": 1, "register,decide": 1])
        let short = try #require(report.variants.first { $0.activities == ["register", "decide"] })
        #expect(short.medianDurationSeconds == 600 && abs(short.share - 1.0 / 3) < 1e-12)
        #expect(report.caseDuration.medianSeconds == 9000 && report.caseDuration.maxSeconds == 10_800)
        var options = ProcessMiner.Options()
        options.variantLimit = 2
        let limited = try claims(options)
        #expect(limited.variants == Array(report.variants.prefix(2)) && limited.counts.variants == 3)
    }

    @Test func findsTheFriction() throws {
        let friction = try claims().friction
        #expect(friction.rework == [.init(activity: "check", cases: 1, repeats: 1)])
        #expect(friction.pingPong.contains(.init(between: "resource", first: "ann", second: "bob", occurrences: 1, cases: 1)))
        #expect(friction.pingPong.contains(.init(between: "group", first: "front", second: "back", occurrences: 2, cases: 2)))
        #expect(friction.handovers == .init(total: 6, cases: 3, maxInCase: 3))
        #expect(friction.reassignments == .init(total: 5, cases: 3, maxInCase: 2))
        #expect(friction.bottlenecks.first.map { "\($0.from)>\($0.to)" } == "check>decide")
    }

    @Test func countsReworkOnlyInTheCasesThatRepeat() throws {
        let list = [("a", ["check", "check"]), ("b", ["check", "x", "x", "x"]), ("c", ["check"])].flatMap { caseID, steps in
            steps.enumerated().map { EventList.Event(caseID: caseID, activity: $0.element, time: Int64($0.offset)) }
        }
        let rework = try ProcessMiner.mine(.events(EventList(list))).friction.rework
        #expect(rework == [.init(activity: "x", cases: 1, repeats: 2), .init(activity: "check", cases: 1, repeats: 1)])
    }

    /// Thousands of cases, counted on a second thread without a workflow and on the reader's with
    /// one: the same graph, variants (with their first cases) and durations either way.
    @Test(arguments: [false, true])
    func countsTheSameOnOneThreadOrTwo(interleaved: Bool) throws {
        var rows = ["case,activity,time"]
        for index in 0..<3000 {
            let steps = index % 7 == 0 ? ["a", "b", "b", "c"] : index % 3 == 0 ? ["a", "c"] : ["a", "b", "c"]
            for (offset, step) in steps.enumerated() {
                rows.append("k\(index),\(step),2024-01-01T00:\(String(format: "%02d", offset * 7 + index % 5)):00Z")
            }
        }
        if interleaved { rows.swapAt(5000, rows.count - 1) }
        let log = EventLog.csv(
            CSVEventLog(source: MemoryBytes(rows.joined(separator: "\n")), columns: .init(caseID: "case", activity: "activity", timestamp: "time")))
        let twoThreads = try ProcessMiner.mine(log)
        var options = ProcessMiner.Options()
        options.workflow = Workflow(code: "w", initial: "a", statuses: [("a", .new), ("b", .open), ("c", .solved)], transitions: [])
        let oneThread = try ProcessMiner.mine(log, options: options)
        #expect(twoThreads.counts.cases == 3000 && twoThreads.diagnostics.interleaved == interleaved)
        #expect(twoThreads.edges == oneThread.edges && twoThreads.variants == oneThread.variants)
        #expect(twoThreads.caseDuration == oneThread.caseDuration && twoThreads.friction == oneThread.friction)
    }

    @Test func keepsTheLogOrderForEventsAtTheSameTime() throws {
        let text = "case,activity,time\nk,b,2024-01-01T10:00:00Z\nk,a,2024-01-01T09:00:00Z\nk,c,2024-01-01T10:00:00Z\nk,d,2024-01-01T10:00:00Z\n"
        let report = try ProcessMiner.mine(
            .csv(CSVEventLog(source: MemoryBytes(text), columns: .init(caseID: "case", activity: "activity", timestamp: "time"))))
        #expect(report.variants.map(\.activities) == [["a", "b", "c", "d"]])
    }

    @Test func minesAnInterleavedLogLikeAGroupedOne() throws {
        let grouped = try Fixture.text("claims.csv")
        var lines = grouped.split(separator: "\n").map(String.init)
        let header = lines.removeFirst()
        let interleaved = ([header] + lines.sorted { $0.split(separator: ",")[2].suffix(9) < $1.split(separator: ",")[2].suffix(9) }).joined(
            separator: "\n")
        let first = try ProcessMiner.mine(Fixture.claims(MemoryBytes(grouped)))
        let second = try ProcessMiner.mine(Fixture.claims(MemoryBytes(interleaved)))
        #expect(second.diagnostics.interleaved && !first.diagnostics.interleaved)
        #expect(first.edges == second.edges && first.variants.map(\.count) == second.variants.map(\.count))
        #expect(first.counts == second.counts)
    }

    @Test func filtersByPeriodAttributeAndVariantCoverage() throws {
        var byPeriod = ProcessMiner.Options()
        byPeriod.startedFrom = micros("2024-01-02T00:00:00Z")
        byPeriod.startedBefore = micros("2024-01-03T00:00:00Z")
        let period = try claims(byPeriod)
        #expect(period.variants.map(\.exampleCase) == ["c2"])
        #expect(period.filters == ["started from 2024-01-02T00:00:00.000+00:00", "started before 2024-01-03T00:00:00.000+00:00"])

        var byResource = ProcessMiner.Options()
        byResource.attributes = [AttributeFilter(key: "resource", values: ["carl", "nobody"])]
        #expect(try claims(byResource).counts.cases == 1)

        let text =
            ["case,activity,time"]
            + (0..<10).flatMap { index -> [String] in
                let path = index < 6 ? ["a", "b"] : index < 9 ? ["a", "c"] : ["a", "d"]
                return path.enumerated().map { "k\(index),\($0.element),2024-01-01T0\($0.offset):00:00Z" }
            }
        var coverage = ProcessMiner.Options()
        coverage.variantCoverage = 0.8
        let log = EventLog.csv(
            CSVEventLog(source: MemoryBytes(text.joined(separator: "\n")), columns: .init(caseID: "case", activity: "activity", timestamp: "time")))
        let kept = try ProcessMiner.mine(log, options: coverage)
        #expect(kept.variantCounts == ["a,b": 6, "a,c": 3])
        #expect(kept.counts.cases == 9)
        #expect(throws: EventLogError.self) {
            var wrong = ProcessMiner.Options()
            wrong.variantCoverage = 1.5
            try ProcessMiner.mine(log, options: wrong)
        }
    }

    @Test func holdsCasesAgainstTheDeclaredWorkflow() throws {
        let workflow = Workflow(
            code: "incident", initial: "new",
            statuses: [("new", .new), ("in_progress", .open), ("solved", .solved), ("closed", .closed)],
            transitions: [
                .init(from: "new", to: "in_progress"), .init(from: "in_progress", to: "solved"),
                .init(from: "solved", to: "closed"), .init(from: "*", to: "closed"),
            ])
        let events: [(String, [String])] = [
            ("fits", ["new", "comment", "in_progress", "solved", "closed"]),
            ("skips", ["new", "solved", "closed"]),
            ("late", ["in_progress", "solved", "in_progress", "solved"]),
            ("silent", ["comment"]),
        ]
        let list = events.flatMap { caseID, activities in
            activities.enumerated().map { EventList.Event(caseID: caseID, activity: $0.element, time: Int64($0.offset) * 1_000_000) }
        }
        var options = ProcessMiner.Options()
        options.workflow = workflow
        let conformance = try #require(try ProcessMiner.mine(.events(EventList(list)), options: options).conformance)
        #expect(conformance.cases == 3 && conformance.fittingCases == 1 && conformance.casesWithoutStatuses == 1)
        #expect(abs(conformance.fitness - 1.0 / 3) < 1e-12)
        let moves = Dictionary(uniqueKeysWithValues: conformance.disallowedMoves.map { ("\($0.from)>\($0.to)", $0) })
        #expect(moves["new>solved"]?.exampleCases == ["skips"])
        #expect(moves["(start)>in_progress"]?.count == 1)
        #expect(moves["solved>in_progress"]?.exampleCases == ["late"])
        #expect(moves.count == 3)
    }

    @Test func marksSLABreachesOnTheStepInProgress() throws {
        let list = [
            EventList.Event(caseID: "t", activity: "new", time: 0),
            EventList.Event(caseID: "t", activity: "wait", time: 10, isBreach: true),
            EventList.Event(caseID: "t", activity: "in_progress", time: 5),
            EventList.Event(caseID: "u", activity: "x", time: 0, isBreach: true),
            EventList.Event(caseID: "u", activity: "new", time: 1),
        ]
        let report = try ProcessMiner.mine(.events(EventList(list)))
        #expect(report.friction.slaBreaches == [.init(activity: "(start)", count: 1), .init(activity: "in_progress", count: 1)])
        #expect(report.counts.events == 3)
    }
}

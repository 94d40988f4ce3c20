import RelaisCore

/// Mines an event log: reads it case by case, keeps the cases the filters let through, and
/// reports the directly-follows graph, variants, durations, friction and conformance.
public enum ProcessMiner {
    public struct Options: Sendable {
        /// Keeps the cases that started at or after this instant (microseconds since 1970).
        public var startedFrom: Int64?
        /// Keeps the cases that started before this instant.
        public var startedBefore: Int64?
        /// Keeps the cases matching every filter (any value of each).
        public var attributes: [AttributeFilter] = []
        /// Keeps the commonest variants that together cover at least this share of the cases
        /// (0 < share ≤ 1); among variants of equal count, those whose activities appeared first
        /// in the log are taken first.
        public var variantCoverage: Double?
        /// Holds the cases against this workflow.
        public var workflow: Workflow?
        /// Length of the friction lists.
        public var frictionLimit = 10
        /// Lists only the commonest variants (`counts.variants` still counts them all).
        public var variantLimit: Int?

        public init() {}

        var descriptions: [String] {
            var parts: [String] = []
            if let startedFrom { parts.append("started from \(TimestampText.iso8601(startedFrom))") }
            if let startedBefore { parts.append("started before \(TimestampText.iso8601(startedBefore))") }
            parts += attributes.map { "\($0.key)=\($0.values.sorted().joined(separator: ","))" }
            if let variantCoverage { parts.append("variants covering \(variantCoverage * 100)% of cases") }
            return parts
        }
    }

    public static func mine(_ log: EventLog, options: Options = .init()) throws -> MiningReport {
        guard options.attributes.count <= 64 else { throw EventLogError.badFilter("at most 64 attribute filters") }
        if let coverage = options.variantCoverage, !(coverage > 0 && coverage <= 1) {
            throw EventLogError.invalidOption(name: "coverage", reason: "the share of cases the variants cover must be above 0% and at most 100%")
        }
        if let limit = options.variantLimit, limit < 1 {
            throw EventLogError.invalidOption(name: "variants", reason: "must be at least 1")
        }
        var kept: Set<[Int32]>?
        if let coverage = options.variantCoverage {
            var counts: [[Int32]: Int] = [:]
            _ = try read(log, options: options, restart: { counts = [:] }) { trace, _ in
                counts[trace.events.map(\.activity), default: 0] += 1
            }
            kept = commonestVariants(counts, coverage: coverage)
        }
        var statistics = ProcessStatistics()
        let assembler = try read(log, options: options, restart: { statistics = ProcessStatistics() }) { trace, assembler in
            if statistics.conformance == nil, let workflow = options.workflow {
                statistics.conformance = ConformanceCheck(workflow: workflow) { [unowned assembler] in assembler.activities[$0] }
            }
            if let kept, !kept.contains(trace.events.map(\.activity)) { return }
            statistics.add(trace)
        }
        return ReportBuilder(
            statistics: statistics, activities: assembler.activities, resources: assembler.resources,
            groups: assembler.groups, limit: options.frictionLimit, variantLimit: options.variantLimit
        )
        .report(diagnostics: assembler.diagnostics, filters: options.descriptions)
    }

    /// Reads the whole log, handing on the cases that pass the period and attribute filters;
    /// reads it again holding every case (after `restart`) when the log turns out to be interleaved.
    /// Cases are counted on a second thread while the log is read, except when conformance is
    /// checked: that needs the activity names the reader is still adding to.
    private static func read(
        _ log: EventLog, options: Options, restart: () -> Void, _ body: @escaping (Trace, TraceAssembler) -> Void
    ) throws -> TraceAssembler {
        let required: UInt64 = options.attributes.isEmpty ? 0 : UInt64.max >> (64 - UInt64(options.attributes.count))
        func pass(holdsEveryCase: Bool) throws -> TraceAssembler {
            // The handoff reads the assembler weakly: the assembler holds the handoff, and a
            // strong reference both ways kept every log's assembler alive (found by the fuzzer).
            weak var current: TraceAssembler?
            let handoff = TraceHandoff(concurrent: options.workflow == nil) { trace in
                guard trace.matches & required == required, let assembler = current else { return }
                if let from = options.startedFrom, trace.start < from { return }
                if let before = options.startedBefore, trace.start >= before { return }
                body(trace, assembler)
            }
            let assembler = TraceAssembler(holdsEveryCase: holdsEveryCase) { trace in
                if !trace.events.isEmpty { handoff.send(trace) }
            }
            current = assembler
            do {
                try log.reader.read(into: assembler, filters: options.attributes)
                try assembler.finish()
            } catch {
                handoff.cancel()
                throw error
            }
            handoff.finish()
            return assembler
        }
        do {
            return try pass(holdsEveryCase: false)
        } catch is TraceAssembler.Interleaved {
            restart()
            let assembler = try pass(holdsEveryCase: true)
            assembler.diagnostics.interleaved = true
            return assembler
        }
    }

    static func commonestVariants(_ counts: [[Int32]: Int], coverage: Double) -> Set<[Int32]> {
        let total = counts.values.reduce(0, +)
        let ordered = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }
        var kept = Set<[Int32]>(), covered = 0
        for (variant, count) in ordered where Double(covered) < coverage * Double(total) - 1e-9 {
            kept.insert(variant)
            covered += count
        }
        return kept
    }
}

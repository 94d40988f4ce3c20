/// Turns the numbers gathered while reading into the report, names in place of numbers and
/// lists in a stable order (largest first, then by name).
struct ReportBuilder {
    let statistics: ProcessStatistics
    let activities: NameTable
    let resources: NameTable
    let groups: NameTable
    let limit: Int
    let variantLimit: Int?

    func report(diagnostics: LogDiagnostics, filters: [String]) -> MiningReport {
        let edges = statistics.edges.map { key, edge in
            let (from, to) = ProcessStatistics.pair(key)
            let summary = edge.durations.summary
            return MiningReport.Edge(
                from: activities[from], to: activities[to], count: edge.count, meanSeconds: summary.meanSeconds,
                medianSeconds: summary.medianSeconds, p90Seconds: summary.p90Seconds, totalSeconds: summary.totalSeconds)
        }
        let usedActivities = statistics.activityEvents.indices.filter { statistics.activityEvents[$0] > 0 }
        return MiningReport(
            counts: .init(
                cases: statistics.cases, events: statistics.events, activities: usedActivities.count,
                variants: statistics.variants.count),
            activities: usedActivities.map {
                MiningReport.Activity(name: activities[Int32($0)], events: statistics.activityEvents[$0], cases: statistics.activityCases[$0])
            }.sorted { ($1.events, $0.name) < ($0.events, $1.name) },
            startActivities: endpoints(statistics.starts),
            endActivities: endpoints(statistics.ends),
            edges: edges.sorted { ($1.count, $0.from, $0.to) < ($0.count, $1.from, $1.to) },
            variants: variants(),
            caseDuration: statistics.caseDurations.summary,
            friction: friction(edges),
            conformance: statistics.conformance?.report,
            diagnostics: diagnostics,
            filters: filters)
    }

    private func endpoints(_ counts: [Int32: Int]) -> [MiningReport.Endpoint] {
        counts.map { MiningReport.Endpoint(activity: activities[$0.key], cases: $0.value) }
            .sorted { ($1.cases, $0.activity) < ($0.cases, $1.activity) }
    }

    private func variants() -> [MiningReport.Variant] {
        let total = Double(max(statistics.cases, 1))
        return statistics.variants.map { sequence, variant in
            MiningReport.Variant(
                activities: sequence.map { activities[$0] }, count: variant.count, share: Double(variant.count) / total,
                medianDurationSeconds: variant.durations.quantile(0.5) / 1e6, exampleCase: variant.firstCase)
        }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.activities.lexicographicallyPrecedes($1.activities) }
            .prefix(variantLimit ?? .max).map { $0 }
    }

    private func friction(_ edges: [MiningReport.Edge]) -> Friction {
        let bottlenecks = edges.filter { $0.totalSeconds > 0 }
            .sorted { ($1.totalSeconds, $0.from, $0.to) < ($0.totalSeconds, $1.from, $1.to) }
        let rework = statistics.rework.map { Friction.Rework(activity: activities[$0.key], cases: $0.value.cases, repeats: $0.value.repeats) }
            .sorted { ($1.repeats, $0.activity) < ($0.repeats, $1.activity) }
        let pingPong =
            pingPongs(statistics.resourcePingPong, between: "resource", names: resources)
            + pingPongs(statistics.groupPingPong, between: "group", names: groups)
        let breaches = statistics.breaches.map {
            Friction.Breaches(activity: $0.key < 0 ? ConformanceCheck.start : activities[$0.key], count: $0.value)
        }.sorted { ($1.count, $0.activity) < ($0.count, $1.activity) }
        return Friction(
            bottlenecks: Array(bottlenecks.prefix(limit)),
            rework: Array(rework.prefix(limit)),
            pingPong: Array(pingPong.sorted { ($1.occurrences, $0.first, $0.second) < ($0.occurrences, $1.first, $1.second) }.prefix(limit)),
            handovers: .init(statistics.handovers),
            reassignments: .init(statistics.reassignments),
            slaBreaches: Array(breaches.prefix(limit)))
    }

    private func pingPongs(_ counts: [UInt64: ProcessStatistics.PingPong], between: String, names: NameTable) -> [Friction.PingPong] {
        counts.map { key, value in
            let (first, second) = ProcessStatistics.pair(key)
            return Friction.PingPong(
                between: between, first: names[first], second: names[second],
                occurrences: value.occurrences, cases: value.cases)
        }
    }
}

extension Friction.Handovers {
    init(_ handovers: Handovers) {
        self.init(total: handovers.total, cases: handovers.cases, maxInCase: handovers.maxInCase)
    }
}

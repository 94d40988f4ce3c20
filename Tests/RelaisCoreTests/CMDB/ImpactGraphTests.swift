import RelaisCore
import Testing

@Suite struct ImpactGraphTests {
    let relations = CMDBSchema.standardRelations.merging(["documents": .init(code: "documents", impact: .none)]) { $1 }

    /// `edges` are relations `source type target` between items named by their number.
    func graph(_ count: Int, _ edges: [(Int32, String, Int32)]) -> ImpactGraph {
        ImpactGraph(count: count, sources: edges.map(\.0), relationTypes: edges.map(\.1), targets: edges.map(\.2), schema: relations)
    }

    func reached(_ graph: ImpactGraph, from start: Int, maxDepth: Int? = nil) -> [Int: Int] {
        Dictionary(uniqueKeysWithValues: graph.impacted(from: start, maxDepth: maxDepth).map { ($0.item, $0.distance) })
    }

    @Test func dependantsSufferWhatTheyDependOn() {
        // 0 app depends on 1 database, 1 runs on 2 server; 3 service depends on 0 app.
        let graph = graph(4, [(0, "depends_on", 1), (1, "runs_on", 2), (3, "depends_on", 0)])
        #expect(reached(graph, from: 2) == [1: 1, 0: 2, 3: 3])
        #expect(reached(graph, from: 0) == [3: 1])
        #expect(reached(graph, from: 3).isEmpty)
    }

    @Test func aFailingPartHurtsTheWholeButNotTheOtherWayRound() {
        // 0 disk part of 1 storage array; 2 database runs on 1.
        let graph = graph(3, [(0, "part_of", 1), (2, "runs_on", 1)])
        #expect(reached(graph, from: 0) == [1: 1, 2: 2])
        #expect(reached(graph, from: 1) == [2: 1])
    }

    @Test func relationsWithoutImpactAndUnknownTypesAreNotFollowed() {
        let graph = graph(3, [(0, "documents", 1), (2, "mystery", 1)])
        #expect(graph.edgeCount == 0)
        #expect(reached(graph, from: 1).isEmpty)
    }

    @Test func cyclesEndAndEveryItemIsListedOnce() {
        // 0 → 1 → 2 → 0 by depends_on (each depends on the next), and a self-loop on 1.
        let graph = graph(3, [(0, "depends_on", 1), (1, "depends_on", 2), (2, "depends_on", 0), (1, "depends_on", 1)])
        let walk = graph.impacted(from: 0)
        #expect(walk.map(\.item).sorted() == [1, 2])
        #expect(reached(graph, from: 0) == [2: 1, 1: 2])
    }

    @Test func diamondsReachTheTopOnceAtItsShortestDistance() {
        // 0 server; 1 and 2 run on it; 3 depends on both; 4 depends on 3 and directly on 0.
        let graph = graph(
            5,
            [
                (1, "runs_on", 0), (2, "runs_on", 0), (3, "depends_on", 1), (3, "depends_on", 2),
                (4, "depends_on", 3), (4, "depends_on", 0),
            ])
        let walk = graph.impacted(from: 0)
        #expect(walk.count == 4)
        #expect(reached(graph, from: 0) == [1: 1, 2: 1, 3: 2, 4: 1])
        let viaOfThree = walk.first { $0.item == 3 }!
        #expect([1, 2].contains(viaOfThree.via))
        #expect(viaOfThree.relation == "depends_on")
        #expect(ImpactGraph.path(to: 3, in: walk, from: 0) == [0, viaOfThree.via, 3])
    }

    @Test func depthLimitStopsTheWalk() {
        let chain = graph(5, (0..<4).map { (Int32($0 + 1), "depends_on", Int32($0)) })
        #expect(reached(chain, from: 0, maxDepth: 2) == [1: 1, 2: 2])
        #expect(reached(chain, from: 0).count == 4)
        #expect(chain.impacted(from: 7).isEmpty)
    }

    @Test func aLargeRandomGraphMatchesAPlainSetWalk() {
        var random = SystemRandomNumberGenerator()
        let count = 2_000
        let edges: [(Int32, String, Int32)] = (0..<8_000).map { _ in
            (
                Int32.random(in: 0..<Int32(count), using: &random), ["depends_on", "runs_on", "part_of"].randomElement(using: &random)!,
                Int32.random(in: 0..<Int32(count), using: &random)
            )
        }
        let graph = graph(count, edges)
        // The same reachability by repeated expansion of a set, with no cleverness.
        var hurt: Set<Int32> = [0]
        var changed = true
        while changed {
            changed = false
            for (source, type, target) in edges {
                let (from, to) = type == "part_of" ? (source, target) : (target, source)
                if hurt.contains(from), hurt.insert(to).inserted { changed = true }
            }
        }
        hurt.remove(0)
        #expect(Set(graph.impacted(from: 0).map { Int32($0.item) }) == hurt)
    }
}

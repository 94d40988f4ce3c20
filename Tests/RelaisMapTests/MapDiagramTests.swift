import RelaisCore
import RelaisMap
import Testing

@Suite struct MapDiagramTests {
    @Test func drawsEveryFamilyItsWorkflowAndTheEscalationPath() throws {
        let map = try MapLoader.load(contentsOf: MapLoaderTests.examplePath)
        let dot = MapDiagram.dot(map)
        #expect(dot.components(separatedBy: "subgraph cluster_f").count - 1 == map.families.count)
        for family in map.families.values {
            #expect(dot.contains("label=\"\(family.code)\""), "\(family.code)")
            let workflow = try #require(map.workflow(of: family))
            let moves = workflow.transitions.filter { $0.from != Workflow.anyStatus }.count
            #expect(moves > 0)
        }
        // Moves allowed from any status are drawn once, from an "any status" point.
        let change = try #require(map.workflow(of: map.families["change"]!))
        let anywhere = change.transitions.filter { $0.from == Workflow.anyStatus }.map(\.to)
        #expect(!anywhere.isEmpty && dot.contains("label=\"any status\""))
        for team in map.teams.values {
            #expect(dot.contains("\\nL\(team.level)\""), "\(team.code)")
            if team.escalatesTo != nil { #expect(dot.contains("escalates")) }
        }
        // Teams come before the families, so Graphviz draws each team once, in the teams box.
        #expect(dot.range(of: "cluster_teams")!.lowerBound < dot.range(of: "cluster_f0")!.lowerBound)
    }

    @Test func quotesLabelsSafely() {
        #expect(DOT.quote("say \"hi\"\\\nnext") == "\"say \\\"hi\\\"\\\\\\nnext\"")
    }
}

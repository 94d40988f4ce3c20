import RelaisCore
import Testing

@Suite struct PriorityMatrixTests {
    let matrix = SampleMap.map.referential.priorityMatrix

    @Test(arguments: [("high", "high", "P1"), ("high", "low", "P3"), ("medium", "medium", "P3"), ("low", "low", "P5")])
    func impactAndUrgencyGiveThePriority(impact: String, urgency: String, expected: String) {
        #expect(matrix.priority(impact: impact, urgency: urgency) == expected)
    }

    @Test func prioritiesAreOrderedMostUrgentFirst() {
        #expect(matrix.priorities == ["P1", "P2", "P3", "P4", "P5"])
        #expect(PriorityMatrix(["a": ["b": "P10", "c": "P2"]]).priorities == ["P2", "P10"])
    }

    @Test func raisingStopsAtTheMostUrgent() {
        #expect(matrix.raise("P3", by: 1) == "P2")
        #expect(matrix.raise("P2", by: 5) == "P1")
        #expect(matrix.raise("P4", by: -1) == "P5")
        #expect(matrix.raise("unknown", by: 1) == "unknown")
    }

    @Test func mappingsTranslateLocalValuesFirstMatchWinning() {
        let mappings = [
            ValueMapping(source: "servicenow", match: ["category": "Network"], set: ["category": "network"]),
            ValueMapping(source: "servicenow", match: ["category": "Network"], set: ["category": "other", "severity": "major"]),
            ValueMapping(source: "zendesk", match: ["type": "problem"], set: ["family": "incident"]),
        ]
        let mapped = ValueMapping.apply(mappings, source: "servicenow", to: ["category": "Network"])
        #expect(mapped == ["category": "network", "severity": "major"])
        #expect(ValueMapping.apply(mappings, source: "zendesk", to: ["type": "question"]).isEmpty)
    }
}

import Foundation
import Testing

@testable import RelaisMining

@Suite struct OCELEventLogTests {
    func orders(_ type: String) throws -> MiningReport {
        try ProcessMiner.mine(.ocel(OCELEventLog(source: FileBytes(path: Fixture.url("orders.jsonocel").path), objectType: type)))
    }

    @Test func flattensOnAnObjectType() throws {
        let byOrder = try orders("order")
        #expect(byOrder.variantCounts == ["place order,pick item,pick item,ship": 1, "place order,ship": 1])
        #expect(byOrder.edge("place order", "ship")?.medianSeconds == 9000)
        // A shipment of two orders is in both cases.
        #expect(byOrder.activities.first { $0.name == "ship" }?.cases == 2)
        #expect(byOrder.diagnostics.unreadableTimestamps == [.init(line: 6, value: "sometime")])
        let byItem = try orders("item")
        #expect(byItem.counts.cases == 3)
        #expect(byItem.variantCounts == ["place order,pick item": 2, "place order": 1])
    }

    @Test func namesWhatIsWrong() {
        #expect(throws: EventLogError.notAnEventLog("the log has no object type 'parcel'; it has order, item")) { try orders("parcel") }
        #expect {
            try ProcessMiner.mine(
                .ocel(OCELEventLog(source: MemoryBytes(#"{"objectTypes": [], "objects": [], "events": [{"id": "e"}]}"#), objectType: "x")))
        } throws: { error in
            (error as? EventLogError)?.description == "not an OCEL 2.0 JSON log: missing 'type' at events[0]"
        }
    }
}

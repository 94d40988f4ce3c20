import Foundation
import RelaisCore
import Testing

@testable import RelaisIntegrations

/// Large exports are read in pieces on every core: the pieces must give exactly what reading the
/// whole text gives, and any text not shaped as an export must be left to the whole reading.
@Suite struct PeerJSONTests {
    /// An incident whose texts hold what could mislead a scanner: quotes, backslashes, brackets,
    /// braces and commas inside strings, nested references, accents.
    static func incident(_ index: Int) -> String {
        #"{"sys_id":"id-\#(index)","number":"INC\#(index)","short_description":"Printer \"B\\\#(index)\" says: [jam], {tray 2}, \u00e9t\u00e9","#
            + #""description":"Line one\nline two ]}","state":"\#(index % 2 == 0 ? "2" : "6")","opened_at":"2026-10-05 08:12:30","#
            + #""assignment_group":{"display_value":"Network","value":"g1","link":{"deep":[1,[2,{"x":"]"}]]}},"#
            + #""resolved_at":"\#(index % 2 == 0 ? "" : "2026-10-06 09:00:00")","priority":\#(index % 5 + 1)}"#
    }

    static func export(_ count: Int, extra: String = "") -> Data {
        var items = (0..<count).map(incident)
        items[7] = "42"  // not an object: refused with its position either way
        items[count / 2] = #"{"number":"no id"}"#
        return Data(#"{"meta":{"note":"result: [not this one]"},"result":[\#(items.joined(separator: ",\n  "))]\#(extra)}"#.utf8)
    }

    func describe(_ inputs: [PeerInput]) -> [String] {
        inputs.map { input in
            switch input.record {
            case let .success(record):
                "\(input.position) \(record.externalID) \(record.title) \(record.values.sorted { $0.key < $1.key }) \(record.history.count)"
            case let .failure(problem): "\(input.position) \(problem)"
            }
        }
    }

    @Test func piecesGiveWhatTheWholeGives() throws {
        let data = Self.export(6_000)
        #expect(data.count >= PeerJSON.piecewiseFrom)
        let pieces = try #require(PeerJSON.piecewise(data, under: "result", noun: "record", read: ServiceNowRecords.record))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let whole = PeerJSON.inputs(try #require(root["result"] as? [Any]), first: 0, noun: "record", read: ServiceNowRecords.record)
        #expect(pieces.count == 6_000)
        #expect(describe(pieces) == describe(whole))
        #expect(describe(try ServiceNowRecords.read(data)) == describe(whole))
        #expect(describe([pieces[7]]) == ["record 8 record 8: not an object"])
        #expect(try pieces[0].record.get().title == #"Printer "B\0" says: [jam], {tray 2}, été"#)
    }

    @Test(arguments: [
        #"{"result":[{"a":1},{"b":2}]"#,  // not closed
        #"{"result":[{"a":1},{"b":2}]} trailing"#,  // something after the root
        #"{"results":[{"a":1}]}"#,  // no such key
        #"{"result":{"a":1}}"#,  // not a list
        #"{"result":[{"a":"unclosed}]}"#,  // a string never closed
        #"{"result":[{"a":1},,{"b":2}]}"#,  // an empty item
        #""result""#,  // neither a list nor an object
    ])
    func textsNotShapedAsAnExportAreLeftToTheWholeReading(text: String) {
        #expect(JSONItems.ranges(in: Data(text.utf8), under: "result") == nil)
    }

    @Test func itemsAreFoundUnderTheKeyOrAtTheRoot() throws {
        let object = Data(#" { "next" : null, "result" : [ {"a":"x,]"} , 12 , "s" , [1,2] ], "count": 3 } "#.utf8)
        let ranges = try #require(JSONItems.ranges(in: object, under: "result"))
        #expect(ranges.map { String(decoding: object[$0], as: UTF8.self) } == [#"{"a":"x,]"}"#, "12", #""s""#, "[1,2]"])
        let list = Data(#"[{"a":1}, {"b":[{}]}]"#.utf8)
        #expect(
            try #require(JSONItems.ranges(in: list, under: "result")).map { String(decoding: list[$0], as: UTF8.self) } == [
                #"{"a":1}"#, #"{"b":[{}]}"#,
            ])
        #expect(JSONItems.ranges(in: Data(#"{"result":[]}"#.utf8), under: "result") == [])
    }

    /// A large export broken after its items is refused as a whole, not read in pieces.
    @Test func aBrokenLargeExportIsStillRefused() {
        #expect(throws: PeerRecordProblem.self) { try ServiceNowRecords.read(Self.export(6_000, extra: ", \"x\": ")) }
    }
}

import Foundation
import RelaisProcess
import Testing

/// Import files read as rows: JSON objects' scalars as text, a nested value refused with its key.
@Suite struct ImportFileTests {
    @Test func jsonObjectsGiveTextAndRefuseNestedValues() throws {
        let data = Data(#"[{"name": "Orbital", "seats": 25, "ratio": 1.5, "active": true, "note": null}, {"name": "Kestrel", "tags": ["a"]}]"#.utf8)
        let parsed = try ImportFile.json(data: data)
        #expect(parsed.rows.count == 1)
        #expect(parsed.rows.first?.values == ["name": "Orbital", "seats": "25", "ratio": "1.5", "active": "true", "note": ""])
        #expect(parsed.rejected.map(\.line) == [2] && parsed.rejected.first?.field == "tags")
        #expect(throws: ImportFileError.self) { try ImportFile.json(data: Data(#"{"name": "x"}"#.utf8)) }
    }
}

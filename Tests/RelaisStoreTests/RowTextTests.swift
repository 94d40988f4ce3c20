import Foundation
import RelaisCore
import RelaisTestSupport
import SQLKit
import Testing

@testable import RelaisStore

/// The texts written into rows without Foundation's formatters say exactly what those say.
@Suite struct RowTextTests {
    @Test func idsAreFoundationsTextInLowerCase() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let id = UUID.timeOrdered(at: Date(), using: &random)
            #expect(id.text == id.text)
            #expect(UUID(uuidString: id.text) == id)
        }
        let fixed = UUID(uuidString: "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0")!
        #expect(fixed.text == "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
    }

    @Test(arguments: [
        [String: String](),
        ["state": "7", "assignment_group": "Service Desk"],
        [
            "quote": "say \"hi\"", "back\\slash": "a\\b", "path": "a/b/c", "lines": "one\r\ntwo\tthree",
            "control": "\u{01}\u{1F}\u{08}\u{0C}", "accents": "café, naïve, 東京 👩🏽‍💻", "delete": "\u{7F}", "": "",
        ],
    ])
    func dictionariesAreTheEncodersText(object: [String: String]) throws {
        let encoded = JSONText.encode(object)
        #expect(encoded == String(decoding: try JSONText.encoder.encode(object), as: UTF8.self))
        #expect(try JSONText.decode([String: String].self, encoded) == object)
    }

    @Test(arguments: [[String](), ["vip"], ["a\"b", "c\\d", "e/f", "\n", "é", "\u{2028}"]])
    func listsAreTheEncodersText(list: [String]) throws {
        let encoded = JSONText.encode(list)
        #expect(encoded == String(decoding: try JSONText.encoder.encode(list), as: UTF8.self))
        #expect(try JSONText.decode([String].self, encoded) == list)
    }

    @Test func digestsAreLowerCaseHexOfEveryByte() {
        #expect(HexDigits.text([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
        #expect(HexDigits.text([UInt8]()) == "")
    }

    @Test func placeholdersCountEveryValue() {
        #expect(RowInsert.placeholders(rows: 2, columns: 3, numbered: false) == "(?, ?, ?), (?, ?, ?)")
        #expect(RowInsert.placeholders(rows: 2, columns: 2, numbered: true) == "($1, $2), ($3, $4)")
    }

    /// Rows written by type come back as they went in, on both engines and by both ways of
    /// writing them (statements with bound values; PostgreSQL's `COPY` from 200 rows on): texts
    /// with tabs, line ends, backslashes and accents, absent values, numbers, booleans.
    @Test(arguments: Engine.available, [3, RowInsert.copyFrom + 50])
    func rowsComeBackAsTheyWentIn(engine: Engine, count: Int) async throws {
        try await TestDatabase.with(engine) { database in
            let texts = ["plain", "tab\there", "line\nend\r\n", "back\\slash \\N", "été, 東京", "", "\\.", "quote \" and ' too"]
            let rows: [RowInsert.Row] = (0..<count).map { index in
                [index, texts[index % texts.count], index % 3 == 0 ? nil : "note \(index)", Double(index) / 8, index % 2 == 0, Int64(index) << 40]
            }
            let back = try await database.transaction { db in
                try await db.raw(
                    "CREATE TABLE row_check (n BIGINT, label TEXT NOT NULL, note TEXT, ratio DOUBLE PRECISION, flag BOOLEAN, big BIGINT)"
                ).run()
                try await RowInsert.run("row_check", columns: ["n", "label", "note", "ratio", "flag", "big"], rows: rows, on: db)
                return try await db.raw("SELECT n, label, note, ratio, flag, big FROM row_check ORDER BY n").all()
            }
            #expect(back.count == count)
            for (index, row) in back.enumerated() {
                #expect(try row.decode(column: "n", as: Int.self) == index)
                #expect(try row.decode(column: "label", as: String.self) == texts[index % texts.count])
                #expect(try row.decode(column: "note", as: String?.self) == (index % 3 == 0 ? nil : "note \(index)"))
                #expect(try row.decode(column: "ratio", as: Double.self) == Double(index) / 8)
                #expect(try row.decode(column: "flag", as: Bool.self) == (index % 2 == 0))
                #expect(try row.decode(column: "big", as: Int64.self) == Int64(index) << 40)
            }
        }
    }
}

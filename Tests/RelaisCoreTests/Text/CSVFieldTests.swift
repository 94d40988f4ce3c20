import RelaisCore
import Testing

@Suite struct CSVFieldTests {
    @Test(arguments: [
        ("=HYPERLINK(\"http://evil.example\")", "\"'=HYPERLINK(\"\"http://evil.example\"\")\""), ("+1+2", "'+1+2"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("-3", "-3"), ("+4.5", "+4.5"), ("a,b", "\"a,b\""), ("Printer", "Printer"),
        ("line\r\nbreak", "\"line\r\nbreak\""),
    ])
    func cellsASpreadsheetWouldRunAreWrittenAsText(text: String, written: String) {
        #expect(CSVField.escape(text) == written)
    }

    /// A combining mark after a comma or a quote makes one Swift character of both; a spreadsheet
    /// still reads the comma as a separator, so the cell is quoted and the quote doubled.
    @Test func marksBesideSeparatorsDoNotHideThem() {
        let comma = CSVField.escape("a,\u{301}b").unicodeScalars.map(\.value)
        #expect(comma == "\"a,\u{301}b\"".unicodeScalars.map(\.value))
        let quote = CSVField.escape("say \"\u{301}hi").unicodeScalars.map(\.value)
        #expect(quote == "\"say \"\"\u{301}hi\"".unicodeScalars.map(\.value))
    }
}

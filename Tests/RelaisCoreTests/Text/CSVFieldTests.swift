import RelaisCore
import Testing

@Suite struct CSVFieldTests {
    @Test(arguments: [("=HYPERLINK(\"http://evil.example\")", "\"'=HYPERLINK(\"\"http://evil.example\"\")\""), ("+1+2", "'+1+2"), ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
                      ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("-3", "-3"), ("+4.5", "+4.5"), ("a,b", "\"a,b\""), ("Printer", "Printer"),
                      ("line\r\nbreak", "\"line\r\nbreak\"")])
    func cellsASpreadsheetWouldRunAreWrittenAsText(text: String, written: String) {
        #expect(CSVField.escape(text) == written)
    }
}

import Foundation
import RelaisTestSupport
import Testing

extension CommandLineTests {
    @Test func mailImportFromEMLMboxAndMaildir() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("maildir/new"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("maildir/cur"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let place = ["--map", ExampleMap.path, "--database", folder.appendingPathComponent("relais.sqlite").path]
        // Monitoring mail to it@: incidents need an account, so the sender's domain gets one first.
        #expect(
            try relais(["crm", "import", "accounts", try write(folder, "accounts.csv", "name,domain\nAcme IT,acme.example\n")] + place).status == 0)

        let eml = try write(
            folder, "alert.eml",
            "From: monitor@acme.example\r\nTo: it@acme.example\r\nSubject: Disk full on db-01\r\nMessage-ID: <a1@acme.example>\r\nAuto-Submitted: auto-generated\r\n\r\n/var is 98% full\r\n"
        )
        let mbox = try write(
            folder, "archive.mbox",
            """
            From monitor@acme.example Fri Nov 27 10:00:00 2026
            From: monitor@acme.example
            To: it@acme.example
            Subject: Re: Disk full on db-01
            Message-ID: <a2@acme.example>
            In-Reply-To: <a1@acme.example>

            Still 98%

            From kim@nowhere.example Fri Nov 27 11:00:00 2026
            From: kim@nowhere.example
            To: sales@acme.example
            Subject: Quote

            Price?

            """)
        try "From: monitor@acme.example\nTo: it@acme.example\nSubject: Disk full on db-02\nMessage-ID: <a3@acme.example>\n\n/data is full\n"
            .write(to: folder.appendingPathComponent("maildir/new/1.eml"), atomically: true, encoding: .utf8)

        let imported = try relais(["mail", "import", eml, mbox, folder.appendingPathComponent("maildir").path] + place)
        #expect(imported.status == 2, "\(imported.errors)")
        #expect(imported.output.contains("4 messages: 2 opened, 1 commented, 0 bounces, 0 already received, 1 quarantined"))
        #expect(imported.errors.contains("archive.mbox#2: quarantined: no mailbox of the map among the recipients (sales@acme.example)"))
        let again = try relais(["mail", "import", eml] + place)
        #expect(again.status == 0 && again.output.contains("1 already received"))

        let held = try relais(["mail", "quarantine"] + place)
        let id = try #require(held.output.split(separator: " ").first.map(String.init))
        let retried = try relais(["mail", "retry", id] + place)
        #expect(retried.status == 2 && retried.errors.contains("still quarantined"))
        #expect(try relais(["mail", "import", folder.appendingPathComponent("nothing").path] + place).status != 0)
    }

    func write(_ folder: URL, _ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

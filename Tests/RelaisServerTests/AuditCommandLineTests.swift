import Foundation
import RelaisTestSupport
import Testing

extension CommandLineTests {
    @Test func theAuditLogListsWhatTheCommandLineChanged() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = ["--database", folder.appendingPathComponent("relais.sqlite").path]

        #expect(try relais(["user", "add", "ana", "--role", "admin", "--map", ExampleMap.path] + database).status == 0)
        #expect(try relais(["channels", "token", "chat", "--map", ExampleMap.path] + database).status == 0)
        #expect(try relais(["channels", "revoke", "chat", "--map", ExampleMap.path] + database).status == 0)

        let text = try relais(["audit", "list"] + database)
        #expect(text.status == 0, "\(text.errors)")
        let lines = text.output.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.contains("done  user.created ana  by command line  (role admin)") == true, "\(text.output)")

        let exported = try relais(["audit", "list", "--action", "channel_token", "--format", "ndjson"] + database)
        let entries = try exported.output.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        #expect(entries.map { $0["action"] as? String } == ["channel_token.issued", "channel_token.revoked"])
        #expect(entries.allSatisfy { $0["target"] as? String == "chat" && $0["outcome"] as? String == "done" })
        #expect(try relais(["audit", "list", "--limit", "1"] + database).output.split(separator: "\n").count == 1)

        let bad = try relais(["audit", "list", "--format", "xml"] + database)
        #expect(bad.status != 0 && bad.errors.contains("--format must be text or ndjson, not 'xml'"))
    }
}

import Foundation
import RelaisTestSupport
import Testing

extension CommandLineTests {
    @Test func cmdbImportThenImpactFromTheCommandLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-cmdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("relais.sqlite").path
        let items = folder.appendingPathComponent("items.csv")
        try "external_id,type,name,ip\nSRV-1,server,db-01,10.0.0.1\nAPP-1,application,erp,\nSVC-1,service,Invoicing,\nX-1,toaster,t,\n"
            .write(to: items, atomically: true, encoding: .utf8)
        let relations = folder.appendingPathComponent("relations.json")
        try
            #"[{"source":"APP-1","type":"runs_on","target":"SRV-1"},{"source":"SVC-1","type":"depends_on","target":"APP-1"},{"source":"SVC-1","type":"likes","target":"APP-1"}]"#
            .write(to: relations, atomically: true, encoding: .utf8)

        let imported = try relais(["cmdb", "import", "items", items.path, "--map", ExampleMap.path, "--database", database])
        #expect(imported.status == 2)
        #expect(imported.output.contains("items: 3 created, 0 updated, 1 refused"))
        #expect(imported.errors.contains("items.csv:5: type: unknown type 'toaster'"))
        let related = try relais(["cmdb", "import", "relations", relations.path, "--map", ExampleMap.path, "--database", database])
        #expect(related.status == 2)
        #expect(related.errors.contains("relations.json:3: type: unknown relation type 'likes'"))

        let impact = try relais(["cmdb", "impact", "SRV-1", "--map", ExampleMap.path, "--database", database])
        #expect(impact.status == 0, "\(impact.errors)")
        #expect(impact.output.contains("db-01 (server) reaches 2 item(s)"))
        #expect(impact.output.contains("services: Invoicing"))
        let json = try relais(["cmdb", "impact", "SRV-1", "--json", "--map", ExampleMap.path, "--database", database])
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        #expect(object?["impacted_count"] as? Int == 2)

        let unknown = try relais(["cmdb", "impact", "NOPE-9", "--map", ExampleMap.path, "--database", database])
        #expect(unknown.status == 1)
        #expect(unknown.errors.contains("configuration item 'NOPE-9' does not exist"))
        let badKind = try relais(["cmdb", "import", "gadgets", items.path, "--map", ExampleMap.path, "--database", database])
        #expect(badKind.status != 0)
        #expect(badKind.errors.contains("KIND must be items or relations"))
    }
}

import Foundation
import RelaisTestSupport
import Testing

extension CommandLineTests {
    @Test func webhookEndpointsFromTheCommandLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-webhooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let place = ["--map", ExampleMap.path, "--database", folder.appendingPathComponent("relais.sqlite").path]

        let added = try relais(["webhooks", "add", "https://hooks.example.com/relais", "--type", "relais.ticket.*", "--type", "relais.sla.*"] + place)
        #expect(added.status == 0, "\(added.errors)")
        let lines = added.output.split(separator: "\n").map(String.init)
        let id = try #require(lines.first { $0.hasPrefix("endpoint ") }?.split(separator: " ").last.map(String.init))
        #expect(lines.contains { $0.hasPrefix("secret   whsec_") })

        let listed = try relais(["webhooks", "list"] + place)
        #expect(listed.output.contains("\(id)  on   https://hooks.example.com/relais  relais.ticket.*,relais.sla.*"))
        #expect(!listed.output.contains("whsec_"))
        #expect(try relais(["webhooks", "disable", id] + place).output.contains("is off"))
        #expect(try relais(["webhooks", "list"] + place).output.contains("off  https://hooks.example.com/relais"))
        let rotated = try relais(["webhooks", "rotate", id] + place)
        #expect(rotated.status == 0 && rotated.output.hasPrefix("secret   whsec_"))
        #expect(try relais(["webhooks", "dead"] + place).output.contains("No dead delivery."))

        // Bad input: a private target, a bad pattern, an unknown id, a replay without what to replay.
        let local = try relais(["webhooks", "add", "http://127.0.0.1:9000/x", "--type", "*"] + place)
        #expect(local.status == 1 && local.errors.contains("url: host '127.0.0.1' is on this machine or a private network"))
        #expect(try relais(["webhooks", "add", "http://127.0.0.1:9000/x", "--type", "*", "--allow-private"] + place).status == 0)
        let pattern = try relais(["webhooks", "add", "https://hooks.example.com/x", "--type", "Relais Ticket"] + place)
        #expect(pattern.status == 1 && pattern.errors.contains("event_types[0]"))
        let unknown = try relais(["webhooks", "remove", UUID().uuidString] + place)
        #expect(unknown.status == 1 && unknown.errors.contains("does not exist"))
        #expect(try relais(["webhooks", "replay"] + place).status != 0)

        #expect(try relais(["webhooks", "remove", id] + place).status == 0)
        #expect(!(try relais(["webhooks", "list"] + place).output.contains(id)))
    }
}

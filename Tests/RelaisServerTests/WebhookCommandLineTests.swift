import Foundation
import RelaisTestSupport
import Testing

extension CommandLineTests {
    @Test func webhookEndpointsFromTheCommandLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-webhooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let place = ["--map", ExampleMap.path, "--database", folder.appendingPathComponent("relais.sqlite").path]
        // Secrets are only kept sealed: without the operator's key, no endpoint is added.
        let keyless = try relais(["webhooks", "add", "https://hooks.example.com/relais", "--type", "*"] + place)
        #expect(keyless.status == 1 && keyless.errors.contains("RELAIS_SECRET_KEY is not set"), "\(keyless.errors)")
        let key = ["RELAIS_SECRET_KEY": "ZHVtbXkta2V5LWZvci10aGUtdGVzdHMtb25seS0zMmI="]

        let added = try relais(
            ["webhooks", "add", "https://hooks.example.com/relais", "--type", "relais.ticket.*", "--type", "relais.sla.*"] + place, environment: key)
        #expect(added.status == 0, "\(added.errors)")
        let lines = added.output.split(separator: "\n").map(String.init)
        let id = try #require(lines.first { $0.hasPrefix("endpoint ") }?.split(separator: " ").last.map(String.init))
        #expect(lines.contains { $0.hasPrefix("secret   whsec_") })

        let listed = try relais(["webhooks", "list"] + place, environment: key)
        #expect(listed.output.contains("\(id)  on   https://hooks.example.com/relais  relais.ticket.*,relais.sla.*"))
        #expect(!listed.output.contains("whsec_"))
        #expect(try relais(["webhooks", "disable", id] + place, environment: key).output.contains("is off"))
        #expect(try relais(["webhooks", "list"] + place, environment: key).output.contains("off  https://hooks.example.com/relais"))
        let rotated = try relais(["webhooks", "rotate", id] + place, environment: key)
        #expect(rotated.status == 0 && rotated.output.hasPrefix("secret   whsec_"))
        #expect(try relais(["webhooks", "dead"] + place, environment: key).output.contains("No dead delivery."))

        // Bad input: a private target, a bad pattern, an unknown id, a replay without what to replay.
        let local = try relais(["webhooks", "add", "http://127.0.0.1:9000/x", "--type", "*"] + place, environment: key)
        #expect(local.status == 1 && local.errors.contains("url: host '127.0.0.1' is on this machine or a private network"))
        #expect(try relais(["webhooks", "add", "http://127.0.0.1:9000/x", "--type", "*", "--allow-private"] + place, environment: key).status == 0)
        let pattern = try relais(["webhooks", "add", "https://hooks.example.com/x", "--type", "Relais Ticket"] + place, environment: key)
        #expect(pattern.status == 1 && pattern.errors.contains("event_types[0]"))
        let unknown = try relais(["webhooks", "remove", UUID().uuidString] + place, environment: key)
        #expect(unknown.status == 1 && unknown.errors.contains("does not exist"))
        #expect(try relais(["webhooks", "replay"] + place, environment: key).status != 0)

        #expect(try relais(["webhooks", "remove", id] + place, environment: key).status == 0)
        #expect(!(try relais(["webhooks", "list"] + place, environment: key).output.contains(id)))
    }
}

import Foundation
import RelaisTestSupport
import Testing

extension CommandLineTests {
    @Test func channelTokensAreIssuedListedAndRevoked() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-channels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let place = ["--map", ExampleMap.path, "--database", folder.appendingPathComponent("relais.sqlite").path]

        let issued = try relais(["channels", "token", "chat"] + place)
        #expect(issued.status == 0 && issued.output.hasPrefix("rch_"), "\(issued.errors)")
        let listed = try relais(["channels", "list"] + place)
        #expect(listed.output.contains("chat  customer_support, incident  token issued"), "\(listed.output)")
        #expect(listed.output.contains("phone  customer_support, incident  no token"))

        let unknown = try relais(["channels", "token", "fax"] + place)
        #expect(unknown.status != 0 && unknown.errors.contains("no family of the map takes a channel named 'fax'"))
        #expect(try relais(["channels", "revoke", "chat"] + place).status == 0)
        let again = try relais(["channels", "revoke", "chat"] + place)
        #expect(again.status == 1 && again.errors.contains("the 'chat' channel has no token"))
    }
}

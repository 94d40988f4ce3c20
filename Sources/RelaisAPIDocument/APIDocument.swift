import Foundation

/// The OpenAPI document of the Relais API: the source of truth the server code is generated from,
/// bundled so `relais serve` can publish it at `/openapi.yaml`.
public enum APIDocument {
    public static var url: URL? { Bundle.module.url(forResource: "openapi", withExtension: "yaml") }

    public static func load() throws -> Data {
        guard let url else { throw CocoaError(.fileNoSuchFile) }
        return try Data(contentsOf: url)
    }
}

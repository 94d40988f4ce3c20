import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisStore

/// The handlers of the API described by `openapi.yaml`. Each decodes, checks the caller, calls a
/// service and encodes; errors go to `ProblemMiddleware`.
struct RelaisAPI: APIProtocol {
    let runtime: MapRuntime

    /// The services of the map version the request started under.
    var services: RelaisServices { RequestServices.current ?? runtime.current }

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        do {
            _ = try await services.database.read { db in try await db.raw("SELECT 1 AS one").all() }
        } catch {
            throw APIProblem("unavailable", .serviceUnavailable, "the database does not answer")
        }
        return .ok(.init(body: .json(.init(status: "ok", database: services.database.kind.rawValue))))
    }

    func getMap(_ input: Operations.GetMap.Input) async throws -> Operations.GetMap.Output {
        _ = try RequestPrincipal.require()
        return .ok(.init(body: .json(MapOverviewEncoding.overview(of: services.configuration.map, version: services.mapVersion.number))))
    }
}

/// Reads an `If-Match` header: `"3"`, `W/"3"` or `*` (any version).
enum ETag {
    static func make(_ version: Int) -> String { "\"\(version)\"" }

    static func version(ifMatch header: String?) throws -> Int? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), header != "*" else { return nil }
        let bare = header.hasPrefix("W/") ? String(header.dropFirst(2)) : header
        guard let version = Int(bare.trimmingCharacters(in: CharacterSet(charactersIn: "\""))) else {
            throw APIProblem("precondition-failed", .preconditionFailed, "If-Match: '\(header)' is not an ETag of this API", field: "If-Match")
        }
        return version
    }
}

/// Checks an id given as text in a body or a query.
func parseID(_ text: String, field: String) throws -> UUID {
    guard let id = UUID(uuidString: text) else { throw APIProblem.invalidField(field, "\(field): '\(text)' is not a UUID") }
    return id
}

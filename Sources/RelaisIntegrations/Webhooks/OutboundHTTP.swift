import AsyncHTTPClient
import Foundation

/// The HTTP client Relais calls other systems with (webhook endpoints, trackers, peer tools): no
/// redirect followed (a credential must not travel to another host), no decompression of
/// answers it does not read in full, timeouts as given.
enum OutboundHTTP {
    /// The error text tools put in their answers: `message` (GitHub, GitLab, Azure DevOps),
    /// `error` (GitLab), `errorMessages` and `errors` (Jira).
    static func message(_ body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        var parts: [String] = []
        if let message = object["message"] as? String { parts.append(message) }
        if let message = object["message"] as? [String: Any] {
            parts += message.keys.sorted().map { "\($0) \(message[$0].map { "\($0)" } ?? "")" }
        }
        if let error = object["error"] as? String { parts.append(error) }
        if let messages = object["errorMessages"] as? [String] { parts += messages }
        if let errors = object["errors"] as? [String: Any] { parts += errors.keys.sorted().map { "\($0): \(errors[$0].map { "\($0)" } ?? "")" } }
        let text = parts.joined(separator: "; ")
        return text.isEmpty ? nil : String(text.prefix(500))
    }

    static func json(_ value: Any) -> [UInt8] {
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])).map { Array($0) } ?? []
    }

    /// A value put in one segment of a path: `group/project` becomes `group%2Fproject`.
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func client(
        timeout: TimeInterval, connectionsPerHost: Int? = nil, decompress: Bool = false, dnsOverride: [String: String] = [:]
    ) -> HTTPClient {
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60))
        if let connectionsPerHost { pool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(Int64(min(timeout, 10))), read: .seconds(Int64(timeout))),
            connectionPool: pool)
        configuration.decompression = decompress ? .enabled(limit: .ratio(50)) : .disabled
        configuration.dnsOverride = dnsOverride
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}

/// One HTTP request to another system (a tracker, a peer tool, a CRM).
public struct OutboundRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]?
}

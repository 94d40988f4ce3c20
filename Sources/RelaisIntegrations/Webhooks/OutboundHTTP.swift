import AsyncHTTPClient
import Foundation

/// The HTTP client Relais calls other systems with (webhook endpoints, trackers, peer tools): no
/// redirect followed (a credential must not travel to another host), no decompression of
/// answers it does not read in full, timeouts as given.
enum OutboundHTTP {
    static func client(timeout: TimeInterval, connectionsPerHost: Int? = nil, decompress: Bool = false) -> HTTPClient {
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60))
        if let connectionsPerHost { pool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(Int64(min(timeout, 10))), read: .seconds(Int64(timeout))),
            connectionPool: pool)
        configuration.decompression = decompress ? .enabled(limit: .ratio(50)) : .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}

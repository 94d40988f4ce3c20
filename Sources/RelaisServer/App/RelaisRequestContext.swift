import Hummingbird
import NIOCore

/// The context of every request Relais serves: Hummingbird's basic one, plus the address of the
/// peer that sent it (read for sign-in throttling by address).
public struct RelaisRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Who sent the request: the peer's IP address, or, when the peer is one of `trustedProxies`
    /// (a load balancer in front of Relais), the last address it appended to `X-Forwarded-For`.
    /// Nil when neither is known.
    func clientAddress(_ request: Request, trustedProxies: Set<String>) -> String? {
        let peer = remoteAddress?.ipAddress
        guard let peer, trustedProxies.contains(peer) else { return peer }
        let forwarded = request.headers[values: .init("X-Forwarded-For")!].joined(separator: ",")
        let last = forwarded.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let last, !last.isEmpty, last.count <= 45, last.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else { return peer }
        return last
    }
}

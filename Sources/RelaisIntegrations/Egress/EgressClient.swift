import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import RelaisCore
import Synchronization

/// The one way out: every call Relais makes to another system (webhook endpoints, developers'
/// trackers, CRM connectors, peer tools) goes through this check.
///
/// Unless the operator allows private targets, a host is refused when it is, or resolves to, an
/// address of this machine or of a private, link-local or otherwise non-public range
/// (`NetworkAddress`). A name is resolved here, once per call, and the connection goes to the
/// address that was checked (AsyncHTTPClient's `dnsOverride`, keeping the name for TLS and the
/// `Host` header), so a second DNS answer cannot send it elsewhere (DNS rebinding). Redirects
/// are never followed (`OutboundHTTP.client`).
public final class EgressClient: Sendable {
    public struct Settings: Sendable {
        public var timeout: TimeInterval
        public var connectionsPerHost: Int?
        public var decompress = false
        /// Allow loopback and private targets (`relais serve --allow-private-egress`): local
        /// development and tests.
        public var allowPrivate = false

        public init(timeout: TimeInterval, connectionsPerHost: Int? = nil, decompress: Bool = false, allowPrivate: Bool = false) {
            self.timeout = timeout
            self.connectionsPerHost = connectionsPerHost
            self.decompress = decompress
            self.allowPrivate = allowPrivate
        }
    }

    public let settings: Settings
    /// For literal public addresses, and for every call when private targets are allowed.
    let shared: HTTPClient
    /// One client per checked name and address, so pooled connections stay to that address.
    let pinned = Mutex<[String: HTTPClient]>([:])
    static let mostPinned = 256
    /// Checked addresses of names, for `addressLifetime`: a batch of deliveries to one endpoint
    /// resolves its name once.
    let addresses = Mutex<[String: (address: String, until: ContinuousClock.Instant)]>([:])
    static let addressLifetime: Duration = .seconds(30)

    /// The resolver: the system's (getaddrinfo), or a test's.
    let resolve: @Sendable (String) -> [[UInt8]]

    public init(_ settings: Settings, resolve: @escaping @Sendable (String) -> [[UInt8]] = { HostAddresses.resolve($0) }) {
        self.settings = settings
        self.resolve = resolve
        shared = OutboundHTTP.client(timeout: settings.timeout, connectionsPerHost: settings.connectionsPerHost, decompress: settings.decompress)
    }

    /// Sends `request` once its host has passed the check; throws `EgressRefused` when it does not.
    public func execute(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> HTTPClientResponse {
        if settings.allowPrivate { return try await shared.execute(request, timeout: timeout) }
        guard let host = URLComponents(string: request.url)?.host, !host.isEmpty else {
            throw EgressRefused(reason: "'\(request.url.prefix(200))' has no host")
        }
        if let isPrivate = NetworkAddress.isPrivate(host: host) {
            guard !isPrivate else { throw EgressRefused(reason: "host '\(host)' is on this machine or a private network") }
            return try await shared.execute(request, timeout: timeout)
        }
        let address = try await address(of: host)
        let key = "\(host.lowercased())\u{0}\(address)"
        if let client = pinned.withLock({ $0[key] }) { return try await client.execute(request, timeout: timeout) }
        let client = OutboundHTTP.client(
            timeout: settings.timeout, connectionsPerHost: settings.connectionsPerHost, decompress: settings.decompress,
            dnsOverride: [host: address])
        let (chosen, retired) = pinned.withLock { clients -> (HTTPClient, [HTTPClient]) in
            if let raced = clients[key] { return (raced, [client]) }
            // A full cache starts again; the clients it held finish what they carry first.
            let retired = clients.count >= Self.mostPinned ? Array(clients.values) : []
            if !retired.isEmpty { clients.removeAll() }
            clients[key] = client
            return (client, retired)
        }
        for old in retired { retire(old) }
        return try await chosen.execute(request, timeout: timeout)
    }

    /// Shuts a client down once the calls it may still carry have had their time.
    func retire(_ client: HTTPClient) {
        let grace = settings.timeout * 2 + 5
        Task.detached {
            try? await Task.sleep(for: .seconds(grace))
            try? await client.shutdown()
        }
    }

    /// What the check says of `url`'s host now (resolving a name), or nil when it may be called.
    public func problem(url: String) async -> String? {
        if let problem = EgressTarget.problem(url: url, allowPrivate: settings.allowPrivate) { return problem }
        guard !settings.allowPrivate, let host = URLComponents(string: url)?.host, NetworkAddress.isPrivate(host: host) == nil else { return nil }
        do {
            _ = try await checkedAddress(of: host)
            return nil
        } catch {
            return "\(error)"
        }
    }

    public func shutdown() async {
        try? await shared.shutdown()
        let clients = pinned.withLock { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for client in clients { try? await client.shutdown() }
    }

    /// The checked address of `host`, resolved again once its last check is `addressLifetime` old.
    func address(of host: String) async throws -> String {
        let name = host.lowercased()
        if let known = addresses.withLock({ $0[name] }), known.until > .now { return known.address }
        let address = try await checkedAddress(of: host)
        addresses.withLock { cache in
            if cache.count >= 1_024 { cache.removeAll() }
            cache[name] = (address, .now + Self.addressLifetime)
        }
        return address
    }

    /// The first address `host` resolves to, when none of its addresses is private.
    func checkedAddress(of host: String) async throws -> String {
        let addresses: [[UInt8]]
        let resolve = resolve
        do {
            addresses = try await NIOThreadPool.singleton.runIfActive { resolve(host) }
        } catch {
            throw EgressRefused(reason: "could not resolve '\(host)'")
        }
        guard let first = addresses.first else { throw EgressRefused(reason: "could not resolve '\(host)'") }
        if addresses.contains(where: NetworkAddress.isPrivate(bytes:)) {
            throw EgressRefused(reason: "host '\(host)' resolves to this machine or a private network")
        }
        return HostAddresses.text(first)
    }
}

/// A call the egress check refused: the target is not on the public internet.
public struct EgressRefused: Error, CustomStringConvertible, Equatable {
    public var reason: String
    public var description: String { "\(reason) (allowed only when the server is started with --allow-private-egress)" }
}

/// The system resolver's answers for a name.
public enum HostAddresses {
    /// Every address getaddrinfo gives for `host`, as raw bytes (4 or 16).
    public static func resolve(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [[UInt8]] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let entry = node?.pointee {
            if entry.ai_family == AF_INET, let address = entry.ai_addr {
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    addresses.append(withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) })
                }
            } else if entry.ai_family == AF_INET6, let address = entry.ai_addr {
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    addresses.append(withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) })
                }
            }
            node = entry.ai_next
        }
        return addresses
    }

    /// `93.184.216.34` or `2606:2800:220:1::` for raw address bytes.
    static func text(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: bytes.count, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(
            separator: ":")
    }
}

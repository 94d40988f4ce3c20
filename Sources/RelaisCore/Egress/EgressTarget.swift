import Foundation

/// Which URLs Relais may call: webhook endpoints, developers' trackers, CRM connectors and peer
/// tools. A target on this machine or on a private network would let whoever configures it probe
/// what Relais can reach (cloud metadata services, admin consoles, the database), so such targets
/// are refused unless the operator allows them (`relais serve --allow-private-egress`).
public enum EgressTarget {
    /// What is wrong with `url` as a target, or nil when it may be called. A host name is checked
    /// again once resolved, at each call, and the call goes to the address that was checked.
    public static func problem(url text: String, allowPrivate: Bool) -> String? {
        guard text.utf8.count <= 2_000 else { return "longer than 2000 characters" }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) else {
            return "a URL holds no space or control character"
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return "'\(text)' is not an absolute URL"
        }
        guard scheme == "https" || scheme == "http" else { return "scheme '\(scheme)' is not http or https" }
        guard let host = components.host, !host.isEmpty else { return "'\(text)' has no host" }
        if components.user != nil || components.password != nil {
            return "credentials in the URL are not accepted; use a secret from the environment"
        }
        if components.fragment != nil { return "a fragment is never sent to a server" }
        if !allowPrivate, NetworkAddress.isPrivate(host: host) == true {
            return "host '\(host)' is on this machine or a private network (allowed only when the server is started with --allow-private-egress)"
        }
        return nil
    }
}

extension ProcessMap {
    /// The addresses of other systems the map names (developers' trackers, peer tools, CRM
    /// connectors), with where each is named.
    public var outboundURLs: [(path: String, url: String)] {
        trackers.sorted { $0.key < $1.key }.map { ("trackers.\($0.key).url", $0.value.url) }
            + peers.sorted { $0.key < $1.key }.map { ("peers.\($0.key).url", $0.value.url) }
            + connectors.sorted { $0.key < $1.key }.map { ("connectors.\($0.key).url", $0.value.url) }
    }

    /// What is wrong with the addresses the map names as outbound targets: where each is named,
    /// the address, and the message (path first).
    public func egressProblems(allowPrivate: Bool) -> [(path: String, url: String, message: String)] {
        outboundURLs.compactMap { item in
            EgressTarget.problem(url: item.url, allowPrivate: allowPrivate).map { (item.path, item.url, "\(item.path): \($0)") }
        }
    }
}

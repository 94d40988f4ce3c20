import Foundation

/// Which URLs Relais may call with events. An endpoint on this machine or on a private network
/// would let whoever manages webhooks probe what Relais can reach (metadata services, admin
/// consoles), so such targets are refused unless the deployment allows them.
public enum WebhookTarget {
    /// What is wrong with `url` as a webhook target, or nil when it may be called. Host names are
    /// checked again, once resolved, at delivery time.
    public static func problem(url text: String, allowPrivate: Bool) -> String? {
        guard text.count <= 2_000 else { return "longer than 2000 characters" }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return "'\(text)' is not an absolute URL"
        }
        guard scheme == "https" || scheme == "http" else { return "scheme '\(scheme)' is not http or https" }
        guard let host = components.host, !host.isEmpty else { return "'\(text)' has no host" }
        if components.user != nil || components.password != nil { return "credentials in the URL are not accepted; use the signing secret" }
        if components.fragment != nil { return "a fragment is never sent to a server" }
        if !allowPrivate, NetworkAddress.isPrivate(host: host) == true {
            return "host '\(host)' is on this machine or a private network (allowed only when the configuration says so)"
        }
        return nil
    }
}

/// Literal IP addresses and the ranges that are not the public internet.
public enum NetworkAddress {
    /// True for `localhost` names and literal addresses of loopback, private, link-local, shared,
    /// multicast and reserved ranges; false for public literals; nil for a name to be resolved.
    public static func isPrivate(host: String) -> Bool? {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let name = bare.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        if let bytes = ipv4(name) { return isPrivate(ipv4: bytes) }
        if let bytes = ipv6(name) { return isPrivate(ipv6: bytes) }
        return nil
    }

    public static func isPrivate(ipv4 b: [UInt8]) -> Bool {
        guard b.count == 4 else { return true }
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return true
        case (100, 64...127): return true  // shared address space (carrier-grade NAT)
        case (169, 254): return true       // link-local, cloud metadata services
        case (172, 16...31), (192, 168): return true
        case (192, 0) where b[2] == 0 || b[2] == 2: return true
        case (198, 18...19): return true   // benchmarking
        case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return true
        case (224...255, _): return true   // multicast, reserved, broadcast
        default: return false
        }
    }

    public static func isPrivate(ipv6 b: [UInt8]) -> Bool {
        guard b.count == 16 else { return true }
        if b[0..<15].allSatisfy({ $0 == 0 }) { return true }                 // :: and ::1
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return isPrivate(ipv4: Array(b[12...])) }
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b { return isPrivate(ipv4: Array(b[12...])) }  // NAT64
        if b[0] & 0xfe == 0xfc { return true }                               // unique local fc00::/7
        if b[0] == 0xfe, b[1] & 0xc0 == 0x80 { return true }                 // link-local fe80::/10
        if b[0] == 0xff { return true }                                      // multicast
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return true }  // documentation
        return false
    }

    /// The four bytes of a dotted-quad address, or nil.
    public static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// The sixteen bytes of an IPv6 address (with `::` and an IPv4 tail allowed; a `%zone` is
    /// ignored), or nil.
    public static func ipv6(_ text: String) -> [UInt8]? {
        let address = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        guard address.contains(":"), address.count <= 45 else { return nil }
        let halves = address.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowIPv4Tail: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowIPv4Tail, index == pieces.count - 1, piece.contains(".") {
                    guard let tail = ipv4(String(piece)) else { return nil }
                    bytes += tail
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xff)]
            }
            return bytes
        }
        guard let head = groups(halves[0], allowIPv4Tail: halves.count == 1) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1], allowIPv4Tail: true), head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

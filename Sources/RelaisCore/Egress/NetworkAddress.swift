import Foundation

/// Literal IP addresses and the ranges that are not the public internet.
///
/// Ranges from the IANA special-purpose address registries (RFC 6890 and its updates:
/// https://www.iana.org/assignments/iana-ipv4-special-registry and iana-ipv6-special-registry).
/// Addresses that carry an IPv4 address inside an IPv6 one (IPv4-mapped `::ffff:0:0/96`,
/// IPv4-compatible `::/96`, 6to4 `2002::/16`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`,
/// Teredo `2001::/32`) are judged by the IPv4 address they carry.
public enum NetworkAddress {
    /// True for `localhost` names and literal addresses of loopback, private, link-local, shared,
    /// multicast and reserved ranges (in any form a resolver reads as an address, such as
    /// `127.1`, `0x7f000001` or `2130706433`); false for public literals; nil for a name to be
    /// resolved.
    public static func isPrivate(host: String) -> Bool? {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let name = bare.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        if name.isEmpty || name == "localhost" || name.hasSuffix(".localhost") { return true }
        if let bytes = ipv4(name) { return isPrivate(ipv4: bytes) }
        if let bytes = ipv6(name) { return isPrivate(ipv6: bytes) }
        // The shorthand forms inet_aton and getaddrinfo accept: whatever they mean, they are no
        // public host's name, so they are refused rather than interpreted.
        if let bytes = looseIPv4(name) { return isPrivate(ipv4: bytes) }
        return nil
    }

    public static func isPrivate(ipv4 b: [UInt8]) -> Bool {
        guard b.count == 4 else { return true }
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return true
        case (100, 64...127): return true  // shared address space (carrier-grade NAT)
        case (169, 254): return true  // link-local, cloud metadata services
        case (172, 16...31), (192, 168): return true
        case (192, 0) where b[2] == 0 || b[2] == 2: return true
        case (192, 88) where b[2] == 99: return true  // 6to4 relay anycast
        case (198, 18...19): return true  // benchmarking
        case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return true
        case (224...255, _): return true  // multicast, reserved, broadcast
        default: return false
        }
    }

    public static func isPrivate(ipv6 b: [UInt8]) -> Bool {
        guard b.count == 16 else { return true }
        if b[0..<12].allSatisfy({ $0 == 0 }) {  // ::, ::1 and IPv4-compatible ::a.b.c.d
            return b[12..<15].allSatisfy({ $0 == 0 }) || isPrivate(ipv4: Array(b[12...]))
        }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return isPrivate(ipv4: Array(b[12...])) }  // IPv4-mapped
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b {  // NAT64, well-known and local-use
            return b[4] == 0 && b[5] == 1 ? true : isPrivate(ipv4: Array(b[12...]))
        }
        if b[0] == 0x20, b[1] == 0x02 { return isPrivate(ipv4: Array(b[2..<6])) }  // 6to4
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x00, b[3] == 0x00 {  // Teredo: the client's address, inverted
            return isPrivate(ipv4: b[12...].map { ~$0 })
        }
        if b[0] == 0x01, b[1..<8].allSatisfy({ $0 == 0 }) { return true }  // discard-only 100::/64
        if b[0] & 0xfe == 0xfc { return true }  // unique local fc00::/7
        if b[0] == 0xfe, b[1] & 0xc0 == 0x80 { return true }  // link-local fe80::/10
        if b[0] == 0xfe, b[1] & 0xc0 == 0xc0 { return true }  // site-local fec0::/10 (deprecated)
        if b[0] == 0xff { return true }  // multicast
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return true }  // documentation
        return false
    }

    /// Whether raw address bytes (4 or 16) are private.
    public static func isPrivate(bytes: [UInt8]) -> Bool { bytes.count == 4 ? isPrivate(ipv4: bytes) : isPrivate(ipv6: bytes) }

    /// The four bytes of a dotted-quad address in its usual form (decimal, no leading zero), or nil.
    public static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            // A leading zero makes a part octal for inet_aton: such a form is read as `looseIPv4`.
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), part == "0" || !part.hasPrefix("0"), let value = UInt8(part) else {
                return nil
            }
            bytes.append(value)
        }
        return bytes
    }

    /// An address written as inet_aton reads it: one to four parts, each decimal, octal (leading
    /// 0) or hexadecimal (0x), the last filling the remaining bytes. Nil for anything else.
    static func looseIPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            let lower = part.lowercased()
            let value: UInt64?
            if lower.hasPrefix("0x") {
                value = lower.count == 2 ? 0 : UInt64(lower.dropFirst(2), radix: 16)
            } else if lower.count > 1, lower.hasPrefix("0") {
                value = UInt64(lower.dropFirst(), radix: 8)
            } else {
                value = lower.isEmpty ? nil : UInt64(lower, radix: 10)
            }
            guard let value, lower.count <= 12 else { return nil }
            values.append(value)
        }
        var bytes: [UInt8] = []
        for value in values.dropLast() {
            guard value <= 0xff else { return nil }
            bytes.append(UInt8(value))
        }
        let remaining = 4 - bytes.count
        guard let last = values.last, last < (UInt64(1) << (8 * remaining)) else { return nil }
        for shift in stride(from: 8 * (remaining - 1), through: 0, by: -8) { bytes.append(UInt8((last >> UInt64(shift)) & 0xff)) }
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

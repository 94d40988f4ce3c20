/// Bytes written as lower-case hexadecimal, two digits a byte, through a table rather than a
/// formatter per byte (digests of imported records, request fingerprints, token hashes).
public enum HexDigits {
    public static let lower: [UInt8] = Array("0123456789abcdef".utf8)

    public static func text(_ bytes: some Sequence<UInt8>) -> String {
        var digits: [UInt8] = []
        digits.reserveCapacity(64)
        for byte in bytes {
            digits.append(lower[Int(byte >> 4)])
            digits.append(lower[Int(byte & 0x0F)])
        }
        return String(decoding: digits, as: UTF8.self)
    }
}

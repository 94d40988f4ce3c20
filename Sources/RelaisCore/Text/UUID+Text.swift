import Foundation

/// One spelling of an id everywhere: stored, sent in the API and events, shown in pages and
/// written in links. Lower-case, so both databases compare ids the same way (PostgreSQL and
/// SQLite compare text byte by byte), and as RFC 9562 recommends for output.
extension UUID {
    /// The 36-character lower-case form (`8-4-4-4-12` hex digits), written straight into the
    /// string's storage: every row written carries one or more ids.
    public var text: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    out[position] = HexDigits.lower[Int(bytes[index] >> 4)]
                    out[position + 1] = HexDigits.lower[Int(bytes[index] & 0x0F)]
                    position += 2
                }
                return 36
            }
        }
    }
}

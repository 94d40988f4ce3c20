import Foundation

/// Text in the charsets mail uses; an unknown or wrong charset falls back to UTF-8, then Latin-1.
public enum Charset {
    public static func decode(_ bytes: some Collection<UInt8>, charset: String?) -> String {
        let name = (charset ?? "us-ascii").trimmingCharacters(in: .whitespaces).lowercased()
        switch name {
        case "utf-8", "utf8", "us-ascii", "ascii", "":
            return String(validating: bytes, as: UTF8.self) ?? latin1(bytes)
        case "iso-8859-1", "latin1", "latin-1", "iso8859-1", "l1":
            return latin1(bytes)
        case "windows-1252", "cp1252", "x-cp1252":
            return String(bytes.map { cp1252High[Int($0)] ?? Character(Unicode.Scalar($0)) })
        case "iso-8859-15", "latin-9", "latin9":
            return String(bytes.map { latin9[$0] ?? Character(Unicode.Scalar($0)) })
        case "utf-16", "utf-16be", "utf-16le":
            let data = Data(bytes)
            let encoding: String.Encoding = name == "utf-16le" ? .utf16LittleEndian : name == "utf-16be" ? .utf16BigEndian : .utf16
            return String(data: data, encoding: encoding) ?? latin1(bytes)
        default:
            return String(validating: bytes, as: UTF8.self) ?? latin1(bytes)
        }
    }

    static func latin1(_ bytes: some Collection<UInt8>) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// Windows-1252 differs from Latin-1 in 0x80–0x9F.
    static let cp1252High: [Int: Character] = {
        let table: [Int: UInt32] = [
            0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021, 0x88: 0x02C6,
            0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201C,
            0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC, 0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A,
            0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
        ]
        return table.mapValues { Character(Unicode.Scalar($0)!) }
    }()

    /// ISO-8859-15 differs from Latin-1 in eight places (the euro sign among them).
    static let latin9: [UInt8: Character] = [
        0xA4: "\u{20AC}", 0xA6: "\u{0160}", 0xA8: "\u{0161}", 0xB4: "\u{017D}", 0xB8: "\u{017E}", 0xBC: "\u{0152}", 0xBD: "\u{0153}",
        0xBE: "\u{0178}",
    ]
}

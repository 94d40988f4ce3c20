import Foundation

/// Where the items of a JSON export lie, found by following its structure (strings, escapes,
/// nesting) without building any value: the byte ranges of the elements of the root list, or of
/// the list under `key` in the root object. Nothing is validated beyond that structure; the
/// ranges are handed to a parser, which is. Large exports are read in pieces on every core.
enum JSONItems {
    /// The ranges of the items, or nil when the text is not shaped that way (the caller then
    /// parses it whole, which says what is wrong).
    static func ranges(in data: Data, under key: String) -> [Range<Int>]? {
        data.withUnsafeBytes { buffer -> [Range<Int>]? in
            var scanner = Scanner(bytes: buffer.bindMemory(to: UInt8.self))
            scanner.skipSpace()
            switch scanner.peek {
            case UInt8(ascii: "["):
                guard let items = scanner.listItems() else { return nil }
                return scanner.atEnd ? items : nil
            case UInt8(ascii: "{"):
                scanner.position += 1
                var found: [Range<Int>]?
                while true {
                    scanner.skipSpace()
                    if scanner.peek == UInt8(ascii: "}") {
                        scanner.position += 1
                        break
                    }
                    guard let name = scanner.string() else { return nil }
                    scanner.skipSpace()
                    guard scanner.peek == UInt8(ascii: ":") else { return nil }
                    scanner.position += 1
                    scanner.skipSpace()
                    if found == nil, name.elementsEqual(key.utf8), scanner.peek == UInt8(ascii: "[") {
                        guard let items = scanner.listItems() else { return nil }
                        found = items
                    } else if scanner.value() == nil {
                        return nil
                    }
                    scanner.skipSpace()
                    if scanner.peek == UInt8(ascii: ",") {
                        scanner.position += 1
                        continue
                    }
                    guard scanner.peek == UInt8(ascii: "}") else { return nil }
                    scanner.position += 1
                    break
                }
                return scanner.atEnd ? found : nil
            default:
                return nil
            }
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        var atEnd: Bool {
            mutating get {
                skipSpace()
                return position == bytes.count
            }
        }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        /// A string's bytes between its quotes, escapes left as they are.
        mutating func string() -> UnsafeBufferPointer<UInt8>.SubSequence? {
            guard peek == UInt8(ascii: "\"") else { return nil }
            let start = position + 1
            position = start
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\\"): position += 2
                case UInt8(ascii: "\""):
                    position += 1
                    return bytes[start..<(position - 1)]
                default: position += 1
                }
            }
            return nil
        }

        /// Steps over one value of any kind; nil when the text ends inside it or it is empty.
        mutating func value() -> Range<Int>? {
            let start = position
            var depth = 0
            while let byte = peek {
                switch byte {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return nil }
                    if depth == 0 { return start..<position }
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    position += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard depth > 0 else { return position > start ? start..<position : nil }
                    depth -= 1
                    position += 1
                    if depth == 0 { return start..<position }
                case UInt8(ascii: ","), 0x20, 0x0A, 0x0D, 0x09:
                    if depth == 0 { return position > start ? start..<position : nil }
                    position += 1
                default:
                    position += 1
                }
            }
            return depth == 0 && position > start ? start..<position : nil
        }

        /// The ranges of a list's elements, the scanner left after the list.
        mutating func listItems() -> [Range<Int>]? {
            guard peek == UInt8(ascii: "[") else { return nil }
            position += 1
            var items: [Range<Int>] = []
            skipSpace()
            if peek == UInt8(ascii: "]") {
                position += 1
                return items
            }
            while true {
                skipSpace()
                guard let item = value() else { return nil }
                items.append(item)
                skipSpace()
                switch peek {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return items
                default: return nil
                }
            }
        }
    }
}

/// A small XML scanner for event logs: start and end tags with their attributes; text, comments,
/// processing instructions and CDATA are passed over.
///
/// It refuses any DOCTYPE (so no entity is ever declared, let alone expanded) and knows only
/// the five predefined entities and character references.
struct XMLScanner {
    enum Token {
        case start(name: UnsafeRawBufferPointer, selfClosing: Bool)
        case end(name: UnsafeRawBufferPointer)
    }

    /// Attributes of the last start tag: name and (decoded) value spans of `values`.
    private(set) var attributes: [(name: UnsafeRawBufferPointer, value: Range<Int>)] = []
    private(set) var values: [UInt8] = []
    /// The line the last token started on.
    private(set) var line = 1
    private var linesBeforeToken = 1

    func value(of name: StaticString) -> UnsafeRawBufferPointer? {
        for attribute in attributes where attribute.name.elementsEqual(name.bytes) {
            return values.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[attribute.value]) }
        }
        return nil
    }

    /// Calls `body` with each complete tag of `buffer` and the scanner (for the tag's attributes);
    /// returns the bytes used. Spans passed to `body` are valid only during the call.
    mutating func scan(_ buffer: UnsafeRawBufferPointer, isLast: Bool, _ body: (Token, XMLScanner) throws -> Void) throws -> Int {
        var position = 0
        let end = buffer.count
        while position < end {
            // Text up to the next tag.
            var cursor = position
            while cursor < end, buffer[cursor] != 0x3C {
                if buffer[cursor] == 0x0A { linesBeforeToken += 1 }
                cursor += 1
            }
            position = cursor
            guard position < end else { break }
            line = linesBeforeToken
            guard let tagEnd = try tagEnd(buffer, from: position) else {
                if isLast { throw EventLogError.malformedXML(line: line, reason: "the file ends inside a tag") }
                return position
            }
            for index in position..<tagEnd where buffer[index] == 0x0A { linesBeforeToken += 1 }
            let tag = UnsafeRawBufferPointer(rebasing: buffer[(position + 1)..<(tagEnd - 1)])
            position = tagEnd
            guard let first = tag.first else { throw EventLogError.malformedXML(line: line, reason: "empty tag") }
            switch first {
            case 0x3F, 0x21: continue  // <?…?>, <!--…-->, <![CDATA[…]]>
            case 0x2F:
                try body(.end(name: Self.name(in: UnsafeRawBufferPointer(rebasing: tag.dropFirst()))), self)
            default:
                let selfClosing = tag.last == 0x2F
                let inside = UnsafeRawBufferPointer(rebasing: tag[0..<(selfClosing ? tag.count - 1 : tag.count)])
                let name = Self.name(in: inside)
                try readAttributes(UnsafeRawBufferPointer(rebasing: inside[name.count...]))
                try body(.start(name: name, selfClosing: selfClosing), self)
            }
        }
        return position
    }

    /// The index just past the `>` closing the construct at `start`, nil when it is not in the buffer.
    private func tagEnd(_ buffer: UnsafeRawBufferPointer, from start: Int) throws -> Int? {
        let rest = UnsafeRawBufferPointer(rebasing: buffer[start...])
        if rest.starts(with: "<!".utf8) {
            for opening in ["<!--", "<![CDATA["] where rest.count < opening.utf8.count {
                if rest.elementsEqual(opening.utf8.prefix(rest.count)) { return nil }  // decided by the next chunk
            }
            if rest.starts(with: "<!--".utf8) { return Self.find("-->", in: buffer, from: start + 4) }
            if rest.starts(with: "<![CDATA[".utf8) { return Self.find("]]>", in: buffer, from: start + 9) }
            // A DOCTYPE, or any other declaration of a DTD: never read, so no entity can be declared.
            throw EventLogError.doctypeRefused(line: line)
        }
        var quote: UInt8 = 0
        for index in (start + 1)..<buffer.count {
            let byte = buffer[index]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == 0x22 || byte == 0x27 {
                quote = byte
            } else if byte == 0x3E {
                return index + 1
            }
        }
        return nil
    }

    private static func find(_ terminator: StaticString, in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        let pattern = terminator.bytes
        guard buffer.count >= pattern.count else { return nil }
        var index = start
        while index + pattern.count <= buffer.count {
            if UnsafeRawBufferPointer(rebasing: buffer[index..<(index + pattern.count)]).elementsEqual(pattern) {
                return index + pattern.count
            }
            index += 1
        }
        return nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private static func name(in tag: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var end = 0
        while end < tag.count, !isSpace(tag[end]), tag[end] != 0x2F { end += 1 }
        return UnsafeRawBufferPointer(rebasing: tag[0..<end])
    }

    private mutating func readAttributes(_ text: UnsafeRawBufferPointer) throws {
        attributes.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        var index = 0
        while true {
            while index < text.count, Self.isSpace(text[index]) { index += 1 }
            guard index < text.count else { return }
            let nameStart = index
            while index < text.count, text[index] != 0x3D, !Self.isSpace(text[index]) { index += 1 }
            let name = UnsafeRawBufferPointer(rebasing: text[nameStart..<index])
            while index < text.count, Self.isSpace(text[index]) { index += 1 }
            guard index < text.count, text[index] == 0x3D else {
                throw EventLogError.malformedXML(line: line, reason: "attribute '\(String(decoding: name, as: UTF8.self))' has no value")
            }
            index += 1
            while index < text.count, Self.isSpace(text[index]) { index += 1 }
            guard index < text.count, text[index] == 0x22 || text[index] == 0x27 else {
                throw EventLogError.malformedXML(line: line, reason: "attribute '\(String(decoding: name, as: UTF8.self))' is not quoted")
            }
            let quote = text[index]
            index += 1
            let valueStart = index
            while index < text.count, text[index] != quote { index += 1 }
            guard index < text.count else { throw EventLogError.malformedXML(line: line, reason: "unterminated attribute value") }
            let start = values.count
            try decode(UnsafeRawBufferPointer(rebasing: text[valueStart..<index]))
            attributes.append((name, start..<values.count))
            index += 1
        }
    }

    /// Appends `raw` to `values` with entity and character references replaced.
    private mutating func decode(_ raw: UnsafeRawBufferPointer) throws {
        guard raw.contains(0x26) else { return values.append(contentsOf: raw) }
        var index = 0
        while index < raw.count {
            guard raw[index] == 0x26 else {
                values.append(raw[index])
                index += 1
                continue
            }
            guard let semicolon = raw[index...].firstIndex(of: 0x3B) else {
                throw EventLogError.malformedXML(line: line, reason: "'&' not followed by a reference")
            }
            let reference = String(decoding: UnsafeRawBufferPointer(rebasing: raw[(index + 1)..<semicolon]), as: UTF8.self)
            switch reference {
            case "amp": values.append(0x26)
            case "lt": values.append(0x3C)
            case "gt": values.append(0x3E)
            case "quot": values.append(0x22)
            case "apos": values.append(0x27)
            default:
                let scalar: UInt32?
                if reference.hasPrefix("#x") {
                    scalar = UInt32(reference.dropFirst(2), radix: 16)
                } else if reference.hasPrefix("#") {
                    scalar = UInt32(reference.dropFirst(), radix: 10)
                } else {
                    throw EventLogError.malformedXML(
                        line: line, reason: "entity '&\(reference);' is not one of XML's five (entities are never expanded)")
                }
                guard let scalar, let character = Unicode.Scalar(scalar) else {
                    throw EventLogError.malformedXML(line: line, reason: "bad character reference '&\(reference);'")
                }
                values.append(contentsOf: Array(String(Character(character)).utf8))
            }
            index = semicolon + 1
        }
    }
}

extension StaticString {
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: utf8Start, count: utf8CodeUnitCount) }
}

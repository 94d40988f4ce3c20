/// The fields of one CSV row, as spans of the buffer being read (valid during the callback).
struct CSVRecord {
    let base: UnsafeMutableRawPointer
    var spans: [(start: Int, end: Int)]

    var count: Int { spans.count }

    /// The field's bytes, empty past the row's last field.
    func bytes(at index: Int) -> UnsafeRawBufferPointer {
        guard index < spans.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let span = spans[index]
        return UnsafeRawBufferPointer(start: base + span.start, count: span.end - span.start)
    }
}

/// Splits bytes into CSV rows. Rows may span chunks: `parse` reports how many bytes it used, and
/// the caller keeps the rest for the next chunk.
struct CSVRecordParser {
    private static let quote: UInt8 = 0x22, newline: UInt8 = 0x0A, carriage: UInt8 = 0x0D

    var delimiter: UInt8?
    /// The line the next row starts on (1-based, counting line breaks inside quoted fields).
    private(set) var line = 1
    private var spans: [(start: Int, end: Int)] = []
    private var escaped: [Int] = []

    init(delimiter: UInt8?) { self.delimiter = delimiter }

    /// Calls `body` with each complete row of `buffer` and its line; returns the bytes used.
    /// With `isLast`, the end of the buffer ends the last row.
    mutating func parse(_ buffer: UnsafeRawBufferPointer, isLast: Bool, _ body: (CSVRecord, Int) throws -> Void) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        let base = UnsafeMutableRawPointer(mutating: buffer.baseAddress!)
        let end = buffer.count
        if delimiter == nil {
            // The header decides, so wait until it is whole.
            guard isLast || buffer.contains(Self.newline) else { return 0 }
            delimiter = Self.detectDelimiter(buffer)
        }
        let delimiter = self.delimiter!
        var rowStart = 0
        while rowStart < end {
            spans.removeAll(keepingCapacity: true)
            escaped.removeAll(keepingCapacity: true)
            var position = rowStart, breaks = 0, complete = false
            fields: while true {
                if position < end, base.load(fromByteOffset: position, as: UInt8.self) == Self.quote {
                    // A quoted field: up to the quote not followed by another quote.
                    var cursor = position + 1, closed = false, doubled = false
                    while cursor < end {
                        let byte = base.load(fromByteOffset: cursor, as: UInt8.self)
                        if byte == Self.quote {
                            if cursor + 1 < end, base.load(fromByteOffset: cursor + 1, as: UInt8.self) == Self.quote {
                                doubled = true
                                cursor += 2
                                continue
                            }
                            if cursor + 1 == end && !isLast { break }  // the next chunk may hold a second quote
                            closed = true
                            break
                        }
                        if byte == Self.newline { breaks += 1 }
                        cursor += 1
                    }
                    guard closed || isLast else { break fields }
                    if doubled { escaped.append(spans.count) }
                    spans.append((position + 1, cursor))
                    position = cursor + 1
                    // Anything between the closing quote and the delimiter is kept out.
                    while position < end {
                        let byte = base.load(fromByteOffset: position, as: UInt8.self)
                        if byte == delimiter || byte == Self.newline || byte == Self.carriage { break }
                        position += 1
                    }
                } else {
                    var cursor = position
                    while cursor < end {
                        let byte = base.load(fromByteOffset: cursor, as: UInt8.self)
                        if byte == delimiter || byte == Self.newline || byte == Self.carriage { break }
                        cursor += 1
                    }
                    spans.append((position, cursor))
                    position = cursor
                }
                guard position < end else {
                    complete = isLast
                    break fields
                }
                let byte = base.load(fromByteOffset: position, as: UInt8.self)
                if byte == delimiter {
                    position += 1
                    continue
                }
                if byte == Self.carriage {
                    guard position + 1 < end || isLast else { break fields }
                    position += 1
                    if position < end, base.load(fromByteOffset: position, as: UInt8.self) == Self.newline { position += 1 }
                } else {
                    position += 1
                }
                breaks += 1
                complete = true
                break fields
            }
            guard complete else { break }
            for index in escaped { spans[index].end = Self.collapseQuotes(base, spans[index]) }
            try body(CSVRecord(base: base, spans: spans), line)
            line += breaks
            rowStart = position
        }
        return rowStart
    }

    /// Turns `""` into `"` in place; returns the field's new end.
    private static func collapseQuotes(_ base: UnsafeMutableRawPointer, _ span: (start: Int, end: Int)) -> Int {
        var read = span.start, write = span.start
        while read < span.end {
            let byte = base.load(fromByteOffset: read, as: UInt8.self)
            base.storeBytes(of: byte, toByteOffset: write, as: UInt8.self)
            read += byte == quote ? 2 : 1
            write += 1
        }
        return write
    }

    /// The commonest of `,`, `;` and tab on the first line; a comma when none appears.
    static func detectDelimiter(_ buffer: UnsafeRawBufferPointer) -> UInt8 {
        let candidates: [UInt8] = [0x2C, 0x3B, 0x09]
        var counts = [0, 0, 0]
        var quoted = false
        for byte in buffer {
            if byte == quote { quoted.toggle() }
            if quoted { continue }
            if byte == newline || byte == carriage { break }
            if let index = candidates.firstIndex(of: byte) { counts[index] += 1 }
        }
        let best = counts.indices.max { counts[$0] != counts[$1] ? counts[$0] < counts[$1] : $0 > $1 }!
        return candidates[best]
    }
}

/// One piece of a compiled Unicode date pattern: a numeric field or literal text.
enum PatternPart: Equatable {
    case year4, year2, month(Int), day(Int), hour(Int), minute, second, fraction, zone
    case literal(UInt8)

    /// The parts of `pattern`, or nil when it uses a field read here only through `DateFormatter`
    /// (month or weekday names, AM/PM, named zones).
    static func compile(_ pattern: String) -> [PatternPart]? {
        var parts: [PatternPart] = []
        let characters = Array(pattern)
        var index = 0
        while index < characters.count {
            let letter = characters[index]
            var run = 1
            while index + run < characters.count, characters[index + run] == letter { run += 1 }
            defer { index += run }
            if letter == "'" {
                // A quoted literal such as 'T'; two quotes are a quote.
                guard let close = characters[(index + 1)...].firstIndex(of: "'") else { return nil }
                let text = close == index + 1 ? "'" : String(characters[(index + 1)..<close])
                parts += text.utf8.map(PatternPart.literal)
                run = close - index + 1
                continue
            }
            switch (letter, run) {
            case ("y", 4), ("u", 4): parts.append(.year4)
            case ("y", 2): parts.append(.year2)
            case ("M", 1...2): parts.append(.month(run))
            case ("d", 1...2): parts.append(.day(run))
            case ("H", 1...2): parts.append(.hour(run))
            case ("m", 2): parts.append(.minute)
            case ("s", 2): parts.append(.second)
            case ("S", _): parts.append(.fraction)
            case ("X", _), ("x", _), ("Z", 1...3), ("Z", 5): parts.append(.zone)
            case (let other, _) where other.isLetter: return nil
            default: parts += String(repeating: letter, count: run).utf8.map(PatternPart.literal)
            }
        }
        return parts
    }
}

extension TimestampParser {
    static func parse(_ bytes: UnsafeRawBufferPointer, _ parts: [PatternPart]) -> Int64? {
        var cursor = Cursor(bytes: bytes)
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0, offset = 0
        for part in parts {
            switch part {
            case .year4:
                guard let value = cursor.digits(exactly: 4) else { return nil }
                year = value
            case .year2:
                guard let value = cursor.digits(exactly: 2) else { return nil }
                year = 2000 + value
            case .month(let width):
                guard let value = field(&cursor, width) else { return nil }
                month = value
            case .day(let width):
                guard let value = field(&cursor, width) else { return nil }
                day = value
            case .hour(let width):
                guard let value = field(&cursor, width) else { return nil }
                hour = value
            case .minute:
                guard let value = cursor.digits(exactly: 2) else { return nil }
                minute = value
            case .second:
                guard let value = cursor.digits(exactly: 2) else { return nil }
                second = value
            case .fraction:
                guard let value = cursor.fraction() else { return nil }
                micros = value
            case .zone:
                guard let value = cursor.zone() else { return nil }
                offset = value
            case .literal(let byte): guard cursor.skip(byte) else { return nil }
            }
        }
        guard cursor.atEnd else { return nil }
        return civil(year: year, month: month, day: day, hour: hour, minute: minute, second: second, micros: micros, offset: offset)
    }

    /// `M` reads one or two digits, `MM` exactly two.
    private static func field(_ cursor: inout Cursor, _ width: Int) -> Int? {
        width == 2 ? cursor.digits(exactly: 2) : cursor.digits(upTo: 2)
    }
}

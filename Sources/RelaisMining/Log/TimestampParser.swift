import Foundation
import RelaisCore

/// Reads event times from the bytes of a log, as microseconds since 1970 in UTC.
///
/// Without a pattern it reads ISO 8601 as logs write it: `2010-12-30T14:32:00.000+01:00`,
/// a space instead of `T`, any number of fraction digits, `Z`, an offset with or without a
/// colon, or no zone at all (read as UTC), and a date alone. With a Unicode date pattern
/// (`dd/MM/yyyy HH:mm`) the numeric fields are read directly; a pattern with month or day
/// names goes through `DateFormatter`, slower but complete.
public struct TimestampParser {
    enum Mode {
        case iso8601
        case fields([PatternPart])
        case formatter(DateFormatter)
    }

    let mode: Mode

    /// ISO 8601, detected.
    public init() { mode = .iso8601 }

    /// A Unicode date pattern (`yyyy-MM-dd HH:mm:ss`); times without a zone are read as UTC.
    public init(pattern: String) throws {
        if let parts = PatternPart.compile(pattern) {
            mode = .fields(parts)
        } else {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = pattern
            guard formatter.string(from: Date(timeIntervalSince1970: 0)).isEmpty == false else {
                throw EventLogError.badTimestampPattern(pattern)
            }
            mode = .formatter(formatter)
        }
    }

    public func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        switch mode {
        case .iso8601: return Self.parseISO8601(bytes)
        case .fields(let parts): return Self.parse(bytes, parts)
        case .formatter(let formatter):
            guard let date = formatter.date(from: String(decoding: bytes, as: UTF8.self)) else { return nil }
            return Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        }
    }

    // MARK: ISO 8601

    static func parseISO8601(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var cursor = Cursor(bytes: bytes)
        guard let year = cursor.digits(exactly: 4), cursor.skip(0x2D), let month = cursor.digits(exactly: 2),
            cursor.skip(0x2D), let day = cursor.digits(exactly: 2)
        else { return nil }
        var hour = 0, minute = 0, second = 0, micros = 0
        if cursor.skip(0x54) || cursor.skip(0x20) || cursor.skip(0x74) {
            guard let h = cursor.digits(exactly: 2), cursor.skip(0x3A), let m = cursor.digits(exactly: 2) else { return nil }
            hour = h
            minute = m
            if cursor.skip(0x3A) {
                guard let s = cursor.digits(exactly: 2) else { return nil }
                second = s
                if cursor.skip(0x2E) || cursor.skip(0x2C) {
                    guard let fraction = cursor.fraction() else { return nil }
                    micros = fraction
                }
            }
        }
        guard let offset = cursor.zone(), cursor.atEnd else { return nil }
        return civil(year: year, month: month, day: day, hour: hour, minute: minute, second: second, micros: micros, offset: offset)
    }

    /// Microseconds since 1970 of a civil time at `offset` seconds east of UTC; nil when a field
    /// is out of its range (month 13, 31 April, hour 25).
    static func civil(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, micros: Int, offset: Int) -> Int64? {
        guard let date = CivilDate(year: year, month: month, day: day),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = date.daysSinceEpoch
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return seconds * 1_000_000 + Int64(micros)
    }
}

/// Reads the numeric fields of a timestamp one byte at a time.
struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }
    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skip(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    mutating func digits(exactly count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<count {
            let digit = Int(bytes[index + offset]) - 48
            guard (0...9).contains(digit) else { return nil }
            value = value * 10 + digit
        }
        index += count
        return value
    }

    /// One or two digits (a day or hour written `5` or `05`).
    mutating func digits(upTo count: Int) -> Int? {
        var value = 0, read = 0
        while read < count, let byte = current, (48...57).contains(byte) {
            value = value * 10 + Int(byte) - 48
            index += 1
            read += 1
        }
        return read == 0 ? nil : value
    }

    /// Fraction digits as microseconds (digits past the sixth are dropped).
    mutating func fraction() -> Int? {
        var micros = 0, read = 0
        while let byte = current, (48...57).contains(byte) {
            if read < 6 { micros = micros * 10 + Int(byte) - 48 }
            read += 1
            index += 1
        }
        guard read > 0 else { return nil }
        for _ in read..<max(read, 6) { micros *= 10 }
        return micros
    }

    /// `Z`, `±hh:mm`, `±hhmm`, `±hh`, or nothing (UTC): seconds east of UTC.
    mutating func zone() -> Int? {
        if atEnd { return 0 }
        if skip(0x5A) || skip(0x7A) { return 0 }
        let sign: Int
        if skip(0x2B) { sign = 1 } else if skip(0x2D) { sign = -1 } else { return nil }
        guard let hours = digits(exactly: 2) else { return nil }
        _ = skip(0x3A)
        let minutes = atEnd ? 0 : digits(exactly: 2)
        guard let minutes, hours <= 23, minutes <= 59 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }
}

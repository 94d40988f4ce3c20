import RelaisMap

/// A holiday calendar a map names.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzICalendar(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? ICalendarHolidays.dates(in: String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}

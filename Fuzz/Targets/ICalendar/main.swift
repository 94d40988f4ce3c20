import Foundation
import FuzzDriver
import RelaisMap

/// A holiday calendar a map names.
func fuzzICalendar(_ input: UnsafeRawBufferPointer) {
    _ = try? ICalendarHolidays.dates(in: String(decoding: input, as: UTF8.self))
}

runFuzzer(fuzzICalendar)

import Foundation
import CFuzzer
import RelaisMap

/// A holiday calendar a map names.
func fuzzICalendar(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? ICalendarHolidays.dates(in: String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}

// libFuzzer runs the inputs; its options come on the command line.
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
var count = CommandLine.argc
exit(LLVMFuzzerRunDriver(&count, &arguments) { data, size in
    guard let data else { return fuzzICalendar(UnsafePointer(bitPattern: 1)!, 0) }
    return fuzzICalendar(data, size)
})

import Foundation
import CFuzzer
import RelaisMining

/// A CSV log, as uploaded to be mined (standard column names, delimiter detected).
func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ProcessMiner.mine(.csv(CSVEventLog(source: MemoryBytes(bytes))))
    return 0
}

// libFuzzer runs the inputs; its options come on the command line.
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
var count = CommandLine.argc
exit(LLVMFuzzerRunDriver(&count, &arguments) { data, size in
    guard let data else { return fuzzCSV(UnsafePointer(bitPattern: 1)!, 0) }
    return fuzzCSV(data, size)
})

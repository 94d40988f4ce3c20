import Foundation
import CFuzzer
import RelaisMining

/// An XES log, as uploaded to be mined.
func fuzzXES(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ProcessMiner.mine(.xes(XESEventLog(source: MemoryBytes(bytes))))
    return 0
}

// libFuzzer runs the inputs; its options come on the command line.
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
var count = CommandLine.argc
exit(LLVMFuzzerRunDriver(&count, &arguments) { data, size in
    guard let data else { return fuzzXES(UnsafePointer(bitPattern: 1)!, 0) }
    return fuzzXES(data, size)
})

import Foundation
import CFuzzer
import RelaisMining

/// An OCEL 2.0 JSON log, flattened on its first object type.
func fuzzOCEL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ProcessMiner.mine(.ocel(OCELEventLog(source: MemoryBytes(bytes), objectType: "order")))
    return 0
}

// libFuzzer runs the inputs; its options come on the command line.
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
var count = CommandLine.argc
exit(LLVMFuzzerRunDriver(&count, &arguments) { data, size in
    guard let data else { return fuzzOCEL(UnsafePointer(bitPattern: 1)!, 0) }
    return fuzzOCEL(data, size)
})

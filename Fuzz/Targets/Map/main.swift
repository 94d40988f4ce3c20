import CFuzzer
import Foundation
import RelaisMap

/// A map text, as proposed over the API. Files it names are given (empty), never read.
func fuzzMap(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? MapLoader.read(yaml: text, file: "/nonexistent/fuzz.map.yaml", included: [:])
    return 0
}

// libFuzzer runs the inputs; its options come on the command line.
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
var count = CommandLine.argc
exit(LLVMFuzzerRunDriver(&count, &arguments) { data, size in
    guard let data else { return fuzzMap(UnsafePointer(bitPattern: 1)!, 0) }
    return fuzzMap(data, size)
})

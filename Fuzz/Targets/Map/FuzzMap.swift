import Foundation
import RelaisMap

/// A map text, as proposed over the API. Files it names are given (empty), never read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMap(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? MapLoader.read(yaml: text, file: "/nonexistent/fuzz.map.yaml", included: [:])
    return 0
}

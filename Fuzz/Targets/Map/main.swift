import Foundation
import FuzzDriver
import RelaisMap

/// A map text, as proposed over the API. Files it names are given (empty), never read.
func fuzzMap(_ input: UnsafeRawBufferPointer) {
    let text = String(decoding: input, as: UTF8.self)
    _ = try? MapLoader.read(yaml: text, file: "/nonexistent/fuzz.map.yaml", included: [:])
}

runFuzzer(fuzzMap)

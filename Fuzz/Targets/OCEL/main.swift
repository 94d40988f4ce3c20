import Foundation
import FuzzDriver
import RelaisMining

/// An OCEL 2.0 JSON log, flattened on its first object type.
func fuzzOCEL(_ input: UnsafeRawBufferPointer) {
    let bytes = Array(input)
    _ = try? ProcessMiner.mine(.ocel(OCELEventLog(source: MemoryBytes(bytes), objectType: "order")))
}

runFuzzer(fuzzOCEL)

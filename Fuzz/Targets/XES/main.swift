import Foundation
import FuzzDriver
import RelaisMining

/// An XES log, as uploaded to be mined.
func fuzzXES(_ input: UnsafeRawBufferPointer) {
    let bytes = Array(input)
    _ = try? ProcessMiner.mine(.xes(XESEventLog(source: MemoryBytes(bytes))))
}

runFuzzer(fuzzXES)

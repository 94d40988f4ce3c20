import Foundation
import FuzzDriver
import RelaisMining

/// A CSV log, as uploaded to be mined (standard column names, delimiter detected).
func fuzzCSV(_ input: UnsafeRawBufferPointer) {
    let bytes = Array(input)
    _ = try? ProcessMiner.mine(.csv(CSVEventLog(source: MemoryBytes(bytes))))
}

runFuzzer(fuzzCSV)

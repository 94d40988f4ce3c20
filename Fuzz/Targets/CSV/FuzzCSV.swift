import RelaisMining

/// A CSV log, as uploaded to be mined (standard column names, delimiter detected).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ProcessMiner.mine(.csv(CSVEventLog(source: MemoryBytes(bytes))))
    return 0
}

import RelaisMining

/// An XES log, as uploaded to be mined.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXES(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ProcessMiner.mine(.xes(XESEventLog(source: MemoryBytes(bytes))))
    return 0
}

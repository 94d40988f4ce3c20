import RelaisMining

/// An OCEL 2.0 JSON log, flattened on its first object type.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOCEL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ProcessMiner.mine(.ocel(OCELEventLog(source: MemoryBytes(bytes), objectType: "order")))
    return 0
}

import Foundation
import CompressNIO
import NIOCore
import RelaisMining

/// Gzip-compressed bytes (a `.xes.gz` file, an upload), inflated chunk by chunk as they are read.
public struct GzipBytes: ByteSource {
    let compressed: any ByteSource
    let name: String

    public init(path: String) {
        compressed = FileBytes(path: path)
        name = path
    }

    public init(_ compressed: any ByteSource, name: String) {
        self.compressed = compressed
        self.name = name
    }

    public func read(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let decompressor = try ZlibDecompressor(algorithm: .gzip)
        var window = ByteBufferAllocator().buffer(capacity: 1 << 20)
        do {
            try compressed.read { chunk in
                var input = ByteBuffer(bytes: chunk)
                try input.decompressStream(with: decompressor, window: &window) { output in
                    try output.withUnsafeReadableBytes { try body($0) }
                }
                window.clear()
            }
        } catch let error as CompressNIOError {
            throw EventLogError.unreadableFile(path: name, reason: "not valid gzip (\(error))")
        }
    }

    /// True when the file starts with gzip's magic bytes.
    public static func isCompressed(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 2)).map(Array.init) == [0x1F, 0x8B]
    }

    public static func isCompressed(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x1F, 0x8B]) }
}

import CompressNIO
import Foundation
import NIOCore
import RelaisMining

/// Gzip-compressed bytes (a `.xes.gz` file, an upload), inflated chunk by chunk as they are read,
/// so a small body that inflates to a large log is never held inflated.
public struct GzipBytes: ByteSource {
    let compressed: any ByteSource
    let name: String
    /// Most bytes it may inflate to: an upload of a few megabytes can inflate to terabytes.
    let maxInflated: Int

    public init(_ compressed: any ByteSource, name: String, maxInflated: Int = .max) {
        self.compressed = compressed
        self.name = name
        self.maxInflated = maxInflated
    }

    public func read(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let decompressor = try ZlibDecompressor(algorithm: .gzip)
        var window = ByteBufferAllocator().buffer(capacity: 1 << 20)
        var inflated = 0
        do {
            try compressed.read { chunk in
                var input = ByteBuffer(bytes: chunk)
                try input.decompressStream(with: decompressor, window: &window) { output in
                    inflated += output.readableBytes
                    guard inflated <= maxInflated else { throw EventLogError.tooLarge(what: "\(name) once inflated", limit: maxInflated) }
                    try output.withUnsafeReadableBytes { try body($0) }
                }
                window.clear()
            }
        } catch let error as CompressNIOError {
            throw EventLogError.unreadableFile(path: name, reason: "not valid gzip (\(error))")
        }
    }

    /// True when `source` starts with gzip's magic bytes.
    public static func isCompressed(_ source: any ByteSource) throws -> Bool {
        try source.prefix(2) == [0x1F, 0x8B]
    }

    /// `source` inflated if it is gzip-compressed, as it is otherwise.
    public static func inflating(_ source: any ByteSource, name: String, maxInflated: Int = .max) throws -> any ByteSource {
        try isCompressed(source) ? GzipBytes(source, name: name, maxInflated: maxInflated) : source
    }
}

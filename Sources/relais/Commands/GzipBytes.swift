import Foundation
import CompressNIO
import NIOCore
import RelaisMining

/// A gzip-compressed file (`.xes.gz`), inflated chunk by chunk as it is read.
struct GzipBytes: ByteSource {
    let file: FileBytes

    init(path: String) { file = FileBytes(path: path) }

    func read(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let decompressor = try ZlibDecompressor(algorithm: .gzip)
        var window = ByteBufferAllocator().buffer(capacity: 1 << 20)
        do {
            try file.read { chunk in
                var input = ByteBuffer(bytes: chunk)
                try input.decompressStream(with: decompressor, window: &window) { output in
                    try output.withUnsafeReadableBytes { try body($0) }
                }
                window.clear()
            }
        } catch let error as CompressNIOError {
            throw EventLogError.unreadableFile(path: file.path, reason: "not valid gzip (\(error))")
        }
    }

    /// True when the file starts with gzip's magic bytes.
    static func isCompressed(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 2)).map(Array.init) == [0x1F, 0x8B]
    }
}

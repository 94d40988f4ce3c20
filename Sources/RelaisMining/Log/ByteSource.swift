import Foundation

/// Where the bytes of a log come from, chunk after chunk. A source can be read again from the
/// start: mining reads a log twice when it keeps only the commonest variants, or when it finds
/// that the events of one case are not written together.
public protocol ByteSource {
    /// Calls `body` with each chunk of the log, in order, from the first byte.
    func read(_ body: (UnsafeRawBufferPointer) throws -> Void) throws
}

extension ByteSource {
    /// The first `count` bytes (fewer if the source is shorter), without reading the rest.
    public func prefix(_ count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            try read { chunk in
                bytes.append(contentsOf: chunk.prefix(count - bytes.count))
                if bytes.count >= count { throw PrefixRead() }
            }
        } catch is PrefixRead {}
        return bytes
    }
}

/// Stops a read once its prefix is in hand.
private struct PrefixRead: Error {}

/// A plain file, read in large chunks so memory does not grow with its size.
public struct FileBytes: ByteSource {
    public let path: String
    public var chunkSize = 4 << 20

    public init(path: String) { self.path = path }

    public func read(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw EventLogError.unreadableFile(path: path, reason: "cannot be opened")
        }
        defer { try? handle.close() }
        while true {
            let data: Data?
            do { data = try handle.read(upToCount: chunkSize) } catch {
                throw EventLogError.unreadableFile(path: path, reason: "\(error)")
            }
            guard let data, !data.isEmpty else { return }
            try data.withUnsafeBytes { try body($0) }
        }
    }
}

/// Bytes already in memory (tests, uploads).
public struct MemoryBytes: ByteSource, Sendable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }

    public func read(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try bytes.withUnsafeBytes { try body($0) }
    }
}

/// A source read in pieces of at most a mebibyte, refused once `deadline` has passed: a log sent
/// to be mined cannot hold a worker longer than the server allows.
public struct DeadlineBytes: ByteSource {
    public let source: any ByteSource
    public let deadline: ContinuousClock.Instant
    public let seconds: Int

    public init(_ source: any ByteSource, seconds: Int) {
        self.source = source
        self.seconds = seconds
        deadline = .now + .seconds(seconds)
    }

    public func read(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try source.read { chunk in
            var start = 0
            repeat {
                guard ContinuousClock.now < deadline else { throw EventLogError.tookTooLong(seconds: seconds) }
                let end = min(chunk.count, start + (1 << 20))
                try body(UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
                start = end
            } while start < chunk.count
        }
    }
}

import Foundation

/// Gives each distinct name (an activity, a resource) a small number, reading the name straight
/// from the bytes of the file: a log of ten million events names a few hundred activities, so
/// looking the bytes up is far cheaper than making a string of every field.
struct NameTable: Sendable {
    private(set) var names: [String] = []
    private var arena: [UInt8] = []
    private var spans: [(start: Int, count: Int)] = []
    /// Open addressing: each slot holds a name's number plus one, zero when empty.
    private var slots: [Int32] = Array(repeating: 0, count: 64)
    private var hashes: [UInt64] = []

    var count: Int { names.count }

    subscript(id: Int32) -> String { names[Int(id)] }

    /// The number of `name`, given it if new.
    mutating func id(of bytes: UnsafeRawBufferPointer) -> Int32 {
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let id = Int(slots[slot] - 1)
            if hashes[id] == hash && equals(id, bytes) { return Int32(id) }
            slot = (slot + 1) & mask
        }
        let id = names.count
        spans.append((arena.count, bytes.count))
        arena.append(contentsOf: bytes)
        hashes.append(hash)
        names.append(String(decoding: bytes, as: UTF8.self))
        slots[slot] = Int32(id + 1)
        if names.count * 2 > slots.count { grow() }
        return Int32(id)
    }

    mutating func id(of name: String) -> Int32 {
        var name = name
        return name.withUTF8 { id(of: UnsafeRawBufferPointer($0)) }
    }

    private func equals(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let span = spans[id]
        guard span.count == bytes.count else { return false }
        return arena.withUnsafeBytes { arena in
            span.count == 0 || memcmp(arena.baseAddress! + span.start, bytes.baseAddress!, span.count) == 0
        }
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (id, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id + 1)
        }
    }

    /// FNV-1a, then a final mix so that the low bits used for the slot depend on every byte.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}

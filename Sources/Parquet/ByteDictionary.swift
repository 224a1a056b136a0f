#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Distinct byte strings of one column chunk, in insertion order, for dictionary encoding.
/// The entries are kept PLAIN-encoded (4-byte length + bytes) so `plainData` is the dictionary page body.
struct ByteDictionary {
    private(set) var plainData: [UInt8] = []
    /// Offset in `plainData` of each entry's bytes (after its length prefix).
    private var entryOffsets: [Int] = []
    private var entryLengths: [Int] = []
    private var entryHashes: [UInt64] = []
    /// Open-addressing table of entry index + 1 (0 = empty slot).
    private var slots: [Int32] = Array(repeating: 0, count: 1024)

    var count: Int { entryOffsets.count }

    /// Size of the dictionary page body.
    var byteSize: Int { plainData.count }

    /// Index of `bytes` in the dictionary, inserting it if new (`isNew`); nil when it is new and
    /// inserting it would make the dictionary larger than `byteLimit` bytes.
    mutating func index(of bytes: UnsafeRawBufferPointer, byteLimit: Int) -> (index: Int32, isNew: Bool)? {
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let stored = Int(slots[slot])
            if stored == 0 { break }
            let entry = stored - 1
            if entryHashes[entry] == hash && entryEquals(entry, bytes) {
                return (Int32(entry), false)
            }
            slot = (slot + 1) & mask
        }
        if plainData.count + 4 + bytes.count > byteLimit { return nil }
        let entry = entryOffsets.count
        slots[slot] = Int32(entry + 1)
        var length = UInt32(bytes.count).littleEndian
        withUnsafeBytes(of: &length) { plainData.appendBytes($0) }
        entryOffsets.append(plainData.count)
        entryLengths.append(bytes.count)
        entryHashes.append(hash)
        plainData.appendBytes(bytes)
        if entryOffsets.count * 2 > slots.count { grow() }
        return (Int32(entry), true)
    }

    /// Appends entry `index` PLAIN-encoded (length prefix + bytes) to `out`.
    func appendPlain(_ index: Int, to out: inout [UInt8]) {
        let start = entryOffsets[index] - 4
        out.append(contentsOf: plainData[start..<(entryOffsets[index] + entryLengths[index])])
    }

    private func entryEquals(_ entry: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard entryLengths[entry] == bytes.count else { return false }
        if bytes.count == 0 { return true }
        return plainData.withUnsafeBytes { data in
            memcmp(data.baseAddress! + entryOffsets[entry], bytes.baseAddress!, bytes.count) == 0
        }
    }

    private mutating func grow() {
        var newSlots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = newSlots.count - 1
        for entry in 0..<entryHashes.count {
            var slot = Int(truncatingIfNeeded: entryHashes[entry]) & mask
            while newSlots[slot] != 0 { slot = (slot + 1) & mask }
            newSlots[slot] = Int32(entry + 1)
        }
        slots = newSlots
    }

    /// Fast non-cryptographic hash: 8 bytes per multiply-mix step, then a final avalanche.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            h = (h ^ word) &* multiplier
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* multiplier
        h ^= h >> 32
        h = h &* 0xD6E8_FEB8_6659_FD93
        h ^= h >> 32
        return h
    }
}

import Foundation

/// The vocabulary as an open-addressing hash table keyed on byte slices, so a WordPiece lookup hashes
/// bytes already in a buffer and allocates nothing (a `[[UInt8]: Int32]` lookup built an array per
/// candidate). `##` continuations live in the same table under their bytes without the `##`, with a
/// continuation flag and their own hash seed: looking up "##" + piece is looking up piece as a continuation.
///
/// Lookups read memory at random, so the layout is about cache misses (measured on realtext texts,
/// where the vocabulary in use does not stay in cache): a 128 KB filter answers most failed candidates
/// of a longest-match search, and a slot holds its key's first 8 bytes, so a hit on a key of up to
/// 8 bytes (most of them) touches one slot and nothing else.
struct WordPieceVocabulary: Sendable {
    /// 24 bytes.
    struct Slot: Sendable {
        /// The key's first 8 bytes, little-endian, zero-padded.
        var prefix: UInt64
        var tag: UInt32
        var id: Int32
        /// Where the key's bytes start in `arena` (read only past the first 8).
        var offset: UInt32
        var length: UInt16
        var continuation: Bool
    }

    private var slots: [Slot]
    private var mask: Int
    /// One bit per key, at bits of the hash the slot index does not use: most candidates of a
    /// longest-match search are not in the vocabulary ("tokenizatio", "tokenizati", …), and each
    /// probe of the slot table was a cache miss (31% of the time on real text); the filter answers
    /// most of them with one L2 access (false positives: ~3.5%).
    private var filter: [UInt64]
    static let filterBits = 1 << 20
    /// Every key's bytes, back to back (`Slot.offset`, `Slot.length`).
    private var arena: [UInt8] = []
    /// Longest key in bytes, whole-word and continuation: no candidate longer than this can match.
    private(set) var maxWordLength = 0
    private(set) var maxContinuationLength = 0
    /// `find` loads 8 bytes from any candidate start: the caller's buffer must extend this far past
    /// its last byte.
    static let readPadding = 8

    static let wordSeed: UInt64 = 0xCBF2_9CE4_8422_2325            // FNV-1a offset basis
    static let continuationSeed: UInt64 = 0x6C62_272E_07BB_0142
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// `tokens[i]` has id `i`; a repeated token keeps its first id, as the dictionary did.
    init(tokens: [[UInt8]]) {
        var capacity = 1024
        while capacity < tokens.count * 2 { capacity <<= 1 }   // load ≤ 0.5 for the whole words; ## adds ~20%
        slots = Array(repeating: Slot(prefix: 0, tag: 0, id: -1, offset: 0, length: 0, continuation: false),
                      count: capacity)
        mask = capacity - 1
        filter = Array(repeating: 0, count: Self.filterBits / 64)
        for (index, token) in tokens.enumerated() where !token.isEmpty && token.count <= Int(UInt16.max) {
            insert(token[...], continuation: false, id: Int32(index))
            if token.count > 2 && token[0] == 0x23 && token[1] == 0x23 {
                insert(token[2...], continuation: true, id: Int32(index))
            }
        }
    }

    private mutating func insert(_ key: ArraySlice<UInt8>, continuation: Bool, id: Int32) {
        let padded = Array(key) + [UInt8](repeating: 0, count: Self.readPadding)
        let found = padded.withUnsafeBufferPointer { find($0.baseAddress!, key.count, continuation: continuation) }
        if found >= 0 { return }   // a repeated token keeps its first id
        let hash = padded.withUnsafeBufferPointer {
            Self.mix(Self.hash($0.baseAddress!, key.count, continuation: continuation))
        }
        var index = Self.slotIndex(hash) & mask
        while slots[index].id >= 0 { index = (index + 1) & mask }
        slots[index] = Slot(prefix: padded.withUnsafeBufferPointer { Self.prefix($0.baseAddress!, key.count) },
                            tag: Self.tag(hash), id: id, offset: UInt32(arena.count), length: UInt16(key.count),
                            continuation: continuation)
        arena.append(contentsOf: key)
        let bit = Self.filterBit(hash)
        filter[bit >> 6] |= 1 << UInt64(bit & 63)
        if continuation { maxContinuationLength = max(maxContinuationLength, key.count) }
        else { maxWordLength = max(maxWordLength, key.count) }
    }

    @inline(__always)
    static func hash(_ bytes: UnsafePointer<UInt8>, _ count: Int, continuation: Bool) -> UInt64 {
        var hash = continuation ? continuationSeed : wordSeed
        for index in 0..<count { hash = (hash ^ UInt64(bytes[index])) &* prime }
        return hash
    }

    /// FNV-1a's low bits mix poorly (bit k of a product depends on bits 0…k only); one multiply-xorshift
    /// spreads every byte over the whole word, whose low bits pick the slot, high bits the filter bit
    /// and middle bits the tag.
    @inline(__always)
    static func mix(_ hash: UInt64) -> UInt64 {
        let mixed = (hash ^ (hash >> 31)) &* 0xBF58_476D_1CE4_E5B9
        return mixed ^ (mixed >> 29)
    }

    @inline(__always)
    static func slotIndex(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) }

    @inline(__always)
    static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 16) }

    @inline(__always)
    static func filterBit(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 44) & (filterBits - 1) }

    /// The first `min(count, 8)` bytes at `bytes` as a little-endian word, zero-padded (reads 8 bytes).
    @inline(__always)
    static func prefix(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        let word = UInt64(littleEndian: UnsafeRawPointer(bytes).loadUnaligned(as: UInt64.self))
        return count >= 8 ? word : word & ((1 << UInt64(8 * count)) - 1)
    }

    /// The id of `bytes[0..<count]` (as a continuation piece: of "##" + those bytes), or -1.
    /// `bytes` must be readable for `count + readPadding` bytes.
    @inline(__always)
    func find(_ bytes: UnsafePointer<UInt8>, _ count: Int, continuation: Bool) -> Int32 {
        find(bytes, count, hash: Self.hash(bytes, count, continuation: continuation), continuation: continuation)
    }

    /// `find`, given `hash`: `Self.hash` of the same bytes and flag.
    @inline(__always)
    func find(_ bytes: UnsafePointer<UInt8>, _ count: Int, hash: UInt64, continuation: Bool) -> Int32 {
        let hash = Self.mix(hash)
        let bit = Self.filterBit(hash)
        if filter.withUnsafeBufferPointer({ $0[bit >> 6] & (1 << UInt64(bit & 63)) }) == 0 { return -1 }
        let tag = Self.tag(hash)
        let prefix = Self.prefix(bytes, count)
        return slots.withUnsafeBufferPointer { slots in
            var index = Self.slotIndex(hash) & mask
            while true {
                let slot = slots[index]
                if slot.id < 0 { return -1 }
                if slot.tag == tag && slot.prefix == prefix && Int(slot.length) == count
                    && slot.continuation == continuation && (count <= 8 || tailEqual(slot, bytes, count)) {
                    return slot.id
                }
                index = (index + 1) & mask
            }
        }
    }

    /// Bytes 8… of a key longer than 8 against the arena.
    private func tailEqual(_ slot: Slot, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        arena.withUnsafeBufferPointer { arena in
            let key = arena.baseAddress! + Int(slot.offset)
            for index in 8..<count where key[index] != bytes[index] { return false }
            return true
        }
    }
}

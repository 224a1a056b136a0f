import Foundation

/// The vocabulary as an open-addressing hash table keyed on byte slices, so a WordPiece lookup hashes
/// bytes already in a buffer and allocates nothing (a `[[UInt8]: Int32]` lookup built an array per
/// candidate). `##` continuations live in the same table under their bytes without the `##`, with a
/// continuation flag and their own hash seed: looking up "##" + piece is looking up piece as a continuation.
struct WordPieceVocabulary: Sendable {
    /// 16 bytes, so the 36,000 keys of a BERT vocabulary fit 1 MB of slots at load ≤ 0.55.
    struct Slot: Sendable {
        var hash: UInt32
        var offset: UInt32
        var length: UInt16
        var continuation: Bool
        var id: Int32
    }

    private var slots: [Slot]
    private var mask: Int
    /// Every key's bytes, back to back (`Slot.offset`, `Slot.length`).
    private var arena: [UInt8] = []
    /// Longest key in bytes, whole-word and continuation: no candidate longer than this can match.
    private(set) var maxWordLength = 0
    private(set) var maxContinuationLength = 0

    static let wordSeed: UInt64 = 0xCBF2_9CE4_8422_2325            // FNV-1a offset basis
    static let continuationSeed: UInt64 = 0x6C62_272E_07BB_0142
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// `tokens[i]` has id `i`; a repeated token keeps its first id, as the dictionary did.
    init(tokens: [[UInt8]]) {
        var capacity = 1024
        while capacity < tokens.count * 2 * 2 { capacity <<= 1 }   // ≤ 2 keys per token, load ≤ 0.5
        slots = Array(repeating: Slot(hash: 0, offset: 0, length: 0, continuation: false, id: -1), count: capacity)
        mask = capacity - 1
        for (index, token) in tokens.enumerated() where !token.isEmpty && token.count <= Int(UInt16.max) {
            insert(token[...], continuation: false, id: Int32(index))
            if token.count > 2 && token[0] == 0x23 && token[1] == 0x23 {
                insert(token[2...], continuation: true, id: Int32(index))
            }
        }
    }

    private mutating func insert(_ key: ArraySlice<UInt8>, continuation: Bool, id: Int32) {
        let hash = key.withUnsafeBufferPointer { Self.hash($0.baseAddress!, $0.count, continuation: continuation) }
        let found = key.withUnsafeBufferPointer { find($0.baseAddress!, $0.count, hash: hash, continuation: continuation) }
        if found >= 0 { return }
        var index = Self.slotIndex(hash) & mask
        while slots[index].id >= 0 { index = (index + 1) & mask }
        slots[index] = Slot(hash: UInt32(truncatingIfNeeded: hash), offset: UInt32(arena.count),
                            length: UInt16(key.count), continuation: continuation, id: id)
        arena.append(contentsOf: key)
        if continuation { maxContinuationLength = max(maxContinuationLength, key.count) }
        else { maxWordLength = max(maxWordLength, key.count) }
    }

    @inline(__always)
    static func hash(_ bytes: UnsafePointer<UInt8>, _ count: Int, continuation: Bool) -> UInt64 {
        var hash = continuation ? continuationSeed : wordSeed
        for index in 0..<count { hash = (hash ^ UInt64(bytes[index])) &* prime }
        return hash
    }

    @inline(__always)
    static func slotIndex(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: (hash >> 32) ^ hash) }

    /// The id of `bytes[0..<count]` (as a continuation piece: of "##" + those bytes), or -1.
    /// `hash` is `Self.hash` of the same bytes and flag.
    @inline(__always)
    func find(_ bytes: UnsafePointer<UInt8>, _ count: Int, hash: UInt64, continuation: Bool) -> Int32 {
        let tag = UInt32(truncatingIfNeeded: hash)
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBufferPointer { arena in
                var index = Self.slotIndex(hash) & mask
                while true {
                    let slot = slots[index]
                    if slot.id < 0 { return -1 }
                    if slot.hash == tag && Int(slot.length) == count && slot.continuation == continuation
                        && memcmp(arena.baseAddress! + Int(slot.offset), bytes, count) == 0 {
                        return slot.id
                    }
                    index = (index + 1) & mask
                }
            }
        }
    }
}

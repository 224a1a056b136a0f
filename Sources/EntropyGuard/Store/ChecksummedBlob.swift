import Foundation

/// A cached value the store hands back to be reused without recomputing it (a MinHash signature, an
/// embedding) ends with 8 bytes: XXH3-64 (little-endian) of the value, seeded with the XXH3-64 of the
/// key it is stored under (the text hash). SQLite's b-tree checks never look inside a blob, so bytes
/// flipped in one would silently change decisions; a row found under another text's key would too.
/// The check finds both. Cost: one XXH3 over the value per read (~1 KB for a vector, well under 1% of
/// either dedup stage).
enum ChecksummedBlob {
    static let checksumSize = 8

    static func checksum(_ value: UnsafeRawBufferPointer, key: [UInt8]) -> UInt64 {
        XXH3.hash64(value, seed: XXH3.hash64(key))
    }

    /// Replaces `stored` with `value` followed by its checksum.
    static func seal(_ value: UnsafeRawBufferPointer, key: [UInt8], into stored: inout [UInt8]) {
        stored.removeAll(keepingCapacity: true)
        stored.append(contentsOf: value)
        withUnsafeBytes(of: checksum(value, key: key).littleEndian) { stored.append(contentsOf: $0) }
    }

    /// The value part of `stored` when its checksum holds, nil otherwise (too short included).
    static func open(_ stored: UnsafeRawBufferPointer, key: [UInt8]) -> UnsafeRawBufferPointer? {
        guard stored.count >= checksumSize else { return nil }
        let value = UnsafeRawBufferPointer(rebasing: stored[..<(stored.count - checksumSize)])
        var expected: UInt64 = 0
        withUnsafeMutableBytes(of: &expected) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: stored[value.count...])) }
        return UInt64(littleEndian: expected) == checksum(value, key: key) ? value : nil
    }

    /// A key (text hash) as hex, for messages.
    static func hex(_ key: [UInt8]) -> String {
        key.map { String(format: "%02x", $0) }.joined()
    }
}

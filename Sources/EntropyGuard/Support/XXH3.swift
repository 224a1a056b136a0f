import CXXHash
#if canImport(Glibc)
import Glibc
#endif

/// XXH3 hashes from libxxhash (the one-shot and streaming functions declared in xxhash.h).
public enum XXH3 {
    public static func hash64(_ buffer: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits(buffer.baseAddress, buffer.count)
    }

    public static func hash64(_ buffer: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        XXH3_64bits_withSeed(buffer.baseAddress, buffer.count, seed)
    }

    public static func hash64(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { hash64($0) }
    }

    public static func hash64(_ string: String) -> UInt64 {
        var string = string
        return string.withUTF8 { hash64(UnsafeRawBufferPointer($0)) }
    }

    public static func hash128(_ bytes: [UInt8]) -> XXH3Digest128 {
        bytes.withUnsafeBytes { XXH3Digest128(XXH3_128bits($0.baseAddress, $0.count)) }
    }

    public static func hash128(_ string: String) -> XXH3Digest128 {
        var string = string
        return string.withUTF8 { XXH3Digest128(XXH3_128bits($0.baseAddress, $0.count)) }
    }
}

/// A 128-bit XXH3 digest; `hex` is the canonical big-endian form XXH3's own tools print.
public struct XXH3Digest128: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64

    init(_ value: XXH128_hash_t) {
        high = value.high64
        low = value.low64
    }

    public var hex: String { hex64(high) + hex64(low) }

    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) } +
            (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }
}

func hex64(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

/// Streaming XXH3-128 over data that arrives in pieces (the input file or stdin).
public final class XXH3Stream128 {
    private let state: OpaquePointer

    public init() {
        state = XXH3_createState()
        XXH3_128bits_reset(state)
    }

    deinit { XXH3_freeState(state) }

    public func update(_ buffer: UnsafeRawBufferPointer) {
        XXH3_128bits_update(state, buffer.baseAddress, buffer.count)
    }

    public func digest() -> XXH3Digest128 { XXH3Digest128(XXH3_128bits_digest(state)) }
}

/// Streaming XXH3-64 (used for snapshot files and outputs).
public final class XXH3Stream64 {
    private let state: OpaquePointer

    public init() {
        state = XXH3_createState()
        XXH3_64bits_reset(state)
    }

    private init(copying other: XXH3Stream64) {
        state = XXH3_createState()
        XXH3_copyState(state, other.state)
    }

    /// A stream that has seen what this one has (XXH3_copyState); each goes on alone.
    public func copy() -> XXH3Stream64 { XXH3Stream64(copying: self) }

    deinit { XXH3_freeState(state) }

    public func update(_ buffer: UnsafeRawBufferPointer) {
        XXH3_64bits_update(state, buffer.baseAddress, buffer.count)
    }

    public func digest() -> UInt64 { XXH3_64bits_digest(state) }

    /// Adds the bytes of the open file `descriptor` from `offset` to its end; false when it cannot be
    /// read. pread(2) into one 4 MiB buffer: FileHandle.read(upToCount:) reads 4 KiB per call on
    /// Linux, which made hashing a 45 MB snapshot take 0.8 s.
    public func update(descriptor: Int32, from offset: Int64) -> Bool {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 64)
        defer { buffer.deallocate() }
        var position = offset
        while true {
            let n = pread(descriptor, buffer.baseAddress, buffer.count, off_t(position))
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            if n == 0 { return true }
            update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            position += Int64(n)
        }
    }
}

import CBrotli
import CLZ4
import CSnappy
import CZlib
import CZstd

/// Decompresses page bodies for the reader, into one output buffer reused from page to page (a
/// page's decoded values are copied out of it before the next page comes).
///
/// Every codec of the format but LZO: UNCOMPRESSED, SNAPPY (raw blocks), GZIP (gzip members, zlib
/// streams accepted too), ZSTD, BROTLI, LZ4_RAW (one raw block) and LZ4, the deprecated codec whose
/// files come in two kinds: parquet-mr's Hadoop framing (blocks of big-endian uncompressed and
/// compressed lengths, then the raw block) and, from old Arrow, a bare raw block. Like Arrow's
/// `Lz4HadoopCodec` the framing is tried first and the raw block second. The page header gives the
/// exact uncompressed size; a codec producing any other size is a bad page.
final class PageDecompressor {
    private var zstd: OpaquePointer?
    private var output: [UInt8] = []

    init() {}

    deinit {
        if let zstd { ZSTD_freeDCtx(zstd) }
    }

    /// Whether this reader can decompress `codec`.
    static func supports(_ codec: CompressionCodec) -> Bool { codec != .lzo }

    /// Calls `body` with `input` decompressed to exactly `size` bytes (valid only during the call).
    /// - Throws: `PageProblem` (decompressionFailed / unsupportedCodec).
    func withDecompressed<R>(_ input: UnsafeRawBufferPointer, codec: CompressionCodec, size: Int,
                             _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        if codec == .uncompressed {
            guard input.count == size else {
                throw PageProblem.bad("uncompressed page holds \(input.count) bytes, its header says \(size)")
            }
            return try body(input)
        }
        if size == 0 && input.isEmpty { return try body(input) }  // a v2 page whose values are all null
        if output.count < size { output = [UInt8](repeating: 0, count: size) }
        let produced = try output.withUnsafeMutableBytes { out in
            try decompress(input, codec: codec, into: UnsafeMutableRawBufferPointer(rebasing: out[0..<size]))
        }
        guard produced == size else {
            throw PageProblem(.decompressionFailed(codec: codec.description, message: "\(produced) bytes, page header says \(size)"))
        }
        return try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
    }

    /// Decompresses into `out` and returns the number of bytes produced.
    private func decompress(_ input: UnsafeRawBufferPointer, codec: CompressionCodec, into out: UnsafeMutableRawBufferPointer) throws -> Int {
        let fail = { (message: String) in PageProblem(.decompressionFailed(codec: codec.description, message: message)) }
        // Empty buffers may have a nil base address; the libraries want a valid pointer.
        var empty: UInt8 = 0
        return try withUnsafeMutablePointer(to: &empty) { emptyPointer -> Int in
            let src = input.baseAddress ?? UnsafeRawPointer(emptyPointer)
            let dst = out.baseAddress ?? UnsafeMutableRawPointer(emptyPointer)
            switch codec {
            case .uncompressed:
                preconditionFailure("handled by the caller")
            case .snappy:
                var length = out.count
                let status = snappy_uncompress(src.assumingMemoryBound(to: CChar.self), input.count,
                                               dst.assumingMemoryBound(to: CChar.self), &length)
                guard status == SNAPPY_OK else {
                    throw fail(status == SNAPPY_BUFFER_TOO_SMALL ? "more bytes than the page header says" : "invalid input")
                }
                return length
            case .zstd:
                if zstd == nil { zstd = ZSTD_createDCtx() }
                guard let zstd else { throw fail("cannot create a context") }
                let n = ZSTD_decompressDCtx(zstd, dst, out.count, src, input.count)
                if ZSTD_isError(n) != 0 { throw fail(String(cString: ZSTD_getErrorName(n))) }
                return n
            case .gzip:
                return try Self.inflate(src, input.count, into: dst, out.count, fail)
            case .brotli:
                var length = out.count
                let result = BrotliDecoderDecompress(input.count, src.assumingMemoryBound(to: UInt8.self), &length,
                                                     dst.assumingMemoryBound(to: UInt8.self))
                guard result == BROTLI_DECODER_RESULT_SUCCESS else { throw fail("invalid input") }
                return length
            case .lz4Raw:
                return try Self.lz4Block(src, input.count, into: dst, out.count, fail)
            case .lz4:
                if let n = Self.lz4Hadoop(src, input.count, into: dst, out.count) { return n }
                return try Self.lz4Block(src, input.count, into: dst, out.count, fail)
            case .lzo:
                throw PageProblem(.unsupportedCodec("LZO"))
            }
        }
    }

    private static func lz4Block(_ src: UnsafeRawPointer, _ count: Int, into dst: UnsafeMutableRawPointer, _ capacity: Int,
                                 _ fail: (String) -> PageProblem) throws -> Int {
        guard count <= Int(Int32.max), capacity <= Int(Int32.max) else { throw fail("page larger than 2 GiB") }
        let n = LZ4_decompress_safe(src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self),
                                    Int32(count), Int32(capacity))
        guard n >= 0 else { throw fail("invalid input") }
        return Int(n)
    }

    /// The Hadoop framing: nil when the input is not made of whole, valid frames.
    private static func lz4Hadoop(_ src: UnsafeRawPointer, _ count: Int, into dst: UnsafeMutableRawPointer, _ capacity: Int) -> Int? {
        var read = 0, written = 0
        func bigEndian32(_ at: Int) -> Int {
            (0..<4).reduce(0) { $0 << 8 | Int(src.load(fromByteOffset: at + $1, as: UInt8.self)) }
        }
        while read < count {
            guard count - read >= 8 else { return nil }
            let expected = bigEndian32(read), compressed = bigEndian32(read + 4)
            read += 8
            guard compressed <= count - read, expected <= capacity - written else { return nil }
            let n = LZ4_decompress_safe(src.advanced(by: read).assumingMemoryBound(to: CChar.self),
                                        dst.advanced(by: written).assumingMemoryBound(to: CChar.self),
                                        Int32(compressed), Int32(expected))
            guard n == Int32(expected) else { return nil }
            read += compressed
            written += expected
        }
        return written
    }

    /// gzip (or zlib) members, one after the other, until the input ends.
    private static func inflate(_ src: UnsafeRawPointer, _ count: Int, into dst: UnsafeMutableRawPointer, _ capacity: Int,
                                _ fail: (String) -> PageProblem) throws -> Int {
        var stream = z_stream()
        // windowBits 15 + 32: detect a gzip or zlib header.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw fail("cannot initialize zlib")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: src.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(count)
        stream.next_out = dst.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(capacity)
        while true {
            let status = CZlib.inflate(&stream, Z_FINISH)
            if status == Z_STREAM_END {
                // Another member may follow (concatenated gzip); trailing zero padding ends the input.
                if stream.avail_in == 0 || stream.next_in.pointee == 0 { break }
                guard inflateReset(&stream) == Z_OK else { throw fail("cannot reset zlib") }
                continue
            }
            if status == Z_BUF_ERROR && stream.avail_out == 0 { throw fail("more bytes than the page header says") }
            let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
            throw fail(message)
        }
        return capacity - Int(stream.avail_out)
    }
}

/// CRC-32 (zlib's, the one page headers carry) of `bytes`.
func crc32Checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
    var crc: uLong = 0
    var offset = 0
    // zlib takes a uInt length: feed at most 1 GiB at a time.
    while offset < bytes.count {
        let n = min(bytes.count - offset, 1 << 30)
        crc = crc32(crc, base.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(n))
        offset += n
    }
    return UInt32(truncatingIfNeeded: crc)
}

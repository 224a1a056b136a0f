import CSnappy
import CZstd
import Dispatch

/// Compresses page bodies with the configured codec, reusing one zstd context and output buffer.
final class PageCompressor {
    let codec: CompressionCodec
    private let level: Int32
    private let context: OpaquePointer?
    private var output: [UInt8] = []

    init(_ compression: ParquetCompression) throws {
        switch compression {
        case .uncompressed:
            codec = .uncompressed
            level = 0
            context = nil
        case .zstd(let level):
            codec = .zstd
            self.level = level
            guard let ctx = ZSTD_createCCtx() else { throw ParquetError.compression("cannot create a zstd context") }
            context = ctx
        case .snappy:
            codec = .snappy
            level = 0
            context = nil
        }
    }

    deinit {
        if let context { ZSTD_freeCCtx(context) }
    }

    /// Calls `body` with the compressed form of `input` (valid only during the call).
    func withCompressed<R>(_ input: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        if codec == .snappy { return try withSnappy(input, body) }
        guard let context else {
            return try input.withUnsafeBytes(body)
        }
        let bound = ZSTD_compressBound(input.count)
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ZSTD_compressCCtx(context, dst.baseAddress, dst.count, src.baseAddress, src.count, level)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw ParquetError.compression("zstd: \(String(cString: ZSTD_getErrorName(written)))")
        }
        return try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<written])) }
    }

    /// Snappy's raw format (not its framing format), as Parquet's SNAPPY codec is.
    private func withSnappy<R>(_ input: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let bound = snappy_max_compressed_length(input.count)
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        var written = bound
        let status = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                snappy_compress(src.baseAddress?.assumingMemoryBound(to: CChar.self), src.count,
                                dst.baseAddress!.assumingMemoryBound(to: CChar.self), &written)
            }
        }
        guard status == SNAPPY_OK else { throw ParquetError.compression("snappy: status \(status.rawValue)") }
        return try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<written])) }
    }
}

/// One encoded page: its header and (compressed) body, ready to be written, and its two sizes as
/// ColumnMetaData counts them (header included). Filled once its compression is done.
final class EncodedPage {
    private(set) var bytes: [UInt8] = []
    private(set) var uncompressedSize = 0
    private(set) var compressedSize = 0

    func fill(header: [UInt8], compressed: UnsafeRawBufferPointer, bodyCount: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(header.count + compressed.count)
        out.append(contentsOf: header)
        out.appendBytes(compressed)
        bytes = out
        uncompressedSize = header.count + bodyCount
        compressedSize = header.count + compressed.count
    }
}

/// Compresses a writer's pages on a thread of its own, so that encoding the next values overlaps
/// compressing the last page (zstd is about half of the CPU time of writing text columns). At most
/// `pagesAhead` pages wait, so memory stays bounded; each page is compressed on its own, so the bytes
/// are the same as on the writer's thread.
final class BackgroundCompressor {
    private let compressor: PageCompressor
    private let queue = DispatchQueue(label: "parquet.page-compression")
    private let group = DispatchGroup()
    private let slots: DispatchSemaphore
    /// Set on the queue; read after `group.wait()`.
    private var failure: Error?

    init(_ compression: ParquetCompression, pagesAhead: Int = 4) throws {
        compressor = try PageCompressor(compression)
        slots = DispatchSemaphore(value: pagesAhead)
    }

    /// Queues `body`; `header(compressedCount)` makes the page header once its size is known.
    func compress(_ body: [UInt8], into page: EncodedPage, header: @escaping (Int) -> [UInt8]) {
        slots.wait()
        queue.async(group: group) { [self] in
            defer { slots.signal() }
            guard failure == nil else { return }
            do {
                try compressor.withCompressed(body) { page.fill(header: header($0.count), compressed: $0, bodyCount: body.count) }
            } catch {
                failure = error
            }
        }
    }

    /// Waits for every queued page; rethrows the first compression error.
    func wait() throws {
        group.wait()
        if let failure { throw failure }
    }
}

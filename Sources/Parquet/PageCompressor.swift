import CZstd

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
        }
    }

    deinit {
        if let context { ZSTD_freeCCtx(context) }
    }

    /// Calls `body` with the compressed form of `input` (valid only during the call).
    func withCompressed<R>(_ input: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
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
}

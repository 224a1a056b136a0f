/// Tuning knobs of `ParquetFileReader`; every one has a default.
public struct ParquetReaderOptions: Sendable {
    /// Check each page's CRC-32 when its header carries one (pyarrow writes them only when asked;
    /// the check costs about as much as reading the page's bytes once more).
    public var verifyChecksums: Bool
    /// Decode a row group's column chunks on several threads (one per column at a time). Values and
    /// errors are the same either way: each column is decoded on its own, and the error reported is
    /// that of the first failing column in schema order.
    public var decodeColumnsInParallel: Bool

    public init(verifyChecksums: Bool = true, decodeColumnsInParallel: Bool = true) {
        self.verifyChecksums = verifyChecksums
        self.decodeColumnsInParallel = decodeColumnsInParallel
    }
}

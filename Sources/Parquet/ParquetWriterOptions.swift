/// Page compression codec.
public enum ParquetCompression: Sendable, Equatable {
    case uncompressed
    /// Zstandard at the given level (1...22; 3 is zstd's own default).
    case zstd(level: Int32)
    /// Snappy (pyarrow's and pandas' default), raw format: about 2.3x as fast as zstd level 3 on
    /// English-like text, for larger files (see `SnapshotExporter.compression`).
    case snappy
}

/// Tuning knobs of `ParquetWriter`. Defaults suit large text datasets.
public struct ParquetWriterOptions: Sendable {
    /// A row group is flushed once its buffered (encoded, uncompressed) data reaches this many bytes.
    /// Memory use is bounded by about one row group.
    public var rowGroupByteLimit: Int
    /// A row group is flushed once it has this many rows (whichever limit comes first).
    public var rowGroupRowLimit: Int = .max
    /// A data page is closed once its encoded (uncompressed) size reaches this many bytes.
    public var pageByteLimit: Int
    /// A string column's dictionary may grow to this many bytes (PLAIN-encoded size) in a column
    /// chunk; past it the rest of the chunk is written PLAIN.
    public var dictionaryByteLimit: Int
    /// Try dictionary encoding for string columns (kept only where it makes the data smaller).
    public var useDictionary: Bool
    /// Codec applied to every page.
    public var compression: ParquetCompression
    /// The footer's `created_by`, e.g. `"entropyguard 1.2.0"`.
    public var createdBy: String
    /// Compress pages on a second thread while the caller appends the next values (same file).
    public var compressInBackground: Bool
    /// The footer's key/value metadata (FileMetaData field 5), written in this order; a nil value is
    /// a key without value. Readers such as pyarrow take column types that Parquet cannot express
    /// (time zones, large strings, dictionaries) from the Arrow schema stored under "ARROW:schema";
    /// `ParquetFileReader.keyValueMetadata` reads the pairs back. None by default.
    public var keyValueMetadata: [(key: String, value: String?)]

    /// Creates options; every parameter has a default.
    public init(rowGroupByteLimit: Int = 128 << 20,
                pageByteLimit: Int = 1 << 20,
                dictionaryByteLimit: Int = 1 << 20,
                useDictionary: Bool = true,
                compression: ParquetCompression = .zstd(level: 3),
                createdBy: String = "entropyguard dev",
                compressInBackground: Bool = false,
                keyValueMetadata: [(key: String, value: String?)] = []) {
        self.rowGroupByteLimit = rowGroupByteLimit
        self.pageByteLimit = pageByteLimit
        self.dictionaryByteLimit = dictionaryByteLimit
        self.useDictionary = useDictionary
        self.compression = compression
        self.createdBy = createdBy
        self.compressInBackground = compressInBackground
        self.keyValueMetadata = keyValueMetadata
    }
}

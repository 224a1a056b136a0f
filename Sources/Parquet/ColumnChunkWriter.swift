/// The encoded pages of one column chunk, ready to be written, with what its ColumnMetaData needs.
struct FinishedColumnChunk {
    /// Header + (compressed) body of the dictionary page, when the chunk is dictionary encoded.
    var dictionaryPage: [UInt8]?
    /// Header + (compressed) body of each data page, in order.
    var dataPages: [[UInt8]]
    var valueCount: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var encodings: [ColumnEncoding]
    var statistics: Statistics
}

/// Buffers one column's values for the current row group and encodes them into v1 data pages.
///
/// Byte-array columns (strings, binary) start dictionary encoded (RLE_DICTIONARY pages + one PLAIN dictionary page). The
/// dictionary is dropped when the first page shows it does not make the data smaller, and the
/// rest of the chunk falls back to PLAIN once the dictionary would exceed its byte limit
/// (the pages already written keep using it, as parquet-mr does).
///
/// A struct rather than a class: its fields are then accessed without the runtime exclusivity
/// checks that class properties need, which matters on this per-value path.
struct ColumnChunkWriter {
    let leaf: WriterLeaf
    private let options: ParquetWriterOptions
    /// `options.pageByteLimit`, for the per-value check: reading it through `options` (a struct with
    /// a String) made the compiler copy the whole writer (360 bytes) on every value: perf, 0.3 CPU-s of
    /// the 1M-row defaults run's snapshots.
    private let pageByteLimit: Int
    private let compressor: PageCompressor
    /// Compresses the pages on another thread when the options ask for it (shared by the columns).
    private let background: BackgroundCompressor?

    // Current page.
    /// PLAIN-encoded values; booleans are one byte each here and bit-packed when the page is encoded.
    private var pageValues: [UInt8] = []
    private var pageIndices: [UInt32] = []
    private var pageDefinitionLevels: [UInt8] = []
    /// Only under a repeated field (`leaf.maxRepetitionLevel > 0`).
    private var pageRepetitionLevels: [UInt8] = []
    /// The repetition level of the next entry, set by `ValueShredder` (always 0 outside lists).
    private var repetitionLevel: UInt8 = 0
    private let definitionBitWidth: Int
    private let repetitionBitWidth: Int
    /// `leaf`'s levels and type, copied out of it for the per-value path.
    private let maxDefinitionLevel: UInt8
    private let repeated: Bool
    private let isBoolean: Bool
    /// Values in the page, nulls included.
    private var pageValueCount = 0
    /// PLAIN size of the page's dictionary-encoded values, to judge whether the dictionary pays.
    private var pagePlainSizeOfIndexedValues = 0

    // Current column chunk.
    /// One array per page rather than one growing buffer: no reallocation copies of the chunk.
    private var dataPages: [EncodedPage] = []
    private var chunkValueCount: Int64 = 0
    /// The data pages' uncompressed size (headers included) as far as known: exact for pages
    /// compressed on this thread; for pages compressed in the background, their header's size
    /// depends on the compressed size, which may add up to 4 bytes each (`chunkSizeUncertainty`).
    private var chunkUncompressedLowerBound = 0
    private var chunkSizeUncertainty = 0
    private var dictionary = ByteDictionary()
    private var dictionaryActive: Bool
    private var wroteDictionaryDataPage = false
    private var wrotePlainDataPage = false
    private var statistics = ColumnStatistics()

    init(leaf: WriterLeaf, options: ParquetWriterOptions, compressor: PageCompressor, background: BackgroundCompressor?) {
        self.leaf = leaf
        maxDefinitionLevel = UInt8(leaf.maxDefinitionLevel)
        repeated = leaf.maxRepetitionLevel > 0
        isBoolean = leaf.physicalType == .boolean
        // No levels at all where the maximum level is 0 (bitWidth(forMaxValue:) is at least 1).
        definitionBitWidth = leaf.maxDefinitionLevel == 0 ? 0 : RLEHybridEncoder.bitWidth(forMaxValue: UInt64(leaf.maxDefinitionLevel))
        repetitionBitWidth = leaf.maxRepetitionLevel == 0 ? 0 : RLEHybridEncoder.bitWidth(forMaxValue: UInt64(leaf.maxRepetitionLevel))
        self.options = options
        pageByteLimit = options.pageByteLimit
        self.compressor = compressor
        self.background = background
        dictionaryActive = Self.startsWithDictionary(leaf, options)
    }

    private static func startsWithDictionary(_ leaf: WriterLeaf, _ options: ParquetWriterOptions) -> Bool {
        options.useDictionary && leaf.physicalType == .byteArray
    }

    /// Encoded (uncompressed) bytes held for the current chunk: finished pages, dictionary, open page;
    /// at least `lowerBound`, at most `lowerBound + uncertainty` (exact once the background
    /// compression has caught up: see `exactBufferedBytes`).
    var bufferedBytes: (lowerBound: Int, uncertainty: Int) {
        (chunkUncompressedLowerBound + dictionary.byteSize + pageSizeEstimate, chunkSizeUncertainty)
    }

    /// `bufferedBytes` exactly; only after the background compression has finished its pages.
    var exactBufferedBytes: Int {
        dataPages.reduce(0) { $0 + $1.uncompressedSize } + dictionary.byteSize + pageSizeEstimate
    }

    @inline(__always)
    private var pageSizeEstimate: Int {
        let values = isBoolean ? pageValues.count / 8 : pageValues.count
        return values + pageIndices.count * 4 + (pageDefinitionLevels.count * definitionBitWidth + pageRepetitionLevels.count * repetitionBitWidth) / 8
    }

    /// Whether `value` may be stored in this column (a top-level primitive one): by physical type.
    func accepts(_ value: ParquetValue) -> Bool {
        switch (value, leaf.physicalType) {
        case (.null, _): return leaf.maxDefinitionLevel > 0
        case (.bool, .boolean), (.int64, .int64), (.double, .double), (.string, .byteArray), (.bytes, .byteArray):
            return true
        default: return false
        }
    }

    /// Appends one value; the caller has checked `accepts(value)`.
    mutating func append(_ value: ParquetValue) throws {
        switch value {
        case .null: try appendNull()
        case .bool(let v): try appendBool(v)
        case .int64(let v): try appendInt64(v)
        case .double(let v): try appendDouble(v)
        case .string(var s): try s.withUTF8 { try appendBytes(UnsafeRawBufferPointer($0)) }
        case .bytes(let b): try b.withUnsafeBytes { try appendBytes($0) }
        }
    }

    mutating func appendNull() throws {
        pageDefinitionLevels.append(0)
        pageValueCount += 1
        statistics.nullCount += 1
        try flushPageIfFull()
    }

    /// A level entry without a value (a null, or an empty list, at `definition`), under a list.
    mutating func appendLevels(repetition: Int, definition: Int) {
        pageDefinitionLevels.append(UInt8(definition))
        if leaf.maxRepetitionLevel > 0 { pageRepetitionLevels.append(UInt8(repetition)) }
        pageValueCount += 1
        statistics.nullCount += 1
    }

    /// Sets the repetition level of the next value (`ValueShredder`).
    mutating func setRepetition(_ level: Int) { repetitionLevel = UInt8(level) }

    /// After a whole record's entries: pages end on record boundaries (readers with page indexes
    /// expect it of v1 pages, and the level counts stay per record).
    mutating func endRecord() throws { try flushPageIfFull() }

    mutating func appendInt32(_ v: Int32) throws {
        pageValues.appendLittleEndian(v)
        statistics.observe(Int64(v))
        try valueAppended()
    }

    mutating func appendFloat(_ v: Float) throws {
        pageValues.appendLittleEndian(v.bitPattern)
        statistics.observe(Double(v))
        try valueAppended()
    }

    /// A FIXED_LEN_BYTE_ARRAY or INT96 value: exactly `leaf.typeLength` bytes, checked by the caller.
    mutating func appendFixed(_ bytes: UnsafeRawBufferPointer) throws {
        pageValues.appendBytes(bytes)
        statistics.observe(bytes)
        try valueAppended()
    }

    mutating func appendBool(_ v: Bool) throws {
        pageValues.append(v ? 1 : 0)
        statistics.observe(v)
        try valueAppended()
    }

    mutating func appendInt64(_ v: Int64) throws {
        pageValues.appendLittleEndian(v)
        statistics.observe(v)
        try valueAppended()
    }

    mutating func appendDouble(_ v: Double) throws {
        pageValues.appendLittleEndian(v.bitPattern)
        statistics.observe(v)
        try valueAppended()
    }

    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count <= Int(Int32.max) else {
            throw ParquetError.limitExceeded("a value of column \(leaf.name) exceeds 2 GiB")
        }
        if dictionaryActive {
            if let (index, isNew) = dictionary.index(of: bytes, byteLimit: options.dictionaryByteLimit) {
                // Each distinct value reaches the statistics once, when it enters the dictionary.
                if isNew { statistics.observe(bytes) }
                pageIndices.append(UInt32(index))
                pagePlainSizeOfIndexedValues += 4 + bytes.count
                try valueAppended()
                return
            }
            try stopDictionary()
        }
        pageValues.appendLittleEndian(UInt32(bytes.count))
        pageValues.appendBytes(bytes)
        statistics.observe(bytes)
        try valueAppended()
    }

    @inline(__always)
    private mutating func valueAppended() throws {
        if maxDefinitionLevel > 0 { pageDefinitionLevels.append(maxDefinitionLevel) }
        pageValueCount += 1
        if repeated {
            pageRepetitionLevels.append(repetitionLevel)
        } else {
            try flushPageIfFull()
        }
    }

    @inline(__always)
    private mutating func flushPageIfFull() throws {
        if pageSizeEstimate >= pageByteLimit { try flushPage() }
    }

    /// Closes the open page with the dictionary, then writes the rest of the chunk PLAIN.
    private mutating func stopDictionary() throws {
        if pageValueCount > 0 { try flushPage() }
        dictionaryActive = false
    }

    /// Whether the open (first) page plus the dictionary are smaller than the same values PLAIN.
    private var dictionaryPays: Bool {
        let indexBits = RLEHybridEncoder.bitWidth(forMaxValue: UInt64(max(dictionary.count - 1, 0)))
        return dictionary.byteSize + pageIndices.count * indexBits / 8 < pagePlainSizeOfIndexedValues
    }

    private mutating func flushPage() throws {
        guard pageValueCount > 0 else { return }
        if dictionaryActive && !wroteDictionaryDataPage && !dictionaryPays {
            // Re-encode the first page PLAIN from the dictionary and stop using it for this chunk.
            for index in pageIndices { dictionary.appendPlain(Int(index), to: &pageValues) }
            pageIndices.removeAll(keepingCapacity: true)
            dictionary = ByteDictionary()
            dictionaryActive = false
        }
        let encoding: ColumnEncoding = dictionaryActive ? .rleDictionary : .plain
        try dataPages.append(encodeDataPage(encoding))
        chunkValueCount += Int64(pageValueCount)
        if encoding == .plain { wrotePlainDataPage = true } else { wroteDictionaryDataPage = true }

        pageValues.removeAll(keepingCapacity: true)
        pageIndices.removeAll(keepingCapacity: true)
        pageDefinitionLevels.removeAll(keepingCapacity: true)
        pageRepetitionLevels.removeAll(keepingCapacity: true)
        pageValueCount = 0
        pagePlainSizeOfIndexedValues = 0
    }

    private mutating func encodeDataPage(_ encoding: ColumnEncoding) throws -> EncodedPage {
        let header = DataPageHeader(numValues: Int32(pageValueCount), encoding: encoding)
        if leaf.maxDefinitionLevel == 0 && encoding == .plain && leaf.physicalType != .boolean {
            return try encodePage(pageValues, type: .dataPage, dataPage: header)  // body is the values as is
        }
        var body: [UInt8] = []
        body.reserveCapacity(pageValues.count + pageIndices.count + pageDefinitionLevels.count / 4 + 64)
        // v1 pages: repetition then definition levels, each RLE with a length prefix.
        for (levels, bitWidth) in [(pageRepetitionLevels, repetitionBitWidth), (pageDefinitionLevels, definitionBitWidth)] where bitWidth > 0 {
            var encoded: [UInt8] = []
            RLEHybridEncoder.encode(levels, bitWidth: bitWidth, into: &encoded)
            body.appendLittleEndian(UInt32(encoded.count))
            body.append(contentsOf: encoded)
        }
        if encoding == .rleDictionary {
            let bitWidth = RLEHybridEncoder.bitWidth(forMaxValue: UInt64(max(dictionary.count - 1, 0)))
            body.append(UInt8(bitWidth))
            RLEHybridEncoder.encode(pageIndices, bitWidth: bitWidth, into: &body)
        } else if leaf.physicalType == .boolean {
            Self.appendBitPacked(booleans: pageValues, to: &body)
        } else {
            body.append(contentsOf: pageValues)
        }
        return try encodePage(body, type: .dataPage, dataPage: header)
    }

    /// PLAIN booleans: one bit each, LSB first.
    private static func appendBitPacked(booleans: [UInt8], to out: inout [UInt8]) {
        var byte: UInt8 = 0
        for (i, v) in booleans.enumerated() {
            byte |= v << UInt8(i & 7)
            if i & 7 == 7 {
                out.append(byte)
                byte = 0
            }
        }
        if booleans.count % 8 != 0 { out.append(byte) }
    }

    /// Page header + compressed body, counted into the chunk's size; compressed in the background
    /// when there is a background compressor.
    private mutating func encodePage(_ body: [UInt8], type: PageType, dataPage: DataPageHeader? = nil,
                            dictionaryPage: DictionaryPageHeader? = nil) throws -> EncodedPage {
        guard body.count <= Int(Int32.max) else {
            throw ParquetError.limitExceeded("page of column \(leaf.name) exceeds 2 GiB")
        }
        let header = { (compressedCount: Int) -> [UInt8] in
            ThriftCompactEncoder.encode(PageHeader(type: type, uncompressedSize: Int32(body.count), compressedSize: Int32(compressedCount),
                                                   dataPage: dataPage, dictionaryPage: dictionaryPage))
        }
        let page = EncodedPage()
        if let background {
            // The compressed size is a 1 to 5 byte varint of the header.
            chunkUncompressedLowerBound += header(0).count + body.count
            chunkSizeUncertainty += 4
            background.compress(body, into: page, header: header)
        } else {
            try compressor.withCompressed(body) { page.fill(header: header($0.count), compressed: $0, bodyCount: body.count) }
            chunkUncompressedLowerBound += page.uncompressedSize
        }
        return page
    }

    /// Encodes what is buffered as a finished column chunk and resets for the next row group.
    mutating func finishChunk() throws -> FinishedColumnChunk {
        try flushPage()
        var dictionaryPage: EncodedPage?
        if wroteDictionaryDataPage {
            dictionaryPage = try encodePage(dictionary.plainData, type: .dictionaryPage,
                                            dictionaryPage: DictionaryPageHeader(numValues: Int32(dictionary.count)))
        }
        try background?.wait()
        let pages = dataPages + (dictionaryPage.map { [$0] } ?? [])
        var encodings: [ColumnEncoding] = []
        if wrotePlainDataPage || wroteDictionaryDataPage { encodings.append(.plain) }
        if leaf.maxDefinitionLevel > 0 || leaf.maxRepetitionLevel > 0 { encodings.append(.rle) }
        if wroteDictionaryDataPage { encodings.append(.rleDictionary) }

        let finished = FinishedColumnChunk(
            dictionaryPage: dictionaryPage?.bytes, dataPages: dataPages.map(\.bytes), valueCount: chunkValueCount,
            totalUncompressedSize: Int64(pages.reduce(0) { $0 + $1.uncompressedSize }),
            totalCompressedSize: Int64(pages.reduce(0) { $0 + $1.compressedSize }),
            encodings: encodings, statistics: statistics.encoded(for: leaf))

        dataPages = []
        chunkValueCount = 0
        chunkUncompressedLowerBound = 0
        chunkSizeUncertainty = 0
        dictionary = ByteDictionary()
        dictionaryActive = Self.startsWithDictionary(leaf, options)
        wroteDictionaryDataPage = false
        wrotePlainDataPage = false
        statistics = ColumnStatistics()
        return finished
    }
}

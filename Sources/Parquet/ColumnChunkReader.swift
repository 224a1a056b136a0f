/// Reads one column chunk (one leaf column of one row group): its bytes in one read, then page after
/// page — header (Thrift), CRC when the header has one, decompression, levels, values — into a
/// `ColumnChunkData`. Failures name the row group, column and page (pages counted from 0 in the
/// chunk, its dictionary page included).
struct ColumnChunkReader {
    let file: ReadOnlyFile
    let chunk: FooterColumnChunk
    let leaf: ParquetLeafColumn
    let rowGroup: Int
    /// Rows of the row group: a column outside lists has exactly this many level entries.
    let rowCount: Int64
    let decompressor: PageDecompressor
    let verifyChecksums: Bool

    /// Most level entries / values reserved up front from the footer's count (16M).
    static let reservationCap: Int64 = 1 << 24
    /// Most bytes reserved up front for a byte-array column from the footer's size (1 GiB).
    static let byteReservationCap: Int64 = 1 << 30

    func read() throws -> ColumnChunkData {
        var page: Int?
        do {
            return try decode(page: &page)
        } catch let problem as PageProblem {
            throw ParquetReadError(file: file.path, rowGroup: rowGroup, column: leaf.dottedPath, page: page, problem: problem.problem)
        } catch var error as ParquetReadError {
            error.rowGroup = error.rowGroup ?? rowGroup
            error.column = error.column ?? leaf.dottedPath
            error.page = error.page ?? page
            throw error
        }
    }

    private func chunkProblem(_ message: String) -> PageProblem { PageProblem(.badMetadata(message)) }

    private func decode(page pageIndex: inout Int?) throws -> ColumnChunkData {
        guard let codec = CompressionCodec(rawValue: chunk.codec) else { throw PageProblem(.unsupportedCodec("#\(chunk.codec)")) }
        guard PageDecompressor.supports(codec) else { throw PageProblem(.unsupportedCodec(codec.description)) }
        guard chunk.type == leaf.physicalType.rawValue else {
            throw chunkProblem("column chunk of type \(chunk.type), schema says \(leaf.physicalType)")
        }
        if chunk.numValues == 0 && rowCount == 0 {
            // An empty row group: writers leave the offsets at 0 and may write no page at all.
            return ColumnChunkData(leaf: leaf)
        }
        var start = chunk.dataPageOffset
        if let dictionaryOffset = chunk.dictionaryPageOffset, dictionaryOffset > 0, dictionaryOffset < start { start = dictionaryOffset }
        guard start >= 4, chunk.totalCompressedSize >= 0, chunk.totalCompressedSize <= Int64(Int.max / 2) else {
            throw chunkProblem("column chunk at \(start) of \(chunk.totalCompressedSize) bytes")
        }
        let bytes = try file.read(offset: start, count: Int(chunk.totalCompressedSize), what: "column chunk")
        var data = ColumnChunkData(leaf: leaf)
        let expectedLevels = chunk.numValues
        guard expectedLevels >= 0 else { throw chunkProblem("column chunk of \(expectedLevels) values") }
        if leaf.maxRepetitionLevel == 0 && expectedLevels != rowCount {
            throw chunkProblem("column chunk holds \(expectedLevels) values, its row group \(rowCount) rows")
        }
        // Reservations from the footer's counts are capped: a damaged count must not allocate gigabytes
        // before the pages show it is wrong (past the cap the arrays grow as they fill).
        let reservation = Int(min(expectedLevels, Self.reservationCap))
        if leaf.maxDefinitionLevel > 0 { data.definitionLevels.reserveCapacity(reservation) }
        if leaf.maxRepetitionLevel > 0 { data.repetitionLevels.reserveCapacity(reservation) }
        data.values.reserve(reservation)
        if leaf.physicalType == .byteArray {
            // PLAIN byte arrays take their bytes plus 4 each: the chunk's uncompressed size bounds
            // them, so the buffer is allocated once instead of doubling its way up (and copying).
            data.values.bytes.reserveCapacity(Int(min(max(chunk.totalUncompressedSize, 0), Self.byteReservationCap)))
        }
        var dictionary: ColumnValues?

        try bytes.withUnsafeBytes { raw in
            var position = 0
            var index = 0
            while Int64(data.levelCount) < expectedLevels {
                pageIndex = index
                guard position < raw.count else {
                    throw PageProblem(.truncated("column chunk ends after \(data.levelCount) of its \(expectedLevels) values"))
                }
                var decoder = ThriftCompactDecoder(raw, position: position)
                let header: DecodedPageHeader
                do {
                    header = try DecodedPageHeader.decode(&decoder)
                } catch let failure as ThriftCompactDecoder.Failure {
                    throw PageProblem(.badMetadata("page header: \(failure.message)"))
                }
                position = decoder.position
                guard header.compressedSize >= 0, header.uncompressedSize >= 0 else {
                    throw PageProblem(.badMetadata("page header sizes \(header.compressedSize)/\(header.uncompressedSize)"))
                }
                let compressedSize = Int(header.compressedSize)
                guard compressedSize <= raw.count - position else {
                    throw PageProblem(.truncated("page of \(compressedSize) bytes, the column chunk has \(raw.count - position) left"))
                }
                // A page never decodes to more than its chunk does: refuses an absurd size before allocating it.
                if chunk.totalUncompressedSize > 0 && Int64(header.uncompressedSize) > chunk.totalUncompressedSize {
                    throw PageProblem(.badMetadata("page of \(header.uncompressedSize) bytes in a chunk of \(chunk.totalUncompressedSize)"))
                }
                let body = UnsafeRawBufferPointer(rebasing: raw[position..<(position + compressedSize)])
                position += compressedSize
                index += 1
                if verifyChecksums, let crc = header.crc {
                    let actual = crc32Checksum(body)
                    guard actual == UInt32(bitPattern: crc) else {
                        throw PageProblem(.crcMismatch(expected: UInt32(bitPattern: crc), actual: actual))
                    }
                }
                switch header.type {
                case DecodedPageHeader.dictionaryPage:
                    guard dictionary == nil else { throw PageProblem.bad("a second dictionary page") }
                    guard header.numValues >= 0 else { throw PageProblem.bad("dictionary of \(header.numValues) values") }
                    guard header.encoding == ColumnEncoding.plain.rawValue || header.encoding == ColumnEncoding.plainDictionary.rawValue else {
                        throw PageProblem(.unsupportedEncoding("\(ColumnEncoding.name(header.encoding)) for a dictionary page"))
                    }
                    var values = ColumnValues(physicalType: leaf.physicalType, typeLength: leaf.typeLength)
                    try decompressor.withDecompressed(body, codec: codec, size: Int(header.uncompressedSize)) { plain in
                        try PageValueDecoder.decodePlain(plain, count: Int(header.numValues), into: &values)
                    }
                    dictionary = values
                case DecodedPageHeader.dataPage:
                    try decodeDataPageV1(header, body, codec, dictionary, into: &data)
                case DecodedPageHeader.dataPageV2:
                    try decodeDataPageV2(header, body, codec, dictionary, into: &data)
                default:
                    continue  // index pages (and page types from the future) carry no values
                }
            }
        }
        pageIndex = nil
        guard Int64(data.levelCount) == expectedLevels else {
            throw chunkProblem("column chunk pages hold \(data.levelCount) values, its metadata says \(expectedLevels)")
        }
        if leaf.maxRepetitionLevel > 0 {
            // Each row starts at repetition level 0: the assembler relies on every leaf of a field
            // holding exactly the row group's rows.
            var rows: Int64 = 0
            for level in data.repetitionLevels where level == 0 { rows += 1 }
            guard rows == rowCount, data.repetitionLevels.first.map({ $0 == 0 }) ?? true else {
                throw chunkProblem("column chunk holds \(rows) rows, its row group \(rowCount)")
            }
        }
        return data
    }

    private func decodeDataPageV1(_ header: DecodedPageHeader, _ body: UnsafeRawBufferPointer, _ codec: CompressionCodec,
                                  _ dictionary: ColumnValues?, into data: inout ColumnChunkData) throws {
        let count = try levelCount(header, data)
        try decompressor.withDecompressed(body, codec: codec, size: Int(header.uncompressedSize)) { page in
            var position = 0
            // v1 pages: repetition levels, then definition levels, each prefixed by its byte length.
            func levels(_ maxLevel: Int, encoding: Int32, into out: inout [Int16]) throws {
                guard encoding == ColumnEncoding.rle.rawValue else {
                    throw PageProblem(.unsupportedEncoding("\(ColumnEncoding.name(encoding)) for levels"))
                }
                guard page.count - position >= 4 else { throw PageProblem.bad("levels' length past the end of the page") }
                let length = Int(page.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian)
                position += 4
                guard length <= page.count - position else { throw PageProblem.bad("levels of \(length) bytes, \(page.count - position) left") }
                try decodeLevels(UnsafeRawBufferPointer(rebasing: page[position..<(position + length)]), maxLevel, count, into: &out)
                position += length
            }
            if leaf.maxRepetitionLevel > 0 {
                try levels(leaf.maxRepetitionLevel, encoding: header.repetitionLevelEncoding, into: &data.repetitionLevels)
            }
            if leaf.maxDefinitionLevel > 0 {
                try levels(leaf.maxDefinitionLevel, encoding: header.definitionLevelEncoding, into: &data.definitionLevels)
            }
            let present = presentCount(data, newLevels: count)
            try PageValueDecoder.decode(UnsafeRawBufferPointer(rebasing: page[position...]), encoding: header.encoding, count: present,
                                        into: &data.values, dictionary: dictionary)
        }
        data.levelCount += count
    }

    private func decodeDataPageV2(_ header: DecodedPageHeader, _ body: UnsafeRawBufferPointer, _ codec: CompressionCodec,
                                  _ dictionary: ColumnValues?, into data: inout ColumnChunkData) throws {
        let count = try levelCount(header, data)
        let repetitionLength = Int(header.repetitionLevelsByteLength), definitionLength = Int(header.definitionLevelsByteLength)
        guard repetitionLength >= 0, definitionLength >= 0, repetitionLength + definitionLength <= body.count,
              repetitionLength + definitionLength <= Int(header.uncompressedSize) else {
            throw PageProblem.bad("levels of \(repetitionLength) + \(definitionLength) bytes in a page of \(body.count)")
        }
        // v2 pages: levels first, never compressed and without length prefixes; then the values.
        if leaf.maxRepetitionLevel > 0 {
            try decodeLevels(UnsafeRawBufferPointer(rebasing: body[0..<repetitionLength]), leaf.maxRepetitionLevel, count,
                             into: &data.repetitionLevels)
        }
        if leaf.maxDefinitionLevel > 0 {
            try decodeLevels(UnsafeRawBufferPointer(rebasing: body[repetitionLength..<(repetitionLength + definitionLength)]),
                             leaf.maxDefinitionLevel, count, into: &data.definitionLevels)
        }
        let present = presentCount(data, newLevels: count)
        let valuesSection = UnsafeRawBufferPointer(rebasing: body[(repetitionLength + definitionLength)...])
        let valuesSize = Int(header.uncompressedSize) - repetitionLength - definitionLength
        try decompressor.withDecompressed(valuesSection, codec: header.isCompressed ? codec : .uncompressed, size: valuesSize) { page in
            try PageValueDecoder.decode(page, encoding: header.encoding, count: present, into: &data.values, dictionary: dictionary)
        }
        data.levelCount += count
    }

    /// The page's level entries, at most what the chunk has left (so a damaged count allocates nothing).
    private func levelCount(_ header: DecodedPageHeader, _ data: ColumnChunkData) throws -> Int {
        let left = chunk.numValues - Int64(data.levelCount)
        guard header.numValues >= 0, Int64(header.numValues) <= left else {
            throw PageProblem.bad("page of \(header.numValues) values, its column chunk has \(left) left")
        }
        return Int(header.numValues)
    }

    private func decodeLevels(_ bytes: UnsafeRawBufferPointer, _ maxLevel: Int, _ count: Int, into out: inout [Int16]) throws {
        var decoder = try RLEHybridDecoder(bytes, bitWidth: RLEHybridEncoder.bitWidth(forMaxValue: UInt64(maxLevel)))
        try decoder.decode(count, into: &out, maxValue: UInt64(maxLevel))
    }

    /// Present values among the last `newLevels` level entries (those at the max definition level).
    private func presentCount(_ data: ColumnChunkData, newLevels: Int) -> Int {
        guard leaf.maxDefinitionLevel > 0 else { return newLevels }
        let maxLevel = Int16(leaf.maxDefinitionLevel)
        var n = 0
        for level in data.definitionLevels[(data.definitionLevels.count - newLevels)...] where level == maxLevel { n += 1 }
        return n
    }
}

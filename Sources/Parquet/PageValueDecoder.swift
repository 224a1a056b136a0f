/// Decodes a data page's values section (after its levels) into a column's `ColumnValues`, by the
/// page's encoding: PLAIN, the dictionary encodings, RLE (booleans), DELTA_BINARY_PACKED,
/// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT. `count` is the number of present
/// values in the page (levels equal to the max definition level). Every length is checked against
/// the section's bytes; a section that runs out is a bad page.
enum PageValueDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, encoding raw: Int32, count: Int, into values: inout ColumnValues,
                       dictionary: ColumnValues?) throws {
        guard let encoding = ColumnEncoding(rawValue: raw) else { throw PageProblem(.unsupportedEncoding(ColumnEncoding.name(raw))) }
        let type = values.physicalType
        switch encoding {
        case .plain:
            try decodePlain(bytes, count: count, into: &values)
        case .plainDictionary, .rleDictionary:
            guard let dictionary else { throw PageProblem.bad("dictionary-encoded page without a dictionary page") }
            try decodeDictionaryIndices(bytes, count: count, into: &values, dictionary: dictionary)
        case .rle:
            guard type == .boolean else { throw unsupported(encoding, type) }
            guard bytes.count >= 4 else { throw PageProblem.bad("RLE booleans without their length") }
            let length = Int(bytes.loadUnaligned(as: UInt32.self).littleEndian)
            guard length <= bytes.count - 4 else { throw PageProblem.bad("RLE booleans of \(length) bytes, \(bytes.count - 4) left") }
            var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: bytes[4..<(4 + length)]), bitWidth: 1)
            var bits: [UInt8] = []
            bits.reserveCapacity(count)
            try decoder.decode(count, into: &bits, maxValue: 1)
            values.booleans.append(contentsOf: bits.lazy.map { $0 != 0 })
        case .deltaBinaryPacked:
            guard type == .int32 || type == .int64 else { throw unsupported(encoding, type) }
            var decoder = DeltaBinaryPackedDecoder(bytes)
            let decoded = try decoder.decodeAll(limit: count)
            guard decoded.count >= count else { throw PageProblem.bad("DELTA_BINARY_PACKED holds \(decoded.count) values, page needs \(count)") }
            if type == .int32 {
                values.int32s.append(contentsOf: decoded[0..<count].lazy.map { Int32(truncatingIfNeeded: $0) })
            } else {
                values.int64s.append(contentsOf: decoded[0..<count])
            }
        case .deltaLengthByteArray:
            guard type == .byteArray else { throw unsupported(encoding, type) }
            var decoder = DeltaBinaryPackedDecoder(bytes)
            let lengths = try decoder.decodeAll(limit: count)
            guard lengths.count >= count else { throw PageProblem.bad("DELTA_LENGTH_BYTE_ARRAY holds \(lengths.count) lengths, page needs \(count)") }
            var position = decoder.end
            for k in 0..<count {
                let length = lengths[k]
                guard length >= 0, length <= Int64(bytes.count - position) else {
                    throw PageProblem.bad("DELTA_LENGTH_BYTE_ARRAY value of \(length) bytes, \(bytes.count - position) left")
                }
                values.appendByteArray(UnsafeRawBufferPointer(rebasing: bytes[position..<(position + Int(length))]))
                position += Int(length)
            }
        case .deltaByteArray:
            guard type == .byteArray || type == .fixedLenByteArray else { throw unsupported(encoding, type) }
            try decodeDeltaByteArray(bytes, count: count, into: &values)
        case .byteStreamSplit:
            guard type != .boolean, type != .byteArray else { throw unsupported(encoding, type) }
            let width = values.plainWidth
            guard width > 0, bytes.count >= count * width else {
                throw PageProblem.bad("BYTE_STREAM_SPLIT needs \(count * width) bytes, page has \(bytes.count)")
            }
            // Stream j holds byte j of every value; the page may hold more values than are present
            // (never: the count is the present values), so the streams are `count` long.
            var joined = [UInt8](repeating: 0, count: count * width)
            joined.withUnsafeMutableBytes { out in
                for j in 0..<width {
                    let stream = j * count
                    for i in 0..<count { out[i * width + j] = bytes[stream + i] }
                }
            }
            joined.withUnsafeBytes { values.appendFixedWidth($0, count: count) }
        case .bitPacked:
            throw unsupported(encoding, type)
        }
    }

    private static func unsupported(_ encoding: ColumnEncoding, _ type: ParquetPhysicalType) -> PageProblem {
        PageProblem(.unsupportedEncoding("\(encoding) for \(type) values"))
    }

    /// PLAIN: fixed widths back to back, BYTE_ARRAY as a 4-byte length then the bytes, BOOLEAN one bit each.
    static func decodePlain(_ bytes: UnsafeRawBufferPointer, count: Int, into values: inout ColumnValues) throws {
        switch values.physicalType {
        case .boolean:
            guard bytes.count >= (count + 7) / 8 else { throw PageProblem.bad("\(count) PLAIN booleans need \((count + 7) / 8) bytes, page has \(bytes.count)") }
            for i in 0..<count { values.booleans.append(bytes[i >> 3] >> UInt8(i & 7) & 1 == 1) }
        case .byteArray:
            var position = 0
            let end = bytes.count
            for _ in 0..<count {
                guard end - position >= 4 else { throw PageProblem.bad("PLAIN BYTE_ARRAY length past the end of the page") }
                let length = Int(bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian)
                position += 4
                guard length <= end - position else {
                    throw PageProblem.bad("PLAIN BYTE_ARRAY value of \(length) bytes, \(end - position) left in the page")
                }
                values.appendByteArray(UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)]))
                position += length
            }
        default:
            let width = values.plainWidth
            guard bytes.count >= count * width else {
                throw PageProblem.bad("\(count) PLAIN \(values.physicalType) values need \(count * width) bytes, page has \(bytes.count)")
            }
            values.appendFixedWidth(bytes, count: count)
        }
    }

    private static func decodeDictionaryIndices(_ bytes: UnsafeRawBufferPointer, count: Int, into values: inout ColumnValues,
                                                dictionary: ColumnValues) throws {
        guard count > 0 else { return }
        guard bytes.count >= 1 else { throw PageProblem.bad("dictionary indices without their bit width") }
        let dictionaryCount = dictionary.count
        guard dictionaryCount > 0 else { throw PageProblem.bad("dictionary-encoded values with an empty dictionary") }
        var decoder = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: bytes[1...]), bitWidth: Int(bytes[0]))
        var indices: [UInt32] = []
        indices.reserveCapacity(count)
        try decoder.decode(count, into: &indices, maxValue: UInt64(dictionaryCount - 1))
        switch values.physicalType {
        case .byteArray:
            // One pass for the sizes, then plain copies: no reallocation of the bytes buffer.
            var total = 0
            for i in indices { total += dictionary.offsets[Int(i) + 1] - dictionary.offsets[Int(i)] }
            values.bytes.reserveGeometrically(values.bytes.count + total)
            values.offsets.reserveGeometrically(values.offsets.count + count)
            for i in indices { values.append(from: dictionary, at: Int(i)) }
        case .int32: values.int32s.append(contentsOf: indices.lazy.map { dictionary.int32s[Int($0)] })
        case .int64: values.int64s.append(contentsOf: indices.lazy.map { dictionary.int64s[Int($0)] })
        case .float: values.floats.append(contentsOf: indices.lazy.map { dictionary.floats[Int($0)] })
        case .double: values.doubles.append(contentsOf: indices.lazy.map { dictionary.doubles[Int($0)] })
        case .boolean, .int96, .fixedLenByteArray:
            for i in indices { values.append(from: dictionary, at: Int(i)) }
        }
    }

    /// DELTA_BYTE_ARRAY: prefix lengths (DELTA_BINARY_PACKED), then the suffixes as
    /// DELTA_LENGTH_BYTE_ARRAY; each value is the previous value's prefix plus its suffix.
    private static func decodeDeltaByteArray(_ bytes: UnsafeRawBufferPointer, count: Int, into values: inout ColumnValues) throws {
        var prefixDecoder = DeltaBinaryPackedDecoder(bytes)
        let prefixes = try prefixDecoder.decodeAll(limit: count)
        let rest = UnsafeRawBufferPointer(rebasing: bytes[prefixDecoder.end...])
        var suffixDecoder = DeltaBinaryPackedDecoder(rest)
        let suffixes = try suffixDecoder.decodeAll(limit: count)
        guard prefixes.count >= count, suffixes.count >= count else {
            throw PageProblem.bad("DELTA_BYTE_ARRAY holds \(min(prefixes.count, suffixes.count)) values, page needs \(count)")
        }
        var position = suffixDecoder.end
        var previous: [UInt8] = []
        var current: [UInt8] = []
        for k in 0..<count {
            let prefix = prefixes[k], suffix = suffixes[k]
            guard prefix >= 0, prefix <= Int64(previous.count) else {
                throw PageProblem.bad("DELTA_BYTE_ARRAY prefix of \(prefix) bytes after a value of \(previous.count)")
            }
            guard suffix >= 0, suffix <= Int64(rest.count - position) else {
                throw PageProblem.bad("DELTA_BYTE_ARRAY suffix of \(suffix) bytes, \(rest.count - position) left")
            }
            current.removeAll(keepingCapacity: true)
            current.append(contentsOf: previous[0..<Int(prefix)])
            current.appendBytes(UnsafeRawBufferPointer(rebasing: rest[position..<(position + Int(suffix))]))
            position += Int(suffix)
            if values.physicalType == .fixedLenByteArray {
                guard current.count == values.fixedWidth else {
                    throw PageProblem.bad("DELTA_BYTE_ARRAY value of \(current.count) bytes in a FIXED_LEN_BYTE_ARRAY(\(values.fixedWidth)) column")
                }
                values.bytes.append(contentsOf: current)
            } else {
                current.withUnsafeBytes { values.appendByteArray($0) }
            }
            swap(&previous, &current)
        }
    }
}

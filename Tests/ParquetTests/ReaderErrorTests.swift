import CLZ4
import Foundation
import XCTest
@testable import Parquet

/// Bad input: each kind of damage is a `ParquetReadError` with its problem and location.
final class ReaderErrorTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws { dir = try makeTemporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Reads every row of `path`, returning the error it fails with.
    private func readError(_ path: String, options: ParquetReaderOptions = .init()) -> ParquetReadError? {
        do {
            try ParquetFileReader(path: path, options: options).forEachRow { _ in }
            return nil
        } catch let error as ParquetReadError {
            return error
        } catch {
            XCTFail("not a ParquetReadError: \(error)")
            return nil
        }
    }

    /// A file from our writer: `id` INT64, `text` plain strings in small pages, ZSTD or not.
    private func writeSample(_ name: String, compression: ParquetCompression = .zstd(level: 3)) throws -> String {
        let file = path(name)
        let columns = [ParquetColumn(name: "id", type: .int64, optional: false), ParquetColumn(name: "text", type: .string, optional: true)]
        let rows: [[ParquetValue]] = (0..<2_000).map { [.int64(Int64($0)), .string("row \($0) of the sample, long enough to fill pages")] }
        _ = try writeFile(file, columns, rows, options: ParquetWriterOptions(pageByteLimit: 4 << 10, useDictionary: false, compression: compression))
        return file
    }

    func testNotParquet() throws {
        let file = path("data.jsonl")
        try Data("{\"text\": \"hello\"}\n".utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertEqual(readError(file), ParquetReadError(file: file, problem: .notParquet))
        try Data().write(to: URL(fileURLWithPath: file))
        XCTAssertEqual(readError(file)?.problem, .notParquet)
        XCTAssertEqual(readError(file)?.description, "\(file): not a Parquet file (no PAR1 magic)")
    }

    func testMissingFileIsAnIOError() {
        let error = readError(path("absent.parquet"))
        XCTAssertEqual(error?.problem, .io(operation: "open", code: ENOENT))
        XCTAssertEqual(error?.isBadData, false)
    }

    func testTruncatedFileAndFooter() throws {
        let file = try writeSample("cut.parquet")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: file))
        guard case .truncated(let message)? = readError(file)?.problem else { return XCTFail("\(String(describing: readError(file)))") }
        XCTAssertTrue(message.contains("no PAR1 magic at the end"), message)
        XCTAssertEqual(readError(file)?.isBadData, true)

        // A footer length beyond the file.
        try bytes.write(to: URL(fileURLWithPath: file))
        try overwrite(file, at: bytes.count - 8, with: [0xFF, 0xFF, 0xFF, 0x00])
        guard case .truncated(let footer)? = readError(file)?.problem else { return XCTFail("\(String(describing: readError(file)))") }
        XCTAssertTrue(footer.contains("footer of 16777215 bytes"), footer)
    }

    func testFooterThatDoesNotDecode() throws {
        let file = try writeSample("footer.parquet")
        let size = try Data(contentsOf: URL(fileURLWithPath: file)).count
        let footerLength = 60
        try overwrite(file, at: size - 8 - footerLength, with: [UInt8](repeating: 0xFF, count: footerLength))
        let error = readError(file)
        guard case .badMetadata(let message)? = error?.problem else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(message.hasPrefix("footer: "), message)
        XCTAssertNil(error?.rowGroup)
    }

    func testPageThatDoesNotDecompressNamesRowGroupColumnAndPage() throws {
        let file = try writeSample("zstd.parquet")
        let pages = try pageLocations(file, rowGroup: 0, column: 1)
        guard pages.count > 3 else { return XCTFail("\(pages.count) pages") }
        try overwrite(file, at: pages[2].body, with: [UInt8](repeating: 0xFF, count: 16))
        let error = readError(file)
        XCTAssertEqual(error?.rowGroup, 0)
        XCTAssertEqual(error?.column, "text")
        XCTAssertEqual(error?.page, 2)
        guard case .decompressionFailed(let codec, _)? = error?.problem else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(codec, "ZSTD")
        XCTAssertTrue(error!.description.contains(": row group 0, column text, page 2: page does not decompress (ZSTD: "), error!.description)
    }

    func testBadPageHeaderAndBadValues() throws {
        let file = try writeSample("plain.parquet", compression: .uncompressed)
        let pages = try pageLocations(file, rowGroup: 0, column: 0)
        try overwrite(file, at: pages[0].header, with: [0xFF, 0xFF])
        let error = readError(file)
        XCTAssertEqual(error?.column, "id")
        XCTAssertEqual(error?.page, 0)
        guard case .badMetadata(let message)? = error?.problem else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(message.hasPrefix("page header: "), message)

        // A page claiming more values than its body holds.
        let short = path("short.parquet")
        try writeHandMadeFile(short, body: plainInt64([1, 2, 3]), numValues: 4)
        let shortError = readError(short)
        XCTAssertEqual(shortError?.page, 0)
        XCTAssertEqual(shortError?.problem, .badPage("4 PLAIN INT64 values need 32 bytes, page has 24"))
    }

    func testCRCMismatchWhenThePageHasACRC() throws {
        let (status, output) = try runPython("""
            import pyarrow as pa, pyarrow.parquet as pq, sys
            pq.write_table(pa.table({"n": list(range(1000)), "s": [f"value {i}" for i in range(1000)]}), sys.argv[1],
                           write_page_checksum=True, compression="none", use_dictionary=False, data_page_size=1024, write_batch_size=64)
            """, [path("crc.parquet")])
        XCTAssertEqual(status, 0, output)
        let file = path("crc.parquet")
        XCTAssertNil(readError(file), "an intact file with CRCs reads")
        let pages = try pageLocations(file, rowGroup: 0, column: 1)
        guard pages.count > 2 else { return XCTFail("\(pages.count) pages") }
        // Change one character of a value: the page still decodes, only the CRC tells.
        try overwrite(file, at: pages[1].body + pages[1].size - 1, with: [UInt8(ascii: "#")])
        let error = readError(file)
        XCTAssertEqual(error?.rowGroup, 0)
        XCTAssertEqual(error?.column, "s")
        XCTAssertEqual(error?.page, 1)
        guard case .crcMismatch(let expected, let actual)? = error?.problem else { return XCTFail("\(String(describing: error))") }
        XCTAssertNotEqual(expected, actual)
        // With the check off the damaged value is read as it is.
        XCTAssertNil(readError(file, options: ParquetReaderOptions(verifyChecksums: false)))
    }

    func testUnsupportedEncodingAndCodecAreNamed() throws {
        let encoding = path("bitpacked.parquet")
        try writeHandMadeFile(encoding, encoding: .bitPacked, body: plainInt64([1, 2]), numValues: 2)
        XCTAssertEqual(readError(encoding)?.problem, .unsupportedEncoding("BIT_PACKED for INT64 values"))
        XCTAssertEqual(readError(encoding)?.column, "n")

        let codec = path("lzo.parquet")
        try writeHandMadeFile(codec, codec: .lzo, body: plainInt64([1, 2]), numValues: 2)
        let error = readError(codec)
        XCTAssertEqual(error?.problem, .unsupportedCodec("LZO"))
        XCTAssertEqual(error?.description, "\(codec): row group 0, column n: unsupported compression codec LZO")
    }

    /// The deprecated LZ4 codec: Hadoop-framed blocks (parquet-mr), and a bare block (old Arrow).
    func testLegacyLZ4HadoopFramedAndBareBlocks() throws {
        let values: [Int64] = (0..<1_000).map { $0 * 3 }
        let plain = plainInt64(values)
        func lz4Block(_ input: ArraySlice<UInt8>) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: Int(LZ4_compressBound(Int32(input.count))))
            let n = input.withUnsafeBytes { src in
                out.withUnsafeMutableBytes { dst in
                    LZ4_compress_default(src.baseAddress!.assumingMemoryBound(to: CChar.self), dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                                         Int32(input.count), Int32(dst.count))
                }
            }
            return Array(out[0..<Int(n)])
        }
        var framed: [UInt8] = []
        for part in [plain[0..<3_000], plain[3_000...]] {
            let block = lz4Block(part)
            for v in [UInt32(part.count), UInt32(block.count)] { framed += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
            framed += block
        }
        for (name, body, codec) in [("hadoop.parquet", framed, CompressionCodec.lz4), ("bare.parquet", lz4Block(plain[...]), .lz4),
                                    ("raw.parquet", lz4Block(plain[...]), .lz4Raw)] {
            let file = path(name)
            try writeHandMadeFile(file, codec: codec, body: body, uncompressedSize: plain.count, numValues: Int32(values.count))
            let group = try ParquetFileReader(path: file).readRowGroup(0)
            XCTAssertEqual(group.values(ofField: 0), values.map { .int($0) }, name)
        }
        let broken = path("broken.parquet")
        try writeHandMadeFile(broken, codec: .lz4, body: [UInt8](repeating: 0xF0, count: 40), uncompressedSize: plain.count,
                              numValues: Int32(values.count))
        guard case .decompressionFailed(let codec, _)? = readError(broken)?.problem else { return XCTFail("\(String(describing: readError(broken)))") }
        XCTAssertEqual(codec, "LZ4")
    }

    private func runPython(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
        try runPythonProgram(program, named: "program.py", arguments, in: dir)
    }
}

/// Small pieces checked against known values.
final class ReaderPartsTests: XCTestCase {
    func testHalfPrecisionFloats() {
        for bits in UInt16(0)...UInt16.max where (bits >> 10 & 0x1F) != 31 {
            XCTAssertEqual(ColumnChunkData.halfToFloat(bits), Float(Float16(bitPattern: bits)), "bits \(bits)")
        }
        XCTAssertTrue(ColumnChunkData.halfToFloat(0x7E00).isNaN)
        XCTAssertEqual(ColumnChunkData.halfToFloat(0xFC00), -.infinity)
    }

    func testDecimalTextFromTwosComplement() {
        func decimal(_ bytes: [UInt8], _ scale: Int32) -> String {
            bytes.withUnsafeBytes { ParquetDecimal(bigEndianTwosComplement: $0, scale: scale).description }
        }
        XCTAssertEqual(decimal([0x30, 0x39], 2), "123.45")
        XCTAssertEqual(decimal([0xFF, 0xFB], 2), "-0.05")
        XCTAssertEqual(decimal([0x0C], -2), "1200")
        // 2^127 - 1 and -2^127 as 16-byte two's complement.
        XCTAssertEqual(decimal([0x7F] + [UInt8](repeating: 0xFF, count: 15), 0), "170141183460469231731687303715884105727")
        XCTAssertEqual(decimal([0x80] + [UInt8](repeating: 0, count: 15), 10), "-17014118346046923173168730371.5884105728")
    }

    func testISO8601Rendering() {
        XCTAssertEqual(ParquetFieldValue.date(days: 19_782).jsonText, "\"2024-02-29\"")
        XCTAssertEqual(ParquetFieldValue.date(days: -719_529).jsonText, "\"-0001-12-31\"")
        XCTAssertEqual(ParquetFieldValue.timestamp(-1, unit: .micros, adjustedToUTC: true).jsonText, "\"1969-12-31T23:59:59.999999Z\"")
        XCTAssertEqual(ParquetFieldValue.timestamp(1_709_214_300_250, unit: .millis, adjustedToUTC: false).jsonText, "\"2024-02-29T13:45:00.250\"")
        XCTAssertEqual(ParquetFieldValue.time(49_500_000_000_001, unit: .nanos).jsonText, "\"13:45:00.000000001\"")
    }

    /// Lists as older parquet-mr (Spark, Hive) wrote them: a LIST group whose repeated field is the
    /// element itself (`repeated int32 array`), and a repeated field outside any LIST group.
    func testLegacyTwoLevelListsAndBareRepeatedFields() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Rows [1, 2], null, [], [3]: repetition levels 0 1 0 0 0, definition levels 2 2 0 1 2.
        func page(repetition: [UInt8], definition: [UInt8], maxDefinition: Int, values: [Int32]) -> [UInt8] {
            var body: [UInt8] = []
            for (levels, width) in [(repetition, 1), (definition, RLEHybridEncoder.bitWidth(forMaxValue: UInt64(maxDefinition)))] {
                var encoded: [UInt8] = []
                RLEHybridEncoder.encode(levels, bitWidth: width, into: &encoded)
                body.appendLittleEndian(UInt32(encoded.count))
                body += encoded
            }
            for v in values { body.appendLittleEndian(v) }
            return body
        }
        let twoLevel = dir.appendingPathComponent("two-level.parquet").path
        try writeHandMadeFile(twoLevel, body: page(repetition: [0, 1, 0, 0, 0], definition: [2, 2, 0, 1, 2], maxDefinition: 2, values: [1, 2, 3]),
                              numValues: 5,
                              schema: [SchemaElement(name: "schema", numChildren: 1),
                                       SchemaElement(repetition: .optional, name: "tags", numChildren: 1, convertedType: 3),
                                       SchemaElement(type: .int32, repetition: .repeated, name: "array")],
                              leafPath: ["tags", "array"], type: .int32, numRows: 4)
        let reader = try ParquetFileReader(path: twoLevel)
        XCTAssertEqual(reader.schema.leaves.map(\.maxDefinitionLevel), [2])
        XCTAssertEqual(try reader.readRowGroup(0).values(ofField: 0).map(\.jsonText), ["[1,2]", "null", "[]", "[3]"])

        // A bare `repeated int32 n` is a list of its values (required: no null, an empty list at level 0).
        let bare = dir.appendingPathComponent("bare.parquet").path
        try writeHandMadeFile(bare, body: page(repetition: [0, 1, 0, 0], definition: [1, 1, 0, 1], maxDefinition: 1, values: [7, 8, 9]),
                              numValues: 4,
                              schema: [SchemaElement(name: "schema", numChildren: 1), SchemaElement(type: .int32, repetition: .repeated, name: "n")],
                              type: .int32, numRows: 3)
        XCTAssertEqual(try ParquetFileReader(path: bare).readRowGroup(0).values(ofField: 0).map(\.jsonText), ["[7,8]", "[]", "[9]"])
    }

    func testJSONOfNestedAndSpecialValues() {
        let value = ParquetFieldValue.record([
            ParquetRecordField(name: "s", value: .string("a\"b\\c\n\u{1}é")),
            ParquetRecordField(name: "l", value: .list([.int(1), .null, .double(.nan), .float(-.infinity), .double(0.1)])),
            ParquetRecordField(name: "m", value: .map([ParquetMapEntry(key: .int(5), value: .bytes([0, 255, 1]))])),
            ParquetRecordField(name: "d", value: .decimal(ParquetDecimal(unscaled: "-5", scale: 3))),
        ])
        XCTAssertEqual(value.jsonText,
                       #"{"s":"a\"b\\c\n\u0001é","l":[1,null,"NaN","-Infinity",0.1],"m":{"5":"AP8B"},"d":-0.005}"#)
    }
}

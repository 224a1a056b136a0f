import XCTest
@testable import Parquet

/// Byte-exact checks of the low-level encoders against hand-derived values from the specs.
final class EncoderTests: XCTestCase {
    func testThriftShortFieldHeaderAndZigzagVarint() {
        // field 3, type i64 (6): delta 3 → 0x36; zigzag(5) = 10; stop byte.
        XCTAssertEqual(ThriftCompactEncoder.encode(Statistics(nullCount: 5)), [0x36, 0x0A, 0x00])
        XCTAssertEqual(ThriftCompactEncoder.encode(Statistics(nullCount: -1)), [0x36, 0x01, 0x00])
    }

    func testThriftLongFieldHeaderBinaryAndBool() {
        struct Sample: ThriftStruct {
            func writeFields(to e: inout ThriftCompactEncoder) {
                e.writeBool(1, true)
                e.writeI32(20, 300)  // delta 19 > 15: type byte, then zigzag field id
                e.writeBinary(21, [0xAB])
            }
        }
        // 0x11 = delta 1, BOOLEAN_TRUE; 0x05, zigzag(20)=40; zigzag(300)=600 = 0xD8 0x04; 0x18 = delta 1, BINARY.
        XCTAssertEqual(ThriftCompactEncoder.encode(Sample()), [0x11, 0x05, 0x28, 0xD8, 0x04, 0x18, 0x01, 0xAB, 0x00])
    }

    func testThriftListHeadersAndNestedStructFieldIds() {
        struct Outer: ThriftStruct {
            func writeFields(to e: inout ThriftCompactEncoder) {
                e.writeListHeader(1, elementType: .i32, count: 2)
                e.writeI32Element(1)
                e.writeI32Element(-1)
                e.writeListHeader(2, elementType: .i32, count: 15)  // delta 1 again; 15 elements need the long list header
                for _ in 0..<15 { e.writeI32Element(0) }
                e.writeStruct(3, Statistics(nullCount: 0))
                e.writeI32(4, 1)  // delta restarts from the outer struct's last id (3)
            }
        }
        let expected: [UInt8] = [0x19, 0x25, 0x02, 0x01, 0x19, 0xF5, 0x0F] + [UInt8](repeating: 0, count: 15)
            + [0x1C, 0x36, 0x00, 0x00, 0x15, 0x02, 0x00]
        XCTAssertEqual(ThriftCompactEncoder.encode(Outer()), expected)
    }

    func testRLEHybridRunAndSpecBitPackingExample() {
        var out: [UInt8] = []
        RLEHybridEncoder.encode([UInt32](repeating: 0, count: 10), bitWidth: 1, into: &out)
        XCTAssertEqual(out, [0x14, 0x00])  // RLE run: 10 << 1, value byte

        out = []
        RLEHybridEncoder.encode([UInt32](0...7), bitWidth: 3, into: &out)
        // Encodings.md example: 0..7 at width 3 pack to 10001000 11000110 11111010.
        XCTAssertEqual(out, [0x03, 0x88, 0xC6, 0xFA])

        out = []
        RLEHybridEncoder.encode([UInt32](repeating: 300, count: 9), bitWidth: 9, into: &out)
        XCTAssertEqual(out, [0x12, 0x2C, 0x01])  // 2-byte little-endian run value
    }

    func testRLEHybridBorrowsRunValuesToFillLiteralGroup() {
        var out: [UInt8] = []
        // 13 values: the run of 11 ones minus the 6 lent to the literal group is too short → all packed.
        RLEHybridEncoder.encode([1, 0] + [UInt8](repeating: 1, count: 11), bitWidth: 1, into: &out)
        XCTAssertEqual(out, [0x05, 0xFD, 0x1F])

        out = []
        // 22 values: 8 packed (1,0,1,1,1,1,1,1), then an RLE run of 14 ones.
        RLEHybridEncoder.encode([1, 0] + [UInt8](repeating: 1, count: 20), bitWidth: 1, into: &out)
        XCTAssertEqual(out, [0x03, 0xFD, 0x1C, 0x01])
    }

    func testStatisticsOrderAndZeroSigns() {
        var strings = ColumnStatistics()
        for s in ["b", "ÿ", "a", "ab", ""] { Array(s.utf8).withUnsafeBytes { strings.observe($0) } }
        let s = strings.encoded(for: .leaf(.string))
        XCTAssertEqual(s.minValue, [])
        XCTAssertEqual(s.maxValue, Array("ÿ".utf8))  // 0xC3 0xBF sorts after ASCII unsigned

        var doubles = ColumnStatistics()
        for d in [0.0, .nan, 2.5] { doubles.observe(d) }
        let d = doubles.encoded(for: .leaf(.double))
        XCTAssertEqual(d.minValue, withUnsafeBytes(of: (-0.0).bitPattern.littleEndian) { Array($0) })
        XCTAssertEqual(d.maxValue, withUnsafeBytes(of: 2.5.bitPattern.littleEndian) { Array($0) })

        var bools = ColumnStatistics()
        bools.observe(true)
        XCTAssertEqual(bools.encoded(for: .leaf(.boolean)).minValue, [1])
        XCTAssertEqual(bools.encoded(for: .leaf(.boolean)).maxValue, [1])
    }
}

extension WriterLeaf {
    /// An optional top-level column of the primitive `type`.
    static func leaf(_ type: ParquetType) -> WriterLeaf {
        let (physical, length, logical) = try! WriterSchema.primitive(type, name: "c")
        return WriterLeaf(path: ["c"], physicalType: physical, typeLength: length, logicalType: logical,
                          maxDefinitionLevel: 1, maxRepetitionLevel: 0)
    }
}

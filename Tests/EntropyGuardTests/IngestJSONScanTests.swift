import SplitMix
import XCTest
@testable import EntropyGuard

final class IngestJSONScanTests: XCTestCase {
    private func problem(_ record: String) -> String? {
        ingestProblem { _ = try JSONScan.fields(ingestBytes(record)) }
    }

    func testFieldsInOrderWithKindsAndRanges() throws {
        let record = ingestBytes(#"{"id": 7, "text":"héllo", "score":-1.5e3, "ok":true, "no":false, "n":null, "#
                                 + #""meta":{"a":[1,{"b":"}"}]}, "tags":["x","y"], "z":0}"#)
        let fields = try JSONScan.fields(record)
        XCTAssertEqual(fields.map(\.key), ["id", "text", "score", "ok", "no", "n", "meta", "tags", "z"])
        XCTAssertEqual(fields.map(\.kind), [.integer, .string, .double, .bool, .bool, .null, .object, .array, .integer])
        let texts = fields.map { String(decoding: record[$0.valueRange], as: UTF8.self) }
        XCTAssertEqual(texts, ["7", "\"héllo\"", "-1.5e3", "true", "false", "null", #"{"a":[1,{"b":"}"}]}"#,
                               #"["x","y"]"#, "0"])
        XCTAssertEqual(try JSONScan.fields(ingestBytes("  {}  ")), [])
        XCTAssertEqual(try JSONScan.fields(ingestBytes("{ \"a\" : [ ] , \"b\" : { } }")).map(\.kind), [.array, .object])
    }

    func testTypedValues() throws {
        let record = ingestBytes(#"{"i":-42,"big":123456789012345678901234,"min":-9223372036854775808,"#
                                 + #""d":2.5,"e":1E2,"s":"a\nb","t":true,"f":false,"n":null,"o":{"x": [1, 2]},"a":[]}"#)
        let values = try JSONScan.fields(record).map { try JSONScan.value(of: $0, in: record) }
        XCTAssertEqual(values, [.int(-42), .double(1.2345678901234568e23), .int(Int64.min), .double(2.5), .double(100),
                                .string("a\nb"), .bool(true), .bool(false), .null, .json(#"{"x": [1, 2]}"#), .json("[]")])
        let over = ingestBytes(#"{"x":9223372036854775808}"#)
        XCTAssertEqual(try JSONScan.value(of: JSONScan.fields(over)[0], in: over), .double(9223372036854775808))
    }

    /// The exact fast path for short decimals gives `strtod`'s double, bit for bit, and declines the rest.
    func testShortDecimalsParseAsStrtodDoes() throws {
        var random = SplitMix64(seed: 3)
        var fast = 0
        var literals = ["0", "-0", "0.0", "-0.0", "1e22", "1e23", "123456789012345", "1234567890123456", "0.1", "0.3",
                        "9007199254740993", "1.7976931348623157e308", "5e-324", "2.2250738585072014e-308", "1E+2", "1e-22",
                        "0.000000000000000000001", "100000000000000000000000", "4.35", "0.1234", "-12.5e-3"]
        for _ in 0..<20_000 {
            // 1 to 17 digits: mostly within the fast path's 15, some beyond.
            let digits = String(random.next() % (0..<(1 + random.next() % 17)).reduce(UInt64(10)) { value, _ in value * 10 })
            let point = Int(random.next() % UInt64(digits.count + 1))
            var literal = String(digits.prefix(point)) + (point < digits.count ? "." + digits.dropFirst(point) : "")
            if literal.hasPrefix(".") { literal = "0" + literal }
            if random.next() % 4 == 0 { literal += "e\(Int(random.next() % 50) - 25)" }
            if random.next() % 2 == 0 { literal = "-" + literal }
            literals.append(literal)
        }
        for literal in literals {
            let bytes = Array(literal.utf8)
            let parsed = try bytes.withUnsafeBufferPointer { try JSONScan.parseDouble($0) }
            XCTAssertEqual(parsed.bitPattern, Double(literal)!.bitPattern, literal)
            if bytes.withUnsafeBufferPointer({ JSONScan.exactDouble($0) }) != nil { fast += 1 }
        }
        XCTAssertGreaterThan(fast, 10_000)
        XCTAssertNil(Array("1234567890123456".utf8).withUnsafeBufferPointer { JSONScan.exactDouble($0) })
        XCTAssertNil(Array("1e23".utf8).withUnsafeBufferPointer { JSONScan.exactDouble($0) })
    }

    func testTextField() throws {
        let record = ingestBytes(#"{"id":1,"text":"first","n":null,"num":12,"obj":{"text":"inner"},"text":"second"}"#)
        XCTAssertEqual(try JSONScan.textField("text", in: record), .string("first", valueRange: 15..<22))
        XCTAssertEqual(try JSONScan.textField("missing", in: record), .missing)
        XCTAssertEqual(try JSONScan.textField("n", in: record), .null)
        XCTAssertEqual(try JSONScan.textField("num", in: record), .notString(.integer))
        XCTAssertEqual(try JSONScan.textField("obj", in: record), .notString(.object))
        XCTAssertEqual(try JSONScan.textField("id", in: ingestBytes(#"{"id":1.5}"#)), .notString(.double))
        XCTAssertEqual(try JSONScan.textField("b", in: ingestBytes(#"{"b":[true]}"#)), .notString(.array))
        XCTAssertEqual(try JSONScan.textField("b", in: ingestBytes(#"{"b":false}"#)), .notString(.bool))
        // Keys are compared after decoding escapes.
        XCTAssertEqual(try JSONScan.textField("tëxt", in: ingestBytes(#"{"t\u00ebxt":"v"}"#)),
                       .string("v", valueRange: 13..<16))
        XCTAssertEqual(try JSONScan.textField("", in: ingestBytes(#"{"":"empty key"}"#)),
                       .string("empty key", valueRange: 4..<15))
    }

    func testTextFieldStillValidatesTheWholeRecord() {
        let problem = ingestProblem { _ = try JSONScan.textField("text", in: ingestBytes(#"{"text":"ok", "x": tru}"#)) }
        XCTAssertEqual(problem, "invalid JSON: unexpected character '}' at column 23")
        XCTAssertEqual(ingestProblem { _ = try JSONScan.textField("text", in: ingestBytes(#"{"text":"ok"} x"#)) },
                       "invalid JSON: unexpected character 'x' at column 15")
    }

    func testBadJSONMessages() {
        XCTAssertEqual(problem(#"{"a":1,}"#), "invalid JSON: unexpected character '}' at column 8")
        XCTAssertEqual(problem(#"{"a":x}"#), "invalid JSON: unexpected character 'x' at column 6")
        XCTAssertEqual(problem(#"{"a" 1}"#), "invalid JSON: unexpected character '1' at column 6")
        XCTAssertEqual(problem(#"{"a":1"#), "invalid JSON: unexpected end of record at column 7")
        XCTAssertEqual(problem(#"{"a":"abc"#), "invalid JSON: unterminated string at column 10")
        XCTAssertEqual(problem(#"{a:1}"#), "invalid JSON: unexpected character 'a' at column 2")
        XCTAssertEqual(problem(#"{'a':1}"#), "invalid JSON: unexpected character ''' at column 2")
        XCTAssertEqual(problem(#"{"a":01}"#), "invalid JSON: unexpected character '1' at column 7")
        XCTAssertEqual(problem(#"{"a":1.}"#), "invalid JSON: unexpected character '}' at column 8")
        XCTAssertEqual(problem(#"{"a":-}"#), "invalid JSON: unexpected character '}' at column 7")
        XCTAssertEqual(problem(#"{"a":1e}"#), "invalid JSON: unexpected character '}' at column 8")
        XCTAssertEqual(problem(#"{"a":+1}"#), "invalid JSON: unexpected character '+' at column 6")
        XCTAssertEqual(problem(#"{"a":NaN}"#), "invalid JSON: unexpected character 'N' at column 6")
        XCTAssertEqual(problem(#"{"a":[1,]}"#), "invalid JSON: unexpected character ']' at column 9")
        XCTAssertEqual(problem(#"{"a":[1}"#), "invalid JSON: unexpected character '}' at column 8")
        XCTAssertEqual(problem(#"{"a":{"b":1]}"#), "invalid JSON: unexpected character ']' at column 12")
        XCTAssertEqual(problem(#"{"a":"\x"}"#), #"invalid JSON: invalid escape \x at column 7"#)
        XCTAssertEqual(problem(#"{"a":"\u12G4"}"#), #"invalid JSON: invalid \u escape at column 7"#)
        XCTAssertEqual(problem("{\"a\":\"tab\there\"}"), "invalid JSON: control character U+0009 in string at column 10")
        XCTAssertEqual(problem(#"{"é":"ü"} ü"#), "invalid JSON: unexpected character 'ü' at column 11")
        XCTAssertEqual(problem(#"{"a":1}{"b":2}"#), "invalid JSON: unexpected character '{' at column 8")
        XCTAssertEqual(problem(#"{"a":truth}"#), "invalid JSON: unexpected character 't' at column 9")
    }

    func testNotAnObject() {
        XCTAssertEqual(problem("[1,2]"), "not a JSON object (an array)")
        XCTAssertEqual(problem(" 42 "), "not a JSON object (a number)")
        XCTAssertEqual(problem(#""text""#), "not a JSON object (a string)")
        XCTAssertEqual(problem("true"), "not a JSON object (a boolean)")
        XCTAssertEqual(problem("null"), "not a JSON object (null)")
        XCTAssertEqual(problem(""), "not a JSON object (an empty record)")
        // Invalid JSON that is not an object reports the syntax error.
        XCTAssertEqual(problem("[1,"), "invalid JSON: unexpected end of record at column 4")
        XCTAssertEqual(problem("hello"), "invalid JSON: unexpected character 'h' at column 1")
    }

    func testInvalidUTF8() {
        var bad = ingestBytes(#"{"text":"abc"#)
        bad += [0xC3, 0x28] + ingestBytes(#""}"#)
        XCTAssertEqual(ingestProblem { _ = try JSONScan.fields(bad) }, "invalid UTF-8 at byte 13")
        XCTAssertEqual(ingestProblem { _ = try JSONScan.textField("text", in: bad) }, "invalid UTF-8 at byte 13")
        // Overlong encoding, encoded surrogate, truncated sequence, stray continuation byte.
        for sequence: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80], [0xF4, 0x90, 0x80, 0x80]] {
            let record = ingestBytes(#"{"t":""#) + sequence + ingestBytes(#""}"#)
            XCTAssertEqual(ingestProblem { _ = try JSONScan.fields(record) }, "invalid UTF-8 at byte 7", "\(sequence)")
        }
        // Outside strings too; and in a value that is not an object.
        XCTAssertEqual(ingestProblem { _ = try JSONScan.fields(ingestBytes(#"{"a":1}"#) + [0xFF]) }, "invalid UTF-8 at byte 8")
        XCTAssertEqual(ingestProblem { _ = try JSONScan.fields(ingestBytes(#"["#) + [0xE2, 0x82, 0x41]) }, "invalid UTF-8 at byte 2")
        XCTAssertEqual(ingestProblem { _ = try JSONScan.decodeString(ingestBytes(#""a"#)[...] + [0xC3]) }, "invalid UTF-8 at byte 3")
        XCTAssertEqual(UTF8Validation.firstInvalidOffset(ingestBytes("0123456789abcdefé") + [0xF8]), 18)
        XCTAssertNil(UTF8Validation.firstInvalidOffset(ingestBytes("plain ascii, then é, 中文, 🎉 and more ascii")))
    }

    func testDeepNestingIsRejectedNotCrashing() {
        let deep = "{\"a\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        XCTAssertEqual(problem(deep), "invalid JSON: nesting deeper than 512 levels at column 518")
        let ok = "{\"a\":" + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "}"
        XCTAssertNil(problem(ok))
    }

    func testEscapesAndSurrogates() throws {
        let literal = #""q\" b\\ s\/ \b\f\n\r\t \u00e9 \u4E2D \ud83c\udf89 lone:\ud83c! low:\udf89 end""#
        XCTAssertEqual(try JSONScan.decodeString(ingestBytes(literal)[...]),
                       "q\" b\\ s/ \u{8}\u{C}\n\r\t é 中 🎉 lone:\u{FFFD}! low:\u{FFFD} end")
        XCTAssertEqual(try JSONScan.decodeString(ingestBytes(#""\ud83c\u0041""#)[...]), "\u{FFFD}A")
        XCTAssertEqual(try JSONScan.decodeString(ingestBytes(#""\ud83c""#)[...]), "\u{FFFD}")
        XCTAssertEqual(try JSONScan.decodeString(ingestBytes(#""""#)[...]), "")
        XCTAssertEqual(try JSONScan.decodeString(ingestBytes(#""\u0000""#)[...]), "\u{0}")
        // Via a record: the text field decodes the same way.
        let record = ingestBytes(#"{"text":"a\"b\u00e9\ud83d\ude00"}"#)
        XCTAssertEqual(try JSONScan.textField("text", in: record), .string("a\"bé😀", valueRange: 8..<32))
        XCTAssertNotNil(ingestProblem { _ = try JSONScan.decodeString(ingestBytes(#""abc"#)[...]) })
        XCTAssertNotNil(ingestProblem { _ = try JSONScan.decodeString(ingestBytes(#""a"b""#)[...]) })
        XCTAssertNotNil(ingestProblem { _ = try JSONScan.decodeString(ingestBytes(#"abc"#)[...]) })
    }

    func testEncodeString() {
        var out: [UInt8] = []
        JSONScan.encodeString("a\"b\\c\n\r\t\u{8}\u{C}\u{1}\u{1F} é🎉/", into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #""a\"b\\c\n\r\t\b\f\u0001\u001f é🎉/""#)
    }

    func testEncodeDecodeRoundTripOnRandomStrings() throws {
        var random = IngestRandom(seed: 7)
        let pool: [Unicode.Scalar] = ["a", "Z", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}",
                                      "\u{7F}", "é", "ß", "中", "\u{FFFD}", "\u{FEFF}", "\u{2028}", "🎉", "\u{10FFFF}"]
        for _ in 0..<2000 {
            var s = String.UnicodeScalarView()
            for _ in 0..<random.below(40) {
                if random.below(4) == 0 {
                    s.append(pool[random.below(pool.count)])
                } else {
                    // Any scalar, excluding the surrogate gap.
                    var v = UInt32(random.below(0x11_0000))
                    if v >= 0xD800 && v < 0xE000 { v -= 0x800 }
                    s.append(Unicode.Scalar(v)!)
                }
            }
            let string = String(s)
            var encoded: [UInt8] = []
            JSONScan.encodeString(string, into: &encoded)
            XCTAssertEqual(try JSONScan.decodeString(encoded[...]), string)
            // The literal is also valid inside a record.
            let record = ingestBytes("{\"k\":") + encoded + ingestBytes("}")
            XCTAssertEqual(try JSONScan.textField("k", in: record), .string(string, valueRange: 5..<(5 + encoded.count)))
        }
    }

    func testRecordErrorCarriesPathLineAndSnippet() throws {
        let line = #"{"text": "a very long line with a tab\#tinside and more text after it, well over sixty characters"}"#
        let file = try IngestTempFile("{\"ok\":1}\n\n" + line + "\n")
        defer { file.close() }
        var reader = JSONLReader(fileDescriptor: file.fd, path: "data/in.jsonl")
        _ = try reader.next()
        let record = try XCTUnwrap(reader.next())
        XCTAssertThrowsError(try JSONScan.textField("text", of: record, path: "data/in.jsonl")) { error in
            guard let error = error as? RecordError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.path, "data/in.jsonl")
            XCTAssertEqual(error.line, 3)
            XCTAssertEqual(error.problem, "invalid JSON: control character U+0009 in string at column 38")
            XCTAssertEqual(error.snippet, #"{"text": "a very long line with a tab\tinside and more text after it, well over …"#)
            XCTAssertEqual(error.description, "data/in.jsonl:3: \(error.problem): \(error.snippet)")
        }
    }
}

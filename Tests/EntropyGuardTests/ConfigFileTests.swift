import XCTest
@testable import EntropyGuard

final class ConfigFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("eg-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ content: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try content.write(to: url, atomically: false, encoding: .utf8)
        return url.path
    }

    private func loadError(_ name: String, _ content: String) throws -> ConfigFileError {
        let path = try write(name, content)
        do {
            let values = try ConfigFile.load(path: path)
            XCTFail("expected an error for \(content.debugDescription), got \(values)")
            return ConfigFileError(path: "", message: "")
        } catch let error as ConfigFileError {
            XCTAssertEqual(error.path, path)
            return error
        }
    }

    func testTOMLValues() throws {
        let path = try write("c.toml", """
            # EntropyGuard settings
            chunk_size = 512
            overlap = -1_000   # trailing comment
            "quoted key" = "tab\\there \\"q\\" \\u00e9 \\U0001F600"
            literal = 'C:\\path\\no escapes'
            ratio = 0.85
            big = 1e6
            small = -2.5E-3
            hex = 0xFF
            oct = 0o17
            bin = 0b101
            enabled = true
            strict = false
            kinds = ["email", 'phone', ] # trailing comma
            nested = [[1, 2], [3.5]]
            multi = [
              1,   # one
              2,
            ]
            empty = []
            with-dash = ""
            hash_in_string = "a # b"

            """)
        let values = try ConfigFile.load(path: path)
        XCTAssertEqual(values, [
            "chunk_size": .int(512),
            "overlap": .int(-1000),
            "quoted key": .string("tab\there \"q\" é 😀"),
            "literal": .string("C:\\path\\no escapes"),
            "ratio": .double(0.85),
            "big": .double(1e6),
            "small": .double(-2.5e-3),
            "hex": .int(255),
            "oct": .int(15),
            "bin": .int(5),
            "enabled": .bool(true),
            "strict": .bool(false),
            "kinds": .array([.string("email"), .string("phone")]),
            "nested": .array([.array([.int(1), .int(2)]), .array([.double(3.5)])]),
            "multi": .array([.int(1), .int(2)]),
            "empty": .array([]),
            "with-dash": .string(""),
            "hash_in_string": .string("a # b"),
        ])
    }

    func testTOMLSpecialFloatsAndCRLF() throws {
        let path = try write("c.toml", "a = inf\r\nb = -inf\r\nc = nan\r\n")
        let values = try ConfigFile.load(path: path)
        XCTAssertEqual(values["a"], .double(.infinity))
        XCTAssertEqual(values["b"], .double(-.infinity))
        guard case .double(let nan)? = values["c"] else { return XCTFail("nan not parsed") }
        XCTAssertTrue(nan.isNaN)
    }

    func testTOMLErrorsNameLineAndKey() throws {
        let cases: [(String, Int, String?, String)] = [
            ("a = 1\n[table]\nb = 2\n", 2, nil, "tables are not supported"),
            ("a = 1\n\nx.y = 2\n", 3, "x", "dotted keys"),
            ("k = { a = 1 }\n", 1, "k", "inline tables"),
            ("k = \"\"\"multi\"\"\"\n", 1, "k", "multi-line strings"),
            ("k = \"unterminated\n", 1, "k", "unterminated string"),
            ("k = 'unterminated\n", 1, "k", "unterminated string"),
            ("k = \"bad \\q escape\"\n", 1, "k", "invalid escape"),
            ("a = 1\nk = 1979-05-27\n", 2, "k", "dates and times"),
            ("k = 07:32:00\n", 1, "k", "dates and times"),
            ("k = 1\nk = 2\n", 2, "k", "duplicate key"),
            ("k =\n", 1, "k", "missing value"),
            ("k = 1 2\n", 1, "k", "unexpected text"),
            ("k 1\n", 1, "k", "expected '='"),
            ("= 1\n", 1, nil, "expected a key"),
            ("k = [1, 2\n", 2, "k", "unterminated array"),
            ("k = [1 2]\n", 1, "k", "expected ',' or ']'"),
            ("k = 1__0\n", 1, "k", "invalid number"),
            ("k = 007\n", 1, "k", "leading zeros"),
            ("k = yes\n", 1, "k", "invalid value"),
            ("k = 99999999999999999999\n", 1, "k", "invalid value"),
            ("k = 1.\n", 1, "k", "invalid float"),
        ]
        for (content, line, key, fragment) in cases {
            let error = try loadError("c.toml", content)
            XCTAssertEqual(error.line, line, content)
            XCTAssertEqual(error.key, key, content)
            XCTAssertTrue(error.message.contains(fragment), "\(content.debugDescription): \(error)")
        }
        let error = try loadError("bad.toml", "a = 1\n[t]\n")
        XCTAssertTrue(error.description.hasSuffix("bad.toml:2: tables are not supported (the config is flat)"), error.description)
    }

    func testJSONValues() throws {
        let path = try write("c.json", """
            {"chunk_size": 512, "ratio": 0.85, "one": 1.0, "exp": 1e3, "neg": -7, "on": true, "off": false,
             "name": "a\\"b\\u00e9\\ud83d\\ude00\\n", "kinds": ["email", 1, [true]], "empty": []}
            """)
        XCTAssertEqual(try ConfigFile.load(path: path), [
            "chunk_size": .int(512), "ratio": .double(0.85), "one": .double(1.0), "exp": .double(1000), "neg": .int(-7),
            "on": .bool(true), "off": .bool(false), "name": .string("a\"bé😀\n"),
            "kinds": .array([.string("email"), .int(1), .array([.bool(true)])]), "empty": .array([]),
        ])
        XCTAssertEqual(try ConfigFile.load(path: try write("e.json", " {} \n")), [:])
    }

    func testJSONErrors() throws {
        let cases: [(String, Int, String?, String)] = [
            ("{\n  \"a\": 1,\n  \"nested\": {\"x\": 1}\n}", 3, "nested", "nested objects"),
            ("{\"a\": null}", 1, "a", "null"),
            ("[1, 2]", 1, nil, "top level must be a JSON object"),
            ("{\"a\": 1,}", 1, nil, "expected a quoted key"),
            ("{\"a\": 1", 1, nil, "missing '}'"),
            ("{\"a\": 1} x", 1, nil, "unexpected text"),
            ("{\"a\": 1, \"a\": 2}", 1, "a", "duplicate key"),
            ("{\"a\" 1}", 1, "a", "expected ':'"),
            ("{\"a\": tru}", 1, "a", "invalid value"),
            ("{\"a\": [{\"b\": 1}]}", 1, "a", "nested objects"),
            ("{\"a\": \"bad \\x\"}", 1, "a", "invalid escape"),
            ("{\"a\": 1e999}", 1, "a", "invalid number"),
            ("{\"a\": 99999999999999999999}", 1, "a", "out-of-range integer"),
            ("", 1, nil, "top level must be a JSON object"),
        ]
        for (content, line, key, fragment) in cases {
            let error = try loadError("c.json", content)
            XCTAssertEqual(error.line, line, content)
            XCTAssertEqual(error.key, key, content)
            XCTAssertTrue(error.message.contains(fragment), "\(content.debugDescription): \(error)")
        }
    }

    func testUnsupportedExtensionAndMissingFile() throws {
        let yaml = try write("c.yaml", "a: 1")
        XCTAssertThrowsError(try ConfigFile.load(path: yaml)) { error in
            XCTAssertTrue("\(error)".contains("unsupported config file type"), "\(error)")
        }
        let missing = directory.appendingPathComponent("none.toml").path
        XCTAssertThrowsError(try ConfigFile.load(path: missing)) { error in
            XCTAssertTrue("\(error)".hasPrefix(missing + ": cannot read file"), "\(error)")
        }
    }

    func testDiscover() throws {
        XCTAssertNil(ConfigFile.discover(in: directory.path))
        XCTAssertNil(try ConfigFile.discoverStrict(in: directory.path))
        let toml = try write(".entropyguardrc.toml", "a = 1\n")
        XCTAssertEqual(ConfigFile.discover(in: directory.path), toml)
        XCTAssertEqual(try ConfigFile.discoverStrict(in: directory.path), toml)
        let json = try write(".entropyguardrc.json", "{}")
        XCTAssertEqual(ConfigFile.discover(in: directory.path), json)
        XCTAssertThrowsError(try ConfigFile.discoverStrict(in: directory.path)) { error in
            XCTAssertTrue("\(error)".contains("keep only one"), "\(error)")
        }
        // A directory with the config's name is not a config file.
        try FileManager.default.removeItem(atPath: json)
        try FileManager.default.createDirectory(atPath: json, withIntermediateDirectories: false)
        XCTAssertEqual(ConfigFile.discover(in: directory.path), toml)
    }
}

final class ConfigValueAccessorTests: XCTestCase {
    func testAccessors() {
        XCTAssertEqual(ConfigValue.string("a").stringValue, "a")
        XCTAssertNil(ConfigValue.int(1).stringValue)
        XCTAssertEqual(ConfigValue.int(3).intValue, 3)
        XCTAssertNil(ConfigValue.double(3.5).intValue)
        XCTAssertEqual(ConfigValue.int(3).doubleValue, 3.0)
        XCTAssertEqual(ConfigValue.double(0.5).doubleValue, 0.5)
        XCTAssertEqual(ConfigValue.bool(true).boolValue, true)
        XCTAssertNil(ConfigValue.string("true").boolValue)
        XCTAssertEqual(ConfigValue.array([.string("a"), .string("b")]).stringArray, ["a", "b"])
        XCTAssertNil(ConfigValue.array([.string("a"), .int(1)]).stringArray)
        XCTAssertEqual(ConfigValue.array([]).typeName, "array")
    }
}

/// JSON config: one top-level object whose values are strings, numbers, booleans or arrays of those.
/// Nested objects and null are errors, as are duplicate keys. A number written without fraction or
/// exponent is `.int` (an error if it does not fit in Int); any other number is `.double`, so `1.0`
/// stays a double. Hand-written so errors carry line numbers and booleans are never confused with numbers.
struct JSONConfigParser {
    private let bytes: [UInt8]
    private let path: String
    private var i = 0
    private var line = 1
    private var currentKey: String?

    static func parse(_ text: String, path: String) throws -> [String: ConfigValue] {
        var parser = JSONConfigParser(bytes: Array(text.utf8), path: path)
        return try parser.parseDocument()
    }

    private init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    private func fail(_ message: String) -> ConfigFileError {
        ConfigFileError(path: path, line: line, key: currentKey, message: message)
    }

    private mutating func skipWhitespace() {
        while i < bytes.count, CleanBytes.isASCIISpace(bytes[i]) {
            if bytes[i] == 0x0A { line += 1 }
            i += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws {
        skipWhitespace()
        guard i < bytes.count, bytes[i] == byte else { throw fail("expected \(what)") }
        i += 1
    }

    private mutating func parseDocument() throws -> [String: ConfigValue] {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        skipWhitespace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { throw fail("the top level must be a JSON object") }
        i += 1
        var result: [String: ConfigValue] = [:]
        skipWhitespace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipWhitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
                let key = try parseString()
                currentKey = key
                guard result[key] == nil else { throw fail("duplicate key") }
                try expect(UInt8(ascii: ":"), "':' after the key")
                result[key] = try parseValue()
                currentKey = nil
                skipWhitespace()
                guard i < bytes.count else { throw fail("unterminated object (missing '}')") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                throw fail("expected ',' or '}'")
            }
        }
        skipWhitespace()
        guard i == bytes.count else { throw fail("unexpected text after the object") }
        return result
    }

    private mutating func parseValue() throws -> ConfigValue {
        skipWhitespace()
        guard i < bytes.count else { throw fail("missing value") }
        switch bytes[i] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "{"): throw fail("nested objects are not supported (the config is flat)")
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); throw fail("null is not a valid value")
        default: return try parseNumber()
        }
    }

    private mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw fail("invalid value") }
        i += w.count
    }

    private mutating func parseArray() throws -> ConfigValue {
        i += 1
        var items: [ConfigValue] = []
        skipWhitespace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            items.append(try parseValue())
            skipWhitespace()
            guard i < bytes.count else { throw fail("unterminated array (missing ']')") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw fail("expected ',' or ']' in array")
        }
    }

    private mutating func parseNumber() throws -> ConfigValue {
        let start = i
        var isInteger = true
        while i < bytes.count, CleanBytes.isDigit(bytes[i]) || "+-.eE".utf8.contains(bytes[i]) {
            if !CleanBytes.isDigit(bytes[i]) && !(i == start && bytes[i] == UInt8(ascii: "-")) { isInteger = false }
            i += 1
        }
        let token = String(decoding: bytes[start..<i], as: UTF8.self)
        guard !token.isEmpty else { throw fail("invalid value") }
        if isInteger {
            guard let value = Int(token) else { throw fail("invalid or out-of-range integer \(token)") }
            return .int(value)
        }
        guard let value = Double(token), value.isFinite else { throw fail("invalid number \(token)") }
        return .double(value)
    }

    /// Parses a JSON string starting at the opening quote.
    private mutating func parseString() throws -> String {
        i += 1
        var out = [UInt8]()
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var value = try hex4()
                    if (0xD800..<0xDC00).contains(value), i + 1 < bytes.count,
                       bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair in string") }
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(value) else { throw fail("invalid \\u escape in string") }
                    CleanBytes.appendUTF8(scalar, to: &out)
                default:
                    throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))' in string")
                }
            case 0x0A:
                throw fail("unterminated string")
            default:
                out.append(b)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16)
        else { throw fail("invalid \\u escape in string") }
        i += 4
        return value
    }
}

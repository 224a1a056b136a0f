import Foundation

/// A flat subset of TOML 1.0: `key = value` lines, `#` comments and blank lines. Keys are bare
/// (A-Z a-z 0-9 _ -) or quoted. Values: basic strings with escapes, literal strings, integers (decimal,
/// 0x/0o/0b, underscores), floats (incl. exponents, inf, nan), booleans, and arrays of those (which may
/// span lines and end with a trailing comma). Tables, dotted keys, inline tables, multi-line strings and
/// dates are rejected with an error naming the line.
struct TOMLConfigParser {
    private let bytes: [UInt8]
    private let path: String
    private var i = 0
    private var line = 1
    private var currentKey: String?

    init(text: String, path: String) {
        self.bytes = Array(text.utf8)
        self.path = path
    }

    private func fail(_ message: String) -> ConfigFileError {
        ConfigFileError(path: path, line: line, key: currentKey, message: message)
    }

    private var current: UInt8? { i < bytes.count ? bytes[i] : nil }
    private mutating func skipSpaces() { while current == 0x20 || current == 0x09 { i += 1 } }
    private mutating func skipComment() { if current == UInt8(ascii: "#") { while let b = current, b != 0x0A { i += 1 } } }

    /// Consumes a line end; false if something else is there.
    private mutating func newline() -> Bool {
        if current == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
        guard current == 0x0A else { return false }
        i += 1
        line += 1
        return true
    }

    mutating func parse() throws -> [String: ConfigValue] {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        var result: [String: ConfigValue] = [:]
        while current != nil {
            skipSpaces()
            skipComment()
            if current == nil || newline() { continue }
            if current == UInt8(ascii: "[") { throw fail("tables are not supported (the config is flat)") }
            let key = try parseKey()
            currentKey = key
            skipSpaces()
            if current == UInt8(ascii: ".") { throw fail("dotted keys are not supported (the config is flat)") }
            guard current == UInt8(ascii: "=") else { throw fail("expected '=' after the key") }
            i += 1
            skipSpaces()
            guard result[key] == nil else { throw fail("duplicate key") }
            result[key] = try parseValue()
            skipSpaces()
            skipComment()
            guard current == nil || newline() else { throw fail("unexpected text after the value") }
            currentKey = nil
        }
        return result
    }

    private mutating func parseKey() throws -> String {
        if current == UInt8(ascii: "\"") || current == UInt8(ascii: "'") {
            let key = try parseString()
            return key
        }
        let start = i
        while let b = current, CleanBytes.isAlnum(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") { i += 1 }
        guard i > start else { throw fail("expected a key") }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    private mutating func parseValue() throws -> ConfigValue {
        guard let b = current, b != 0x0A, b != 0x0D else { throw fail("missing value") }
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return .string(try parseString())
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "{"): throw fail("inline tables are not supported (the config is flat)")
        default: return try parseScalarToken()
        }
    }

    /// Arrays may span lines; comments and newlines are allowed between elements.
    private mutating func parseArray() throws -> ConfigValue {
        i += 1
        var items: [ConfigValue] = []
        while true {
            skipArrayFiller()
            guard let b = current else { throw fail("unterminated array (missing ']')") }
            if b == UInt8(ascii: "]") { i += 1; return .array(items) }
            items.append(try parseValue())
            skipArrayFiller()
            guard current != nil else { throw fail("unterminated array (missing ']')") }
            if current == UInt8(ascii: ",") { i += 1; continue }
            guard current == UInt8(ascii: "]") else { throw fail("expected ',' or ']' in array") }
        }
    }

    private mutating func skipArrayFiller() {
        while true {
            skipSpaces()
            skipComment()
            if !newline() { return }
        }
    }

    private mutating func parseString() throws -> String {
        let quote = bytes[i]
        if i + 2 < bytes.count && bytes[i + 1] == quote && bytes[i + 2] == quote {
            throw fail("multi-line strings are not supported")
        }
        i += 1
        var out = [UInt8]()
        while let b = current {
            i += 1
            if b == quote { return String(decoding: out, as: UTF8.self) }
            if b == 0x0A { break }
            guard quote == UInt8(ascii: "\""), b == UInt8(ascii: "\\") else { out.append(b); continue }
            guard let e = current else { break }
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(e)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = e == UInt8(ascii: "u") ? 4 : 8
                guard i + count <= bytes.count,
                      let value = UInt32(String(decoding: bytes[i..<(i + count)], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(value) else { throw fail("invalid unicode escape in string") }
                i += count
                CleanBytes.appendUTF8(scalar, to: &out)
            default:
                throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))' in string")
            }
        }
        throw fail("unterminated string")
    }

    /// Booleans, integers and floats: read the bare token up to a delimiter, then classify it.
    private mutating func parseScalarToken() throws -> ConfigValue {
        let start = i
        while let b = current, !CleanBytes.isASCIISpace(b), b != UInt8(ascii: ","), b != UInt8(ascii: "]"),
              b != UInt8(ascii: "#") {
            i += 1
        }
        let token = String(decoding: bytes[start..<i], as: UTF8.self)
        switch token {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "inf", "+inf": return .double(.infinity)
        case "-inf": return .double(-.infinity)
        case "nan", "+nan", "-nan": return .double(.nan)
        default: break
        }
        if token.contains(":") || token.dropFirst().contains("-") && !token.lowercased().contains("e-") {
            throw fail("dates and times are not supported")
        }
        guard isValidUnderscoreUse(token) else { throw fail("invalid number '\(token)'") }
        let digits = token.replacingOccurrences(of: "_", with: "")
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where digits.hasPrefix(prefix) {
            guard let value = Int(digits.dropFirst(2), radix: radix) else { throw fail("invalid integer '\(token)'") }
            return .int(value)
        }
        guard !digits.isEmpty else { throw fail("missing value") }
        guard digits.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else {
            throw fail("invalid value '\(token)'")
        }
        if digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            guard !digits.hasPrefix(".") && !digits.hasSuffix("."), !digits.contains(".e"), !digits.contains(".E"),
                  let value = Double(digits) else { throw fail("invalid float '\(token)'") }
            return .double(value)
        }
        guard let value = Int(digits) else { throw fail("invalid value '\(token)'") }
        let unsigned = digits.drop(while: { $0 == "+" || $0 == "-" })
        guard unsigned == "0" || !unsigned.hasPrefix("0") else { throw fail("leading zeros are not allowed in '\(token)'") }
        return .int(value)
    }

    /// TOML allows "_" only between two digits.
    private func isValidUnderscoreUse(_ token: String) -> Bool {
        let chars = Array(token.utf8)
        for (k, c) in chars.enumerated() where c == UInt8(ascii: "_") {
            guard k > 0, k + 1 < chars.count, CleanBytes.isHex(chars[k - 1]), CleanBytes.isHex(chars[k + 1]) else { return false }
        }
        return true
    }
}

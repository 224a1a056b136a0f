/// A JSON syntax problem in one record, before path and line are known.
/// `problem` is the full message, e.g. `invalid JSON: unexpected character 'x' at column 17`.
public struct JSONScanError: Error, Equatable, Sendable, CustomStringConvertible {
    public let problem: String
    /// Byte offset in the record where the problem was found.
    public let offset: Int

    public var description: String { problem }

    /// The same problem as a `RecordError` for `record` read from `path` at `line`.
    public func recordError(path: String, line: Int, record: [UInt8]) -> RecordError {
        RecordError(path: path, line: line, problem: problem, record: record)
    }
}

/// The validating byte-level JSON scanner behind `JSONScan`.
///
/// Works on raw pointers for speed. UTF-8 is validated on the way: outside strings only ASCII is
/// valid JSON, and inside strings the eight-bytes-at-a-time loop stops at `"`, `\`, control
/// characters and non-ASCII bytes, whose sequences are then checked.
struct JSONScanner {
    /// Deeper nesting is rejected, which bounds the scanner's work stack.
    static let maxDepth = 512

    let p: UnsafePointer<UInt8>
    let n: Int
    var i = 0
    /// Whether the last string scanned by `scanScalar` (e.g. a member's value) had escapes.
    var lastStringHasEscapes = false

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        // A zero-length buffer may have no base address; point at a dummy byte that is never read.
        p = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        n = buffer.count
    }

    // MARK: errors

    /// 1-based column (in Unicode scalars) of byte `offset`.
    func column(of offset: Int) -> Int {
        var column = 1
        var k = 0
        while k < offset && k < n {
            if p[k] & 0xC0 != 0x80 { column += 1 }
            k += 1
        }
        return column
    }

    func error(_ what: String, at offset: Int) -> JSONScanError {
        JSONScanError(problem: "invalid JSON: \(what) at column \(column(of: offset))", offset: offset)
    }

    /// "unexpected character 'x'" or "unexpected end of record" at the current position;
    /// bad UTF-8 there is reported as such.
    func unexpected() -> JSONScanError {
        if i >= n { return error("unexpected end of record", at: n) }
        if p[i] >= 0x80 && UTF8Validation.sequenceLength(p, i, n) == nil { return invalidUTF8(at: i) }
        return error("unexpected character \(describeCharacter(at: i))", at: i)
    }

    func invalidUTF8(at offset: Int) -> JSONScanError {
        JSONScanError(problem: "invalid UTF-8 at byte \(offset + 1)", offset: offset)
    }

    func describeCharacter(at offset: Int) -> String {
        let b = p[offset]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        if b < 0x80 { return "U+" + hex4(UInt32(b)) }
        // A multi-byte character (callers report invalid UTF-8 before getting here; if not, it shows as \\xNN).
        var end = offset + 1
        while end < n && p[end] & 0xC0 == 0x80 { end += 1 }
        return "'\(Snippet.printable(Array(UnsafeBufferPointer(start: p + offset, count: end - offset))))'"
    }

    private func hex4(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    // MARK: tokens

    @inline(__always)
    mutating func skipWhitespace() {
        while i < n {
            let b = p[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 } else { return }
        }
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8) throws {
        guard i < n && p[i] == byte else { throw unexpected() }
        i += 1
    }

    /// Scans the string literal at `i` (which must be `"`); returns whether it contains escapes.
    @inline(__always)
    mutating func scanString() throws -> Bool {
        guard i < n && p[i] == UInt8(ascii: "\"") else { throw unexpected() }
        i += 1
        var hasEscapes = false
        while true {
            // Skip 8 bytes at a time while all are plain ASCII: no `"`, `\`, control character or byte >= 0x80.
            while i + 8 <= n {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                let quote = w ^ 0x2222_2222_2222_2222
                let slash = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let ones: UInt64 = 0x0101_0101_0101_0101
                let high: UInt64 = 0x8080_8080_8080_8080
                // Flags `"`, `\`, bytes < 0x20, and non-ASCII bytes (whose UTF-8 is checked below).
                let hits = (((quote &- ones) & ~quote) | ((slash &- ones) & ~slash)
                            | ((w &- 0x2020_2020_2020_2020) & ~w) | w) & high
                if hits != 0 {
                    // The lowest flagged byte is always a real hit (borrows only run upwards).
                    i += hits.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < n else { throw error("unterminated string", at: n) }
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return hasEscapes
            }
            if b >= 0x80 {
                guard let length = UTF8Validation.sequenceLength(p, i, n) else { throw invalidUTF8(at: i) }
                i += length
            } else if b == UInt8(ascii: "\\") {
                hasEscapes = true
                try scanEscape()
            } else if b < 0x20 {
                throw error("control character U+\(hex4(UInt32(b))) in string", at: i)
            } else {
                i += 1
            }
        }
    }

    private mutating func scanEscape() throws {
        let at = i
        i += 1
        guard i < n else { throw error("unterminated string", at: n) }
        switch p[i] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            i += 1
        case UInt8(ascii: "u"):
            i += 1
            for _ in 0..<4 {
                guard i < n, JSONScanner.hexValue(p[i]) != nil else {
                    throw error("invalid \\u escape", at: at)
                }
                i += 1
            }
        default:
            throw error("invalid escape \\\(describeCharacter(at: i).dropFirst().dropLast())", at: at)
        }
    }

    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    @inline(__always)
    private func isDigit(_ k: Int) -> Bool {
        k < n && p[k] &- UInt8(ascii: "0") < 10
    }

    /// Scans a number with JSON's grammar: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    mutating func scanNumber() throws -> JSONValueKind {
        if p[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { throw unexpected() }
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while isDigit(i) { i += 1 }
        }
        var kind = JSONValueKind.integer
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { throw unexpected() }
            while isDigit(i) { i += 1 }
            kind = .double
        }
        if i < n && (p[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            if i < n && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            guard isDigit(i) else { throw unexpected() }
            while isDigit(i) { i += 1 }
            kind = .double
        }
        return kind
    }

    private mutating func scanLiteral(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        let w = word.utf8Start
        for k in 0..<count {
            guard i < n && p[i] == w[k] else { throw unexpected() }
            i += 1
        }
    }

    /// Scans any value that is not an object or array.
    @inline(__always)
    mutating func scanScalar() throws -> JSONValueKind {
        guard i < n else { throw unexpected() }
        switch p[i] {
        case UInt8(ascii: "\""):
            lastStringHasEscapes = try scanString()
            return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try scanNumber()
        case UInt8(ascii: "t"):
            try scanLiteral("true")
            return .bool
        case UInt8(ascii: "f"):
            try scanLiteral("false")
            return .bool
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            return .null
        default:
            throw unexpected()
        }
    }

    /// Scans the value at `i` (whitespace already skipped), including nested containers.
    mutating func scanValue() throws -> JSONValueKind {
        guard i < n else { throw unexpected() }
        switch p[i] {
        case UInt8(ascii: "{"):
            try scanContainer()
            return .object
        case UInt8(ascii: "["):
            try scanContainer()
            return .array
        default:
            return try scanScalar()
        }
    }

    /// Scans the object or array at `i`, iteratively (a stack of openers instead of recursion).
    mutating func scanContainer() throws {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: JSONScanner.maxDepth) { stack in
            var depth = 1
            stack[0] = p[i]
            i += 1
            var justOpened = true
            while true {
                skipWhitespace()
                guard i < n else { throw unexpected() }
                let opener = stack[depth - 1]
                if justOpened && p[i] == opener &+ 2 { // '{'+2 == '}', '['+2 == ']'
                    i += 1
                    depth -= 1
                } else {
                    if opener == UInt8(ascii: "{") {
                        _ = try scanString()
                        skipWhitespace()
                        try expect(UInt8(ascii: ":"))
                        skipWhitespace()
                        guard i < n else { throw unexpected() }
                    }
                    let c = p[i]
                    if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                        guard depth < JSONScanner.maxDepth else {
                            throw error("nesting deeper than \(JSONScanner.maxDepth) levels", at: i)
                        }
                        stack[depth] = c
                        depth += 1
                        i += 1
                        justOpened = true
                        continue
                    }
                    _ = try scanScalar()
                }
                // After a value or a closing bracket: `,` continues, a closer pops.
                while true {
                    if depth == 0 { return }
                    skipWhitespace()
                    guard i < n else { throw unexpected() }
                    let c = p[i]
                    if c == UInt8(ascii: ",") {
                        i += 1
                        justOpened = false
                        break
                    }
                    if c == stack[depth - 1] &+ 2 {
                        i += 1
                        depth -= 1
                        continue
                    }
                    throw unexpected()
                }
            }
        }
    }

    // MARK: the top-level object

    /// Checks that the record starts an object and consumes `{`. If it holds some other JSON value,
    /// throws "not a JSON object (an array)" etc.; if it is not JSON at all, the syntax error.
    mutating func beginObject() throws {
        skipWhitespace()
        guard i < n else {
            throw JSONScanError(problem: "not a JSON object (an empty record)", offset: 0)
        }
        if p[i] == UInt8(ascii: "{") {
            i += 1
            return
        }
        let kind = try scanValue()
        skipWhitespace()
        if i < n { throw unexpected() }
        let what: String
        switch kind {
        case .array: what = "an array"
        case .string: what = "a string"
        case .integer, .double: what = "a number"
        case .bool: what = "a boolean"
        case .null: what = "null"
        case .object: what = "an object" // not reached: `{` is handled above
        }
        throw JSONScanError(problem: "not a JSON object (\(what))", offset: 0)
    }

    /// Calls `body` for each top-level member of the object (after `beginObject`), in order,
    /// then checks that nothing but whitespace follows the closing brace.
    @inline(__always)
    mutating func forEachMember(
        _ body: (_ keyRange: Range<Int>, _ keyHasEscapes: Bool, _ valueRange: Range<Int>,
                 _ kind: JSONValueKind, _ valueHasEscapes: Bool) throws -> Void
    ) throws {
        skipWhitespace()
        if i < n && p[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipWhitespace()
                let keyStart = i
                let keyHasEscapes = try scanString()
                let keyRange = keyStart..<i
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                let valueStart = i
                let kind = try scanValue()
                try body(keyRange, keyHasEscapes, valueStart..<i, kind, kind == .string && lastStringHasEscapes)
                skipWhitespace()
                guard i < n else { throw unexpected() }
                if p[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                if p[i] == UInt8(ascii: "}") {
                    i += 1
                    break
                }
                throw unexpected()
            }
        }
        skipWhitespace()
        if i < n { throw unexpected() }
    }
}

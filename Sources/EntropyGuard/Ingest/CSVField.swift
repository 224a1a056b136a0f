#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One field of a CSV record.
public struct CSVField: Equatable, Sendable {
    /// The field's text, with the surrounding quotes removed and `""` turned into `"`.
    public let value: String
    /// Whether the field was written in quotes (`"",` is an empty quoted field, `,,` an empty unquoted one).
    public let wasQuoted: Bool

    public init(value: String, wasQuoted: Bool) {
        self.value = value
        self.wasQuoted = wasQuoted
    }

    /// The field as a typed value. CSV has no types, so every field is a string, except that an
    /// empty *unquoted* field is `.null` (a missing value); an empty quoted field `""` is the empty string.
    public var fieldValue: FieldValue {
        value.isEmpty && !wasQuoted ? .null : .string(value)
    }
}

/// RFC 4180 field splitting of one CSV record (the record's bytes, terminator removed).
///
/// Lenient where common files are sloppy, strict where the meaning would be lost:
/// a `"` inside an unquoted field is kept as a literal character (as Python's csv module does),
/// but text after a closing quote (`"ab"c,`) is an error, as is an unterminated quoted field.
enum CSVFieldParser {
    struct SyntaxError: Error {
        let problem: String
    }

    static func parse(_ bytes: [UInt8]) throws -> [CSVField] {
        try bytes.withUnsafeBufferPointer { buffer in
            if let bad = UTF8Validation.firstInvalidOffset(buffer) {
                throw SyntaxError(problem: "invalid UTF-8 at byte \(bad + 1)")
            }
            return try parse(buffer)
        }
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws -> [CSVField] {
        let n = buffer.count
        guard n > 0, let p = buffer.baseAddress else { return [CSVField(value: "", wasQuoted: false)] }
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        var fields: [CSVField] = []
        var k = 0
        while true {
            if k < n && p[k] == quote {
                // Quoted field: runs up to each quote; `""` is an escaped quote. The value is written
                // straight into the string's storage (never longer than the quoted text).
                let fieldStart = k
                k += 1
                var closed = false
                let value = String(unsafeUninitializedCapacity: max(n - k, 1)) { out in
                    var w = 0
                    while k < n {
                        let runEnd: Int
                        if let hit = memchr(p + k, Int32(quote), n - k) {
                            runEnd = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(hit))
                        } else {
                            runEnd = n
                        }
                        (out.baseAddress! + w).update(from: p + k, count: runEnd - k)
                        w += runEnd - k
                        k = runEnd
                        if k == n { break }
                        if k + 1 < n && p[k + 1] == quote {
                            out[w] = quote
                            w += 1
                            k += 2
                        } else {
                            k += 1 // the closing quote
                            closed = true
                            break
                        }
                    }
                    return w
                }
                guard closed else {
                    throw SyntaxError(problem: "unterminated quoted field starting at column \(column(p, fieldStart))")
                }
                fields.append(CSVField(value: value, wasQuoted: true))
                if k == n { return fields }
                guard p[k] == comma else {
                    throw SyntaxError(problem: "unexpected character \(describe(p, n, k)) after closing quote at column \(column(p, k))")
                }
                k += 1
            } else {
                let fieldStart = k
                if let hit = memchr(p + k, Int32(comma), n - k) {
                    k = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(hit))
                } else {
                    k = n
                }
                let value = String(decoding: UnsafeBufferPointer(start: p + fieldStart, count: k - fieldStart), as: UTF8.self)
                fields.append(CSVField(value: value, wasQuoted: false))
                if k == n { return fields }
                k += 1 // the comma; a trailing comma leaves one more, empty, field
            }
        }
    }

    /// 1-based column in Unicode scalars.
    private static func column(_ p: UnsafePointer<UInt8>, _ offset: Int) -> Int {
        var column = 1
        for k in 0..<offset where p[k] & 0xC0 != 0x80 { column += 1 }
        return column
    }

    private static func describe(_ p: UnsafePointer<UInt8>, _ n: Int, _ k: Int) -> String {
        var end = k + 1
        while end < n && p[end] & 0xC0 == 0x80 { end += 1 }
        let text = String(decoding: UnsafeBufferPointer(start: p + k, count: end - k), as: UTF8.self)
        if let scalar = text.unicodeScalars.first, scalar.value < 0x20 {
            return "U+" + String(scalar.value, radix: 16, uppercase: true)
        }
        return "'\(Snippet.printable(text))'"
    }
}

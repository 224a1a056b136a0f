#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONScan {
    /// Decodes one JSON string literal, quotes included, into a `String`.
    /// Handles all escapes and `\uXXXX` with surrogate pairs; a lone surrogate becomes U+FFFD.
    /// Throws `JSONScanError` if `bytes` is not exactly one valid string literal in valid UTF-8.
    public static func decodeString(_ bytes: ArraySlice<UInt8>) throws -> String {
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            let hasEscapes = try scanner.scanString()
            if scanner.i != buffer.count { throw scanner.unexpected() }
            return hasEscapes
                ? JSONStringCodec.decodeEscaped(buffer, literal: 0..<buffer.count)
                : JSONStringCodec.decodePlain(buffer, literal: 0..<buffer.count)
        }
    }

    /// Appends `s` as a JSON string literal with quotes: `"` and `\` are escaped, control characters
    /// become `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`; everything else (non-ASCII included) is kept as UTF-8.
    public static func encodeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { JSONStringCodec.encode($0, into: &out) }
    }
}

/// String literal decoding and encoding on raw bytes; the scanner has already checked the literals it passes.
enum JSONStringCodec {
    /// Decodes the checked literal at `literal` (quotes included), with or without escapes.
    static func decode(_ buffer: UnsafeBufferPointer<UInt8>, literal: Range<Int>) -> String {
        let inner = buffer.baseAddress! + literal.lowerBound + 1
        let count = literal.count - 2
        if count == 0 || memchr(inner, Int32(UInt8(ascii: "\\")), count) == nil {
            return decodePlain(buffer, literal: literal)
        }
        return decodeEscaped(buffer, literal: literal)
    }

    /// A checked literal without escapes: its inner bytes are the string.
    @inline(__always)
    static func decodePlain(_ buffer: UnsafeBufferPointer<UInt8>, literal: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: buffer[(literal.lowerBound + 1)..<(literal.upperBound - 1)]),
               as: UTF8.self)
    }

    /// A checked literal with escapes. Unescaped runs are copied with memchr/memcpy straight into the
    /// new string's storage; the decoded text is never longer than the literal, which sizes the storage.
    static func decodeEscaped(_ buffer: UnsafeBufferPointer<UInt8>, literal: Range<Int>) -> String {
        let p = buffer.baseAddress!
        let start = literal.lowerBound + 1
        let end = literal.upperBound - 1
        return String(unsafeUninitializedCapacity: max(end - start, 1)) { out in
            let o = out.baseAddress!
            var w = 0
            var i = start
            while i < end {
                let runEnd: Int
                if let hit = memchr(p + i, Int32(UInt8(ascii: "\\")), end - i) {
                    runEnd = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(hit))
                } else {
                    runEnd = end
                }
                (o + w).update(from: p + i, count: runEnd - i)
                w += runEnd - i
                i = runEnd
                if i >= end { break }
                let e = p[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "b"): o[w] = 0x08; w += 1
                case UInt8(ascii: "f"): o[w] = 0x0C; w += 1
                case UInt8(ascii: "n"): o[w] = 0x0A; w += 1
                case UInt8(ascii: "r"): o[w] = 0x0D; w += 1
                case UInt8(ascii: "t"): o[w] = 0x09; w += 1
                case UInt8(ascii: "u"):
                    var scalar = hex4(p + i)
                    i += 4
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        // A high surrogate: combine with a following low surrogate escape, if there is one.
                        scalar = 0xFFFD
                        if i + 6 <= end && p[i] == UInt8(ascii: "\\") && p[i + 1] == UInt8(ascii: "u") {
                            let low = hex4(p + i + 2)
                            if low >= 0xDC00 && low < 0xE000 {
                                scalar = 0x10000 + ((hex4(p + i - 4) - 0xD800) << 10) + (low - 0xDC00)
                                i += 6
                            }
                        }
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        scalar = 0xFFFD // a lone low surrogate
                    }
                    w += writeUTF8(scalar, to: o + w)
                default: // `"`, `\`, `/`
                    o[w] = e
                    w += 1
                }
            }
            return w
        }
    }

    @inline(__always)
    private static func hex4(_ p: UnsafePointer<UInt8>) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 { v = v << 4 | (JSONScanner.hexValue(p[k]) ?? 0) }
        return v
    }

    /// Writes the UTF-8 encoding of scalar `v` at `o`; returns the byte count.
    @inline(__always)
    private static func writeUTF8(_ v: UInt32, to o: UnsafeMutablePointer<UInt8>) -> Int {
        switch v {
        case 0..<0x80:
            o[0] = UInt8(v)
            return 1
        case 0x80..<0x800:
            o[0] = UInt8(0xC0 | (v >> 6))
            o[1] = UInt8(0x80 | (v & 0x3F))
            return 2
        case 0x800..<0x10000:
            o[0] = UInt8(0xE0 | (v >> 12))
            o[1] = UInt8(0x80 | ((v >> 6) & 0x3F))
            o[2] = UInt8(0x80 | (v & 0x3F))
            return 3
        default:
            o[0] = UInt8(0xF0 | (v >> 18))
            o[1] = UInt8(0x80 | ((v >> 12) & 0x3F))
            o[2] = UInt8(0x80 | ((v >> 6) & 0x3F))
            o[3] = UInt8(0x80 | (v & 0x3F))
            return 4
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `bytes` (UTF-8) as a quoted, escaped literal, copying unescaped runs in one go.
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + bytes.count + 2)
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        for k in 0..<bytes.count {
            let b = bytes[k]
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            if runStart < k { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<k])) }
            runStart = k + 1
            out.append(UInt8(ascii: "\\"))
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            default:
                out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hexDigits[Int(b >> 4)], hexDigits[Int(b & 0xF)]])
            }
        }
        if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        out.append(UInt8(ascii: "\""))
    }
}

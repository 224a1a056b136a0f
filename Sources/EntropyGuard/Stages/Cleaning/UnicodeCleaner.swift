import Foundation

/// Unicode and whitespace normalization, in one pass after NFC:
///
/// - NFC (skipped when the text has no scalar >= U+0300, since such text is already NFC).
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
    let source = text.utf8.contains(where: { $0 >= 0xCC }) ? text.precomposedStringWithCanonicalMapping : text
    var out = [UInt8]()
    out.reserveCapacity(source.utf8.count)
    var pendingSpace = false
    var pendingNewlines = 0
    var lastKept: Unicode.Scalar = " "
    let scalars = source.unicodeScalars
    var index = scalars.startIndex
    while index != scalars.endIndex {
        let c = scalars[index]
        scalars.formIndex(after: &index)
        switch UnicodeClass.of(c) {
        case .carriageReturn:
            if index != scalars.endIndex && scalars[index] == "\n" { continue }
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
            let next = index != scalars.endIndex ? scalars[index] : " "
            guard !out.isEmpty, pendingNewlines == 0, !pendingSpace,
                  UnicodeClass.isEmojiPart(lastKept), UnicodeClass.isEmojiPart(next) else { continue }
            CleanBytes.appendUTF8(c, to: &out)
            lastKept = c
        case .keep:
            if !out.isEmpty {
                if pendingNewlines > 0 {
                    out.append(0x0A)
                    if pendingNewlines > 1 { out.append(0x0A) }
                } else if pendingSpace {
                    out.append(0x20)
                }
            }
            pendingNewlines = 0
            pendingSpace = false
            CleanBytes.appendUTF8(c, to: &out)
            lastKept = c
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// How `cleanUnicode` treats each scalar.
enum UnicodeClass {
    case keep, space, newline, carriageReturn, remove, zeroWidthJoiner

    @inline(__always)
    static func of(_ c: Unicode.Scalar) -> UnicodeClass {
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

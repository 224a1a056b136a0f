import Foundation

/// The text clean-up and word splitting that HuggingFace's `BertNormalizer` and `BertPreTokenizer`
/// perform before WordPiece, scalar for scalar (the fast tokenizer works on Unicode scalars, not graphemes).
struct BertTextNormalizer: Sendable {
    /// Lowercase every scalar (its full Unicode lowercase mapping, without context rules).
    let lowercase: Bool
    /// Decompose (NFD) and drop non-spacing marks (category Mn).
    let stripAccents: Bool

    /// Splits `text` into words: cleaned, CJK-isolated, accent-stripped, lowercased, split on
    /// whitespace and with every punctuation scalar as its own word.
    func words(_ text: Substring.UnicodeScalarView) -> [[Unicode.Scalar]] {
        Self.split(normalized(text))
    }

    /// `text` cleaned, CJK-isolated, accent-stripped and lowercased, before the word split. Every step is
    /// per scalar except NFD's canonical reordering, which never crosses a starter (ccc 0, as every
    /// ASCII scalar is), so text may be normalized in pieces cut before any ASCII scalar.
    func normalized(_ text: Substring.UnicodeScalarView) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        var hasNonASCII = false
        for scalar in text {
            let value = scalar.value
            if value == 0 || value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                cleaned.append(" ")
            } else if Self.isCJK(value) {
                // BERT treats each ideograph as a word of its own. It is non-ASCII too: the
                // compatibility ideographs (U+F900…, U+2F800…) decompose to unified ones, as
                // BertNormalizer's NFD of the whole text does (this flag once missed them, so "\u{F98E}"
                // was [UNK] alone and 年 beside an accented letter).
                hasNonASCII = true
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                if value >= 0x80 { hasNonASCII = true }
                cleaned.append(scalar)
            }
        }
        var scalars: [Unicode.Scalar]
        if stripAccents && hasNonASCII {
            // ASCII text is already in NFD, so only other text pays for the decomposition.
            let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
            scalars = decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
        } else {
            scalars = Array(cleaned)
        }
        if lowercase { scalars = Self.lowercased(scalars) }
        return scalars
    }

    /// Whitespace split plus punctuation isolation (BertPreTokenizer).
    static func split(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in scalars {
            if scalar == " " || isWhitespace(scalar) {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
            } else if isPunctuation(scalar) {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    static func lowercased(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        for scalar in scalars {
            if scalar.isASCII {
                let value = scalar.value
                result.append((value >= 65 && value <= 90) ? Unicode.Scalar(value + 32)! : scalar)
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return result
    }

    /// Tab, newline and carriage return count as whitespace, plus every Unicode White_Space scalar.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20: return true
        default: return scalar.value >= 0x80 && scalar.properties.isWhitespace
        }
    }

    /// Categories Cc, Cf, Cs, Co and Cn, except tab, newline and carriage return.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x20...0x7E: return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned: return true
            default: return false
            }
        }
    }

    /// ASCII punctuation (which includes symbols such as `$`, `+`, `^`) or any Unicode P* scalar.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
            || (123...126).contains(value) { return true }
        if value < 0x80 { return false }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    /// The CJK Unified Ideograph blocks BERT isolates (not Hangul, Hiragana or Katakana).
    static func isCJK(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: return true
        default: return false
        }
    }
}

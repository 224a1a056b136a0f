import Foundation

// The WordPiece tokenizer as it was before issue 13 made it work on bytes (Sources/MiniLM at 13bbced),
// frozen as the reference the fast one must equal token for token (WordPieceDifferentialTests, and
// benchmarks/tokenizer, which compiles this same file through a symlink). It was checked against
// BertTokenizerFast on the 204 reference texts. Besides the type names and the load error, two fixes
// marked FIXED, where it differed from BertTokenizerFast and the fast tokenizer follows BertTokenizerFast:
// compatibility ideographs were decomposed only beside another non-ASCII letter, and U+0085 (a control
// character, dropped) ended a 2,048-scalar chunk and so split the word around it.

/// BERT WordPiece tokenization exactly as `BertTokenizerFast` does it for uncased BERT models:
/// special-token literals are atomic, the rest is normalized, split and matched greedily
/// (longest prefix first, `##` continuations), words over 100 scalars become `[UNK]`.
public struct ReferenceWordPieceTokenizer: Sendable {
    /// Largest number of ids `encode` returns, `[CLS]` and `[SEP]` included.
    public let maxLength: Int
    /// Token ids by the token's UTF-8 bytes, as the Rust tokenizer looks them up. A `[String: Int32]`
    /// would match by canonical equivalence: "cafe\u{301}" would find a "caf\u{E9}" entry that
    /// `BertTokenizerFast` does not (with stripAccents off, nothing normalizes the text first).
    let vocabulary: [[UInt8]: Int32]
    let normalizer: ReferenceBertTextNormalizer
    let clsID: Int32
    let sepID: Int32
    let unknownID: Int32
    /// Special-token literals matched in raw text, longest first so matching is leftmost-longest.
    let specialTokens: [(scalars: [Unicode.Scalar], id: Int32)]
    static let maxWordScalars = 100
    /// Scalars normalized at a time (extended to the next whitespace).
    static let chunkScalars = 2048

    /// Loads `vocab.txt` (one token per line, id = line number).
    /// - Parameters:
    ///   - lowercase: lowercase and strip accents (uncased models).
    ///   - maxLength: truncation length including `[CLS]` and `[SEP]` (at least 2).
    public init(vocabularyURL: URL, lowercase: Bool, maxLength: Int) throws {
        try self.init(vocabularyURL: vocabularyURL, lowercase: lowercase, stripAccents: lowercase,
                      maxLength: maxLength)
    }

    public init(vocabularyURL: URL, lowercase: Bool, stripAccents: Bool, maxLength: Int) throws {
        guard let text = try? String(contentsOf: vocabularyURL, encoding: .utf8) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: vocabularyURL.path])
        }
        var vocabulary: [[UInt8]: Int32] = [:]
        // Lines by bytes: splitting the String would split on Characters, and "\r\n" is one Character.
        var lines = Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        vocabulary.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            let token = Array(line.last == 0x0D ? line.dropLast() : line)
            if vocabulary[token] == nil { vocabulary[token] = Int32(index) }
        }
        func id(_ token: String) throws -> Int32 {
            guard let value = vocabulary[Array(token.utf8)] else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: vocabularyURL.path])
            }
            return value
        }
        self.vocabulary = vocabulary
        self.clsID = try id("[CLS]")
        self.sepID = try id("[SEP]")
        self.unknownID = try id("[UNK]")
        self.specialTokens = ["[MASK]", "[CLS]", "[SEP]", "[PAD]", "[UNK]"].compactMap { token in
            vocabulary[Array(token.utf8)].map { (Array(token.unicodeScalars), $0) }
        }
        self.normalizer = ReferenceBertTextNormalizer(lowercase: lowercase, stripAccents: stripAccents)
        self.maxLength = max(2, maxLength)
    }

    /// Token ids of `text`: `[CLS]`, at most `maxLength - 2` word pieces, `[SEP]`.
    public func encode(_ text: String) -> [Int32] {
        let budget = maxLength - 2
        var ids: [Int32] = [clsID]
        let scalars = Array(Self.pythonStripped(text).unicodeScalars)
        var segmentStart = 0
        var position = 0
        // Normalizes a segment in whitespace-bounded chunks and stops once the budget is full, so a
        // huge document costs no more than its first few thousand characters. Whitespace is always
        // a word boundary and an NFD starter, so chunking does not change the result.
        func flushSegment(upTo end: Int) {
            var chunkStart = segmentStart
            while chunkStart < end && ids.count - 1 < budget {
                var chunkEnd = min(end, chunkStart + Self.chunkScalars)
                // FIXED: a boundary the clean-up keeps as a space (U+0085 is whitespace but also a control).
                while chunkEnd < end && !(ReferenceBertTextNormalizer.isWhitespace(scalars[chunkEnd])
                                          && !ReferenceBertTextNormalizer.isControl(scalars[chunkEnd])) { chunkEnd += 1 }
                let chunk = String(String.UnicodeScalarView(scalars[chunkStart..<chunkEnd]))
                appendWordPieces(of: chunk, to: &ids, budget: budget)
                chunkStart = chunkEnd
            }
        }
        while position < scalars.count && ids.count - 1 < budget {
            if scalars[position] == "[", let special = specialToken(in: scalars, at: position) {
                flushSegment(upTo: position)
                if ids.count - 1 < budget { ids.append(special.id) }
                position += special.length
                segmentStart = position
            } else {
                position += 1
            }
        }
        flushSegment(upTo: scalars.count)
        if ids.count - 1 > budget { ids.removeLast(ids.count - 1 - budget) }
        ids.append(sepID)
        return ids
    }

    private func specialToken(in scalars: [Unicode.Scalar], at position: Int) -> (id: Int32, length: Int)? {
        var best: (id: Int32, length: Int)?
        for token in specialTokens where token.scalars.count > (best?.length ?? 0) {
            let end = position + token.scalars.count
            if end <= scalars.count && scalars[position..<end].elementsEqual(token.scalars) {
                best = (token.id, token.scalars.count)
            }
        }
        return best
    }

    private func appendWordPieces(of segment: String, to ids: inout [Int32], budget: Int) {
        for word in normalizer.words(segment[...].unicodeScalars) {
            if ids.count - 1 >= budget { return }
            appendPieces(of: word, to: &ids)
        }
    }

    /// Greedy longest-match-first WordPiece; a word with an unmatchable remainder is one `[UNK]`.
    private func appendPieces(of word: [Unicode.Scalar], to ids: inout [Int32]) {
        if word.count > Self.maxWordScalars { ids.append(unknownID); return }
        var pieces: [Int32] = []
        var candidate: [UInt8] = []   // one buffer for every candidate of the word
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while end > start {
                candidate.removeAll(keepingCapacity: true)
                if start > 0 { candidate.append(0x23); candidate.append(0x23) }   // "##"
                for scalar in word[start..<end] { UTF8.encode(scalar) { candidate.append($0) } }
                if let id = vocabulary[candidate] { found = id; break }
                end -= 1
            }
            guard let id = found else { ids.append(unknownID); return }
            pieces.append(id)
            start = end
        }
        ids.append(contentsOf: pieces)
    }

    /// `str.strip()` as sentence-transformers applies it before tokenizing.
    static func pythonStripped(_ text: String) -> Substring {
        func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
            (0x1C...0x1F).contains(scalar.value) || scalar.properties.isWhitespace
        }
        let view = text.unicodeScalars
        guard let first = view.firstIndex(where: { !isPythonSpace($0) }),
              let last = view.lastIndex(where: { !isPythonSpace($0) }) else { return "" }
        return Substring(view[first...last])
    }
}


/// The text clean-up and word splitting that HuggingFace's `BertNormalizer` and `BertPreTokenizer`
/// perform before WordPiece, scalar for scalar (the fast tokenizer works on Unicode scalars, not graphemes).
public struct ReferenceBertTextNormalizer: Sendable {
    /// Lowercase every scalar (its full Unicode lowercase mapping, without context rules).
    let lowercase: Bool
    /// Decompose (NFD) and drop non-spacing marks (category Mn).
    let stripAccents: Bool

    /// Splits `text` into words: cleaned, CJK-isolated, accent-stripped, lowercased, split on
    /// whitespace and with every punctuation scalar as its own word.
    func words(_ text: Substring.UnicodeScalarView) -> [[Unicode.Scalar]] {
        var cleaned = String.UnicodeScalarView()
        var hasNonASCII = false
        for scalar in text {
            let value = scalar.value
            if value == 0 || value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                cleaned.append(" ")
            } else if Self.isCJK(value) {
                // BERT treats each ideograph as a word of its own.
                hasNonASCII = true   // FIXED: compatibility ideographs decompose in any company
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
        return Self.split(scalars)
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

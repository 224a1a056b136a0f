import Foundation

/// BERT WordPiece tokenization exactly as `BertTokenizerFast` does it for uncased BERT models:
/// special-token literals are atomic, the rest is normalized, split and matched greedily
/// (longest prefix first, `##` continuations), words over 100 scalars become `[UNK]`.
public struct WordPieceTokenizer: Sendable {
    /// Largest number of ids `encode` returns, `[CLS]` and `[SEP]` included.
    public let maxLength: Int
    /// Token ids by the token's UTF-8 bytes, as the Rust tokenizer looks them up. A `[String: Int32]`
    /// would match by canonical equivalence: "cafe\u{301}" would find a "caf\u{E9}" entry that
    /// `BertTokenizerFast` does not (with stripAccents off, nothing normalizes the text first).
    let vocabulary: [[UInt8]: Int32]
    let normalizer: BertTextNormalizer
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

    init(vocabularyURL: URL, lowercase: Bool, stripAccents: Bool, maxLength: Int) throws {
        guard let text = try? String(contentsOf: vocabularyURL, encoding: .utf8) else {
            throw MiniLMError.missing(vocabularyURL.deletingLastPathComponent(), detail: "cannot read vocab.txt")
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
                throw MiniLMError.invalid(vocabularyURL, "vocabulary lacks \(token)")
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
        self.normalizer = BertTextNormalizer(lowercase: lowercase, stripAccents: stripAccents)
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
                while chunkEnd < end && !BertTextNormalizer.isWhitespace(scalars[chunkEnd]) { chunkEnd += 1 }
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
